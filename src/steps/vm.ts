// vmRunning: one Apple `container` VM per node, labelled as kina's, the first control plane
// publishing the API on 127.0.0.1, containerd up, and the node prepared (sysctls, MSS clamp,
// iptables backend, containerd snapshotter) by the same script the node image runs at every boot.

import { readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import type { ResolvedNode } from "../config/resolved.js";
import { nodeImageContextDir, NODE_PREP_PATH } from "../image/nodeImage.js";
import { ipv4Of, type Container } from "../runtime/schemas.js";
import type { NodeOutput } from "../../state/schema.js";
import { CLUSTER_LABEL, ROLE_LABEL, networkName, nodeLabels, waitFor } from "./nodes.js";
import type { KinaContext, KinaStep } from "./services.js";

const CONTAINERD_SOCKET = "/run/containerd/containerd.sock";

/** A free TCP port on 127.0.0.1, chosen once per cluster and kept in state. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function ours(ctx: KinaContext, node: ResolvedNode, c: Container): string | undefined {
  const labels = c.configuration.labels ?? {};
  if (labels[CLUSTER_LABEL] !== ctx.cluster) {
    return (
      `a container named ${node.name} already exists and kina did not create it for cluster "${ctx.cluster}" ` +
      `(its ${CLUSTER_LABEL} label is ${labels[CLUSTER_LABEL] ? `"${labels[CLUSTER_LABEL]}"` : "missing"}). ` +
      `kina never deletes containers it does not own: remove it yourself (container delete --force ${node.name}) ` +
      `or choose another cluster name`
    );
  }
  if (labels[ROLE_LABEL] !== node.role) {
    return `container ${node.name} has role label "${labels[ROLE_LABEL]}", expected "${node.role}"`;
  }
  return undefined;
}

async function bootNode(ctx: KinaContext, node: ResolvedNode, index: number, port: number, network?: string): Promise<void> {
  const runtime = ctx.services.runtime;
  const existing = await runtime.tryInspect(node.name);
  if (existing) {
    const problem = ours(ctx, node, existing);
    if (problem) throw new Error(problem);
    if (existing.status.state !== "running") {
      ctx.progress(`starting ${node.name} (it exists, stopped)`);
      await runtime.start(node.name);
    } else {
      ctx.log.line(`${node.name} is already running`);
    }
    return;
  }
  ctx.progress(`starting VM ${node.name}`);
  await runtime.run({
    name: node.name,
    image: node.image,
    cpus: node.cpus,
    memory: node.memory,
    labels: nodeLabels(ctx.cluster, node),
    ...(index === 0 ? { publish: [{ hostAddress: "127.0.0.1", hostPort: port, containerPort: 6443 }] } : {}),
    ...(network ? { network } : {}),
  });
}

async function prepareNode(ctx: KinaContext, node: ResolvedNode, prepScript: string): Promise<void> {
  const runtime = ctx.services.runtime;
  await waitFor(
    `containerd in ${node.name} (${CONTAINERD_SOCKET})`,
    async () => (await runtime.exec(node.name, ["test", "-S", CONTAINERD_SOCKET])).exitCode === 0,
    ctx.signal,
  );
  // The prep script ships in the kina image; writing it again covers nodes started from any other
  // image (--image kindest/node:…) and keeps one source for what "prepared" means.
  await runtime.writeFile(node.name, NODE_PREP_PATH, prepScript, 0o755);
  const result = await runtime.exec(node.name, ["/bin/sh", NODE_PREP_PATH]);
  if (result.exitCode !== 0) {
    throw new Error(`node prep failed in ${node.name} (exit ${result.exitCode}): ${result.stderr.trim().split("\n").at(-1) ?? ""}`);
  }
}

export const vmRunning: KinaStep = {
  id: "vmRunning",
  async run(ctx) {
    const runtime = ctx.services.runtime;
    const nodes = ctx.config.nodes;
    let network: string | undefined;
    if (nodes.length > 1) {
      network = networkName(ctx.cluster);
      if (!(await runtime.tryNetworkInspect(network))) {
        ctx.progress(`creating network ${network}`);
        await runtime.networkCreate(network, { [CLUSTER_LABEL]: ctx.cluster });
      }
    }
    // The host port is chosen once and recorded before any VM publishes it, so a resume reuses it.
    let port = ctx.outputs.apiServerPort;
    if (!port) {
      port = ctx.config.networking.apiServerPort || (await freeLoopbackPort());
      await ctx.setOutputs({ apiServerPort: port, ...(network ? { network } : {}) });
    }
    await Promise.all(nodes.map((node, i) => bootNode(ctx, node, i, port, network)));
    const prepScript = await readFile(join(nodeImageContextDir(), "files", NODE_PREP_PATH), "utf8");
    await Promise.all(nodes.map((node) => prepareNode(ctx, node, prepScript)));
    const recorded: NodeOutput[] = [];
    for (const node of nodes) {
      const ip = ipv4Of(await runtime.inspect(node.name));
      if (!ip) throw new Error(`${node.name} is running but has no IPv4 address`);
      recorded.push({ name: node.name, role: node.role, ip });
    }
    await ctx.setOutputs({ nodes: recorded });
  },
  async verify(ctx) {
    for (const node of ctx.config.nodes) {
      const c = await ctx.services.runtime.tryInspect(node.name);
      if (!c) return { ok: false, reason: `VM ${node.name} no longer exists` };
      const problem = ours(ctx, node, c);
      if (problem) return { ok: false, reason: problem };
      if (c.status.state !== "running") return { ok: false, reason: `VM ${node.name} is ${c.status.state}` };
      const recorded = ctx.outputs.nodes.find((n) => n.name === node.name)?.ip;
      const ip = ipv4Of(c);
      if (recorded && ip && recorded !== ip) return { ok: false, reason: `VM ${node.name} has a new IP (${recorded} → ${ip})` };
    }
    return { ok: true };
  },
};
