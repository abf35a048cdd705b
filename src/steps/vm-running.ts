// vmRunning: one Apple `container` VM per node, labelled as kina's, the first control plane
// publishing the API on 127.0.0.1, containerd up, and the node prepared (sysctls, MSS clamp,
// iptables backend, containerd snapshotter) by the same script the node image runs at every boot.

import { createServer } from "node:net";
import type { ResolvedNode } from "../config/resolved.js";
import { ipv4Of, type Container } from "../runtime/schemas.js";
import { CLUSTER_LABEL, ROLE_LABEL, currentAddresses, networkName, nodeLabels, prepareNode, readPrepScript, writeHostsBlocks } from "./nodes.js";
import type { KinaContext, KinaStep } from "./services.js";
import { assertCiliumKernels } from "./cilium-kernel.js";

/** A free TCP port on 127.0.0.1, chosen once per cluster and kept in state. */
export async function freeLoopbackPort(): Promise<number> {
  return freePort("127.0.0.1");
}

async function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, address, () => {
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
  // kind's extraPortMappings with no host port get a free one, like Docker's `-p :80`.
  const mapped = await Promise.all(node.publish.map(async (p) => ({ ...p, hostPort: p.hostPort || (await freePort(p.hostAddress)) })));
  const api = index === 0 ? [{ hostAddress: "127.0.0.1", hostPort: port, containerPort: 6443 }] : [];
  await runtime.run({
    name: node.name,
    image: node.image,
    cpus: node.cpus,
    memory: node.memory,
    labels: nodeLabels(ctx.cluster, node),
    publish: [...api, ...mapped],
    mounts: node.mounts.map((m) => ({ source: m.hostPath, target: m.containerPath, readOnly: m.readOnly, kind: m.kind })),
    ...(node.kernel ? { kernel: node.kernel } : {}),
    ...(network ? { network } : {}),
  });
}

export const step: KinaStep = {
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
    const prepScript = await readPrepScript();
    await Promise.all(nodes.map((node) => prepareNode(ctx, node, prepScript)));
    // Before kubeadm init, while nothing is installed: Cilium on a kernel it cannot run on fails here.
    if (ctx.config.networking.cni === "cilium") await assertCiliumKernels(ctx);
    const recorded = await currentAddresses(ctx);
    await ctx.setOutputs({ nodes: recorded });
    await writeHostsBlocks(ctx, recorded);
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
