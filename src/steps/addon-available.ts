// addonAvailable (install-ADDON chains): the addon's workload reports Available; its result is
// recorded in outputs.addons, which `kina status` shows.

import { ADDON_CATALOG, addonOfChain } from "./addon-catalog.js";
import { deploymentAvailable, type DeploymentLike } from "./kube-waits.js";
import type { KinaStep } from "./services.js";

export const step: KinaStep = {
  async run(ctx) {
    const addon = addonOfChain(ctx.chain);
    const { namespace, name } = ADDON_CATALOG[addon].deployment;
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    ctx.progress(`waiting for ${addon} (${namespace}/${name})`);
    try {
      await kube.waitUntil(
        addon,
        () => kube.list<DeploymentLike>("apps/v1", "Deployment", namespace),
        `/apis/apps/v1/namespaces/${namespace}/deployments`,
        (items) => deploymentAvailable(items.find((d) => d.metadata.name === name), `${namespace}/${name}`),
      );
    } catch (error) {
      await ctx.setOutputs({ addons: { ...ctx.outputs.addons, [addon]: { status: "failed", message: (error as Error).message } } });
      throw error;
    }
    await ctx.setOutputs({ addons: { ...ctx.outputs.addons, [addon]: { status: "available" } } });
  },
  async verify(ctx) {
    const addon = addonOfChain(ctx.chain);
    const { namespace, name } = ADDON_CATALOG[addon].deployment;
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const r = deploymentAvailable(await kube.read<DeploymentLike>("apps/v1", "Deployment", name, namespace), `${namespace}/${name}`);
    return r.done ? { ok: true } : { ok: false, reason: r.reason };
  },
};
