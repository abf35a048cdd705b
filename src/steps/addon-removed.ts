// addonRemoved (uninstall-ADDON chains): every object the install applied deleted, last first
// (custom resources, then workloads, CRDs, namespaces), and the addon dropped from outputs.addons.

import { addonOfChain } from "../../machines/workflows.js";
import { ADDONS } from "../addons/catalog.js";
import { addonReady, readyChecks, removeAddon } from "../addons/install.js";
import type { KinaStep } from "./services.js";

export const step: KinaStep = {
  async run(ctx) {
    const addon = addonOfChain(ctx.chain);
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    await removeAddon(ctx, kube, addon, ctx.outputs.addons?.[addon]?.objects);
    const { [addon]: _removed, ...rest } = ctx.outputs.addons ?? {};
    await ctx.setOutputs({ addons: rest });
  },
  async verify(ctx) {
    const addon = addonOfChain(ctx.chain);
    if (ctx.outputs.addons?.[addon]) return { ok: false, reason: `${addon} is still recorded as installed` };
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const checks = ADDONS[addon].onNode ? ADDONS[addon].ready : await readyChecks(ctx, addon).catch(() => ADDONS[addon].ready);
    const first = checks[0];
    if (!first) return { ok: true };
    const still = await addonReady(ctx, kube, addon, [first]);
    return still.done ? { ok: false, reason: `${addon} still runs` } : { ok: true };
  },
};
