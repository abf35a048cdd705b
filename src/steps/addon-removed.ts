// addonRemoved (uninstall-ADDON chains): every object of the addon's manifest deleted, and the
// addon dropped from outputs.addons.

import { ADDON_CATALOG, addonManifest, addonOfChain } from "./addon-catalog.js";
import type { KinaStep } from "./services.js";

export const step: KinaStep = {
  async run(ctx) {
    const { addon, path, text } = await addonManifest(ctx);
    if (text !== undefined) {
      const kube = await ctx.services.kube(ctx.paths.kubeconfig);
      ctx.progress(`deleting the objects of ${path}`);
      await kube.deleteManifest(text);
    }
    const { [addon]: _removed, ...rest } = ctx.outputs.addons ?? {};
    await ctx.setOutputs({ addons: rest });
  },
  async verify(ctx) {
    const addon = addonOfChain(ctx.chain);
    const { namespace, name } = ADDON_CATALOG[addon].deployment;
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const found = await kube.read("apps/v1", "Deployment", name, namespace);
    return found ? { ok: false, reason: `Deployment ${namespace}/${name} still exists` } : { ok: true };
  },
};
