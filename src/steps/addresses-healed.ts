// addressesHealed (start chain): after a start every VM may have a new IP, in any permutation.
// Everything cluster-wide points at the stable name kina-control-plane (kubeconfigs, kube-proxy,
// cluster-info, kindnet, joined kubelets), and kindest's entrypoint already moves each node's own
// files to its new address (given /kind/kubeadm.conf). What is left is name resolution: kina's
// /etc/hosts block on every node, rewritten for all addresses in one pass (Apple's runtime
// rewrites /etc/hosts at every boot, so the block is gone after a restart anyway).

import { staleHostsBlock, writeHostsBlocks } from "./nodes.js";
import type { KinaStep } from "./services.js";

export const step: KinaStep = {
  async run(ctx) {
    ctx.progress("pointing kina-control-plane and the node names at the new addresses");
    await writeHostsBlocks(ctx, ctx.outputs.nodes);
  },
  async verify(ctx) {
    const stale = await staleHostsBlock(ctx, ctx.outputs.nodes);
    return stale ? { ok: false, reason: stale } : { ok: true };
  },
};
