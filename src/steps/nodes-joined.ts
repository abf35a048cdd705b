// nodesJoined: workers join concurrently, extra control planes one at a time, with the join
// command the first control plane prints. Nodes already registered are left alone, so a resume
// after a partial join only joins the rest.

import type { ResolvedNode } from "../config/resolved.js";
import { preflightIgnores } from "../kubeadm/index.js";
import type { NodeLike } from "./kube-waits.js";
import { nodesReadyOrRegistered } from "./kube-nodes.js";
import { firstControlPlane } from "./nodes.js";
import type { KinaContext, KinaStep } from "./services.js";

function tail(text: string): string {
  return text.trim().split("\n").slice(-8).join("\n");
}

async function registered(ctx: KinaContext): Promise<Set<string>> {
  const kube = await ctx.services.kube(ctx.paths.kubeconfig);
  const { items } = await kube.list<NodeLike>("v1", "Node");
  return new Set(items.map((n) => n.metadata.name));
}

async function joinCommand(ctx: KinaContext, cp: string): Promise<string[]> {
  // Holds a bootstrap token: kept out of the step log.
  const r = await ctx.services.runtime.exec(cp, ["kubeadm", "token", "create", "--print-join-command"], { redactStdout: true });
  const line = r.stdout.trim().split("\n").at(-1) ?? "";
  const argv = line.split(/\s+/);
  if (r.exitCode !== 0 || argv[0] !== "kubeadm" || argv[1] !== "join") {
    throw new Error(`kubeadm token create --print-join-command failed in ${cp} (exit ${r.exitCode}): ${tail(r.stderr)}`);
  }
  return argv;
}

async function certificateKey(ctx: KinaContext, cp: string): Promise<string> {
  const r = await ctx.services.runtime.exec(cp, ["kubeadm", "init", "phase", "upload-certs", "--upload-certs"], { redactStdout: true });
  const key = r.stdout.trim().split("\n").at(-1)?.trim() ?? "";
  if (r.exitCode !== 0 || !/^[0-9a-f]{64}$/.test(key)) throw new Error(`kubeadm init phase upload-certs failed in ${cp}: ${tail(r.stderr)}`);
  return key;
}

async function joinNode(ctx: KinaContext, node: ResolvedNode, argv: string[], version: string): Promise<void> {
  const runtime = ctx.services.runtime;
  // A node with a kubelet.conf but no Node object is a half-finished join: clear it first.
  if ((await runtime.exec(node.name, ["test", "-f", "/etc/kubernetes/kubelet.conf"])).exitCode === 0) {
    await runtime.exec(node.name, ["kubeadm", "reset", "-f"]);
  }
  ctx.progress(`joining ${node.name}`);
  const r = await runtime.exec(node.name, [...argv, `--ignore-preflight-errors=${preflightIgnores(version).join(",")}`], {
    timeoutMs: ctx.timeoutMs,
  });
  if (r.exitCode !== 0) throw new Error(`kubeadm join failed in ${node.name} (exit ${r.exitCode}):\n${tail(r.stderr || r.stdout)}`);
}

export const step: KinaStep = {
  async run(ctx) {
    const cp = firstControlPlane(ctx.config);
    const version = ctx.config.kubernetesVersion;
    const present = await registered(ctx);
    const pending = ctx.config.nodes.filter((n) => n.name !== cp.name && !present.has(n.name));
    if (pending.length) {
      const argv = await joinCommand(ctx, cp.name);
      const workers = pending.filter((n) => n.role === "worker");
      const controlPlanes = pending.filter((n) => n.role === "control-plane");
      await Promise.all(workers.map((n) => joinNode(ctx, n, argv, version)));
      for (const n of controlPlanes) {
        const key = await certificateKey(ctx, cp.name);
        await joinNode(ctx, n, [...argv, "--control-plane", "--certificate-key", key], version);
      }
    }
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const names = ctx.config.nodes.map((n) => n.name);
    await kube.waitUntil("every node to register", () => kube.list<NodeLike>("v1", "Node"), "/api/v1/nodes", (nodes) =>
      nodesReadyOrRegistered(nodes, names, "registered"),
    );
  },
  async verify(ctx) {
    const present = await registered(ctx);
    const missing = ctx.config.nodes.filter((n) => !present.has(n.name)).map((n) => n.name);
    return missing.length ? { ok: false, reason: `node(s) not registered: ${missing.join(", ")}` } : { ok: true };
  },
};
