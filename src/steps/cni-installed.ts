// cniInstalled: the CNI networking.cni names, as a strategy (src/steps/cni/): install or re-apply
// it, then wait until its agents run and every node is Ready. `cni: none` skips this step.

import type { ResolvedConfig } from "../config/resolved.js";
import type { CniStrategy } from "./cni/strategy.js";
import type { KinaContext, KinaStep } from "./services.js";

async function strategyFor(cni: ResolvedConfig["networking"]["cni"]): Promise<CniStrategy> {
  switch (cni) {
    case "kindnet":
      return (await import("./cni/kindnet.js")).kindnet;
    case "cilium":
      return (await import("./cni/cilium.js")).cilium;
    case "none":
      throw new Error("networking.cni is none: kina installs no CNI (this step should have been skipped)");
  }
}

async function open(ctx: KinaContext) {
  const strategy = await strategyFor(ctx.config.networking.cni);
  return { strategy, kube: await ctx.services.kube(ctx.paths.kubeconfig) };
}

export const step: KinaStep = {
  async run(ctx) {
    const { strategy, kube } = await open(ctx);
    await strategy.install(ctx, kube);
    await strategy.waitReady(ctx, kube);
  },
  async verify(ctx) {
    const { strategy, kube } = await open(ctx);
    return strategy.verify(ctx, kube);
  },
};
