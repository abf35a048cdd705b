// nodesJoined: every other node joins as kind does it: its own kubeadm config (labels, patches,
// node-ip, a bootstrap token kina creates) written to /kind/kubeadm.conf, then
// `kubeadm join --config /kind/kubeadm.conf --skip-phases=preflight`. Workers join concurrently,
// extra control planes one at a time with the certificates the first one uploads. The file stays
// on every node: kindest's entrypoint regenerates a control plane's apiserver certificate from it
// after an IP change and the node dies without it. Nodes already registered are left alone, so a
// resume after a partial join only joins the rest.

import type { ResolvedNode } from "../config/resolved.js";
import { NODE_KUBEADM_CONFIG_PATH } from "../image/nodeImage.js";
import { generateBootstrapToken } from "../kubeadm/index.js";
import type { NodeLike } from "./kube-waits.js";
import { nodesReadyOrRegistered } from "./kube-nodes.js";
import { firstControlPlane, nodeKubeadmConfig, nodeKubernetesVersion } from "./nodes.js";
import type { KinaContext, KinaStep } from "./services.js";

function tail(text: string): string {
  return text.trim().split("\n").slice(-8).join("\n");
}

async function registered(ctx: KinaContext): Promise<Set<string>> {
  const kube = await ctx.services.kube(ctx.paths.kubeconfig);
  const { items } = await kube.list<NodeLike>("v1", "Node");
  return new Set(items.map((n) => n.metadata.name));
}

/** Registers `token` (fresh, made here) on the first control plane (kept out of every log). */
async function createToken(ctx: KinaContext, cp: string, token: string): Promise<void> {
  const r = await ctx.services.runtime.exec(cp, ["kubeadm", "token", "create", token, "--ttl", "1h", "--description", "kina join"], {
    redactStdout: true,
    secrets: [token],
  });
  if (r.exitCode !== 0) throw new Error(`kubeadm token create failed in ${cp} (exit ${r.exitCode}): ${tail(r.stderr)}`);
}

async function certificateKey(ctx: KinaContext, cp: string): Promise<string> {
  const r = await ctx.services.runtime.exec(cp, ["kubeadm", "init", "phase", "upload-certs", "--upload-certs"], { redactStdout: true });
  const key = r.stdout.trim().split("\n").at(-1)?.trim() ?? "";
  if (r.exitCode !== 0 || !/^[0-9a-f]{64}$/.test(key)) throw new Error(`kubeadm init phase upload-certs failed in ${cp}: ${tail(r.stderr)}`);
  return key;
}

/** Readies a node to join: a half-finished join cleared, its /kind/kubeadm.conf written. */
async function prepareJoin(ctx: KinaContext, node: ResolvedNode, token: string, key?: string): Promise<void> {
  const runtime = ctx.services.runtime;
  const ip = ctx.outputs.nodes.find((n) => n.name === node.name)?.ip;
  if (!ip) throw new Error(`no IP recorded for ${node.name}; run \`kina retry vm ${ctx.cluster}\``);
  // Two independent reads, side by side: a node with a kubelet.conf but no Node object is a
  // half-finished join (cleared first), and the node's own Kubernetes version.
  const [halfJoined, kubernetesVersion] = await Promise.all([
    runtime.exec(node.name, ["test", "-f", "/etc/kubernetes/kubelet.conf"]).then((r) => r.exitCode === 0),
    nodeKubernetesVersion(ctx, node.name),
  ]);
  if (halfJoined) await runtime.exec(node.name, ["kubeadm", "reset", "-f"]);
  const config = nodeKubeadmConfig(ctx, node, ip, {
    kubernetesVersion,
    bootstrapToken: token,
    ...(key ? { certificateKey: key } : {}),
  });
  // The config holds the bootstrap token (and a control plane's certificate key): 0600, not logged.
  await runtime.writeFile(node.name, NODE_KUBEADM_CONFIG_PATH, config, 0o600);
}

async function joinNode(ctx: KinaContext, node: ResolvedNode): Promise<void> {
  const runtime = ctx.services.runtime;
  ctx.progress(`joining ${node.name}${node.role === "control-plane" ? " as a control plane" : ""}`);
  const r = await runtime.exec(node.name, ["kubeadm", "join", "--config", NODE_KUBEADM_CONFIG_PATH, "--skip-phases=preflight"], {
    timeoutMs: ctx.timeoutMs,
  });
  if (r.exitCode !== 0) throw new Error(`kubeadm join failed in ${node.name} (exit ${r.exitCode}):\n${tail(r.stderr || r.stdout)}`);
}

export const step: KinaStep = {
  async run(ctx) {
    const cp = firstControlPlane(ctx.config);
    const present = await registered(ctx);
    const pending = ctx.config.nodes.filter((n) => n.name !== cp.name && !present.has(n.name));
    if (pending.length) {
      const token = generateBootstrapToken();
      const workers = pending.filter((n) => n.role === "worker");
      const controlPlanes = pending.filter((n) => n.role === "control-plane");
      // The token is kina's own, so the workers' configs are written while it is registered; no
      // node joins before both are done.
      await Promise.all([createToken(ctx, cp.name, token), ...workers.map((n) => prepareJoin(ctx, n, token))]);
      await Promise.all(workers.map((n) => joinNode(ctx, n)));
      // One at a time: each new etcd member must be in before the next joins.
      for (const n of controlPlanes) {
        await prepareJoin(ctx, n, token, await certificateKey(ctx, cp.name));
        await joinNode(ctx, n);
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
