// addonApplied (install-ADDON chains): the addon's manifest from the node image applied with
// server-side apply, and the addon recorded as pending in outputs.addons.

import { ADDON_CATALOG, addonManifest, addonOfChain } from "./addon-catalog.js";
import type { KinaStep } from "./services.js";

export const step: KinaStep = {
  async run(ctx) {
    const { addon, path, text } = await addonManifest(ctx);
    if (text !== undefined) {
      const kube = await ctx.services.kube(ctx.paths.kubeconfig);
      ctx.progress(`applying ${path}`);
      await kube.apply(text);
    }
    await ctx.setOutputs({ addons: { ...ctx.outputs.addons, [addon]: { status: "pending" } } });
  },
  async verify(ctx) {
    const addon = addonOfChain(ctx.chain);
    const { namespace, name } = ADDON_CATALOG[addon].deployment;
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const found = await kube.read("apps/v1", "Deployment", name, namespace);
    return found ? { ok: true } : { ok: false, reason: `Deployment ${namespace}/${name} is missing` };
  },
};
