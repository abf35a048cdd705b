// addonAvailable (install-ADDON chains): what says the addon works holds (its Deployments
// available; metrics-server's APIService Available; the Gateway Programmed; the LoadBalancer
// loop running); the result is recorded in outputs.addons, which `kina status` shows.

import { addonOfChain } from "../../machines/workflows.js";
import { addonReady, readyChecks, waitAddon } from "../addons/install.js";
import type { KinaStep } from "./services.js";

export const step: KinaStep = {
  async run(ctx) {
    const addon = addonOfChain(ctx.chain);
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const record = () => ctx.outputs.addons?.[addon] ?? { status: "pending" as const };
    try {
      await waitAddon(ctx, kube, addon, await readyChecks(ctx, addon));
    } catch (error) {
      await ctx.setOutputs({ addons: { ...ctx.outputs.addons, [addon]: { ...record(), status: "failed", message: (error as Error).message } } });
      throw error;
    }
    const { message: _old, ...rest } = record();
    await ctx.setOutputs({ addons: { ...ctx.outputs.addons, [addon]: { ...rest, status: "available" } } });
  },
  async verify(ctx) {
    const addon = addonOfChain(ctx.chain);
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const r = await addonReady(ctx, kube, addon, await readyChecks(ctx, addon));
    return r.done ? { ok: true } : { ok: false, reason: r.reason };
  },
};
