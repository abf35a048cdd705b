// addonsReady: the default StorageClass (local-path, from the node image) and every configured
// addon applied, then CoreDNS and each addon's workload available. Each addon's result is
// recorded in outputs.addons, which `kina status` shows.

import type { KubeAccess } from "../kube/access.js";
import { ADDON_CATALOG as ADDONS, type AddonSpec as Addon } from "./addon-catalog.js";
import { deploymentAvailable, type DeploymentLike } from "./kube-waits.js";
import { firstControlPlane } from "./nodes.js";
import type { KinaContext, KinaStep } from "./services.js";

function configured(ctx: KinaContext): (keyof typeof ADDONS)[] {
  return ["coredns", ...ctx.config.addons.filter((a) => a in ADDONS)];
}

async function check(kube: KubeAccess, addon: Addon): Promise<{ done: boolean; reason: string }> {
  const { namespace, name } = addon.deployment;
  return deploymentAvailable(await kube.read<DeploymentLike>("apps/v1", "Deployment", name, namespace), `${namespace}/${name}`);
}

/** `networking.cni: none`: the user brings the CNI, so CoreDNS and the addons cannot run yet. */
function noCni(ctx: KinaContext): boolean {
  return ctx.config.networking.cni === "none";
}

export const step: KinaStep = {
  async run(ctx) {
    const cp = firstControlPlane(ctx.config);
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const names = configured(ctx);
    await ctx.setOutputs({ addons: Object.fromEntries(names.map((n) => [n, { status: "pending" as const }])) });
    for (const name of names) {
      const manifest = ADDONS[name]!.manifest;
      if (manifest) await kube.apply(await ctx.services.runtime.readFile(cp.name, manifest));
    }
    if (noCni(ctx)) {
      // No pod can start before the user's CNI is there: applied, not waited for.
      const waiting = { status: "pending" as const, message: "applied; starts once a CNI is installed (networking.cni: none)" };
      await ctx.setOutputs({ addons: Object.fromEntries(names.map((n) => [n, waiting])) });
      return;
    }
    const results: Record<string, { status: "available" | "failed"; message?: string }> = {};
    let failure: Error | undefined;
    for (const name of names) {
      const { namespace, name: deployment } = ADDONS[name]!.deployment;
      ctx.progress(`waiting for ${name} (${namespace}/${deployment})`);
      try {
        await kube.waitUntil(
          `${name}`,
          () => kube.list<DeploymentLike>("apps/v1", "Deployment", namespace),
          `/apis/apps/v1/namespaces/${namespace}/deployments`,
          (items) => deploymentAvailable(items.find((d) => d.metadata.name === deployment), `${namespace}/${deployment}`),
        );
        results[name] = { status: "available" };
      } catch (error) {
        results[name] = { status: "failed", message: (error as Error).message };
        failure ??= error as Error;
        break; // the step's time is spent; the rest stay pending
      }
    }
    await ctx.setOutputs({ addons: { ...ctx.outputs.addons, ...results } });
    if (failure) throw failure;
  },
  async verify(ctx) {
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    if (noCni(ctx)) return { ok: true };
    for (const name of configured(ctx)) {
      const r = await check(kube, ADDONS[name]!);
      if (!r.done) return { ok: false, reason: `${name}: ${r.reason}` };
    }
    return { ok: true };
  },
};
