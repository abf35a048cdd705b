// vmsStarted (start chain): every node VM of the cluster running again, containerd up and the node
// prepared, and each node's address as it is now recorded. Apple `container` gives a VM a new IP on
// every start; the new addresses are recorded here for the healing that follows.

import { ipv4Of } from "../runtime/schemas.js";
import { CLUSTER_LABEL, currentAddresses, prepareNode, readPrepScript } from "./nodes.js";
import type { KinaContext, KinaStep } from "./services.js";

async function inspectOurs(ctx: KinaContext, name: string) {
  const vm = await ctx.services.runtime.tryInspect(name);
  if (!vm) {
    throw new Error(
      `VM ${name} no longer exists, so cluster "${ctx.cluster}" cannot be started; ` +
        `delete it (kina delete ${ctx.cluster}) and create it again`,
    );
  }
  if (vm.configuration.labels?.[CLUSTER_LABEL] !== ctx.cluster) {
    throw new Error(`a container named ${name} exists but kina did not create it for cluster "${ctx.cluster}"; kina leaves it alone`);
  }
  return vm;
}

export const step: KinaStep = {
  async run(ctx) {
    const runtime = ctx.services.runtime;
    const nodes = ctx.config.nodes;
    await Promise.all(
      nodes.map(async (node) => {
        const vm = await inspectOurs(ctx, node.name);
        if (vm.status.state === "running") return;
        ctx.progress(`starting ${node.name}`);
        await runtime.start(node.name);
      }),
    );
    const prepScript = await readPrepScript();
    await Promise.all(nodes.map((node) => prepareNode(ctx, node, prepScript)));
    await ctx.setOutputs({ nodes: await currentAddresses(ctx) });
  },
  async verify(ctx) {
    for (const node of ctx.config.nodes) {
      const vm = await ctx.services.runtime.tryInspect(node.name);
      if (!vm) return { ok: false, reason: `VM ${node.name} no longer exists` };
      if (vm.status.state !== "running") return { ok: false, reason: `VM ${node.name} is ${vm.status.state}` };
      const recorded = ctx.outputs.nodes.find((n) => n.name === node.name)?.ip;
      const ip = ipv4Of(vm);
      if (recorded !== ip) return { ok: false, reason: `VM ${node.name} has address ${ip ?? "none"}, recorded ${recorded ?? "none"}` };
    }
    return { ok: true };
  },
};
