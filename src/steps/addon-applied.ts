// addonApplied (install-ADDON chains): the addon's objects applied (kina's pinned sources or the
// user's --manifest), and the addon recorded as pending in outputs.addons with what was applied.

import { addonOfChain } from "../../machines/workflows.js";
import { ADDONS } from "../addons/catalog.js";
import { applyAddon, userManifest } from "../addons/install.js";
import type { KinaStep } from "./services.js";

export const step: KinaStep = {
  async run(ctx) {
    const addon = addonOfChain(ctx.chain);
    const warning = ADDONS[addon].warning;
    if (warning) {
      ctx.log.line(`WARNING: ${warning}`);
      ctx.progress(`WARNING: ${warning}`);
    }
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const objects = await applyAddon(ctx, kube, addon);
    const source = userManifest(ctx, addon);
    await ctx.setOutputs({
      addons: { ...ctx.outputs.addons, [addon]: { status: "pending", ...(source ? { source } : {}), ...(objects.length ? { objects } : {}) } },
    });
  },
  async verify(ctx) {
    const addon = addonOfChain(ctx.chain);
    const recorded = ctx.outputs.addons?.[addon];
    if (!recorded) return { ok: false, reason: `${addon} is not recorded as applied` };
    if (ADDONS[addon].onNode) return { ok: true }; // addonAvailable asks the node
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    for (const r of recorded.objects ?? []) {
      if (!(await kube.read(r.apiVersion, r.kind, r.name, r.namespace))) return { ok: false, reason: `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name} is missing` };
    }
    return { ok: true };
  },
};
