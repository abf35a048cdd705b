// addonsReady: the default StorageClass (local-path, from the node image) and every configured
// addon applied, then CoreDNS and each addon available. Each addon's result (and what it applied,
// for `kina uninstall`) is recorded in outputs.addons, which `kina status` shows.

import type { AddonName } from "../../machines/workflows.js";
import { ADDONS } from "../addons/catalog.js";
import { addonReady, applyAddon, readyChecks, userManifest, waitAddon } from "../addons/install.js";
import { deploymentAvailable, type DeploymentLike } from "./kube-waits.js";
import type { KinaContext, KinaStep } from "./services.js";

export const COREDNS = { namespace: "kube-system", name: "coredns" };

type AddonRecord = NonNullable<KinaContext["outputs"]["addons"]>[string];

/** `networking.cni: none`: the user brings the CNI, so CoreDNS and the addons cannot run yet. */
function noCni(ctx: KinaContext): boolean {
  return ctx.config.networking.cni === "none";
}

export const step: KinaStep = {
  async run(ctx) {
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const names: AddonName[] = [...ctx.config.addons];
    const records: Record<string, AddonRecord> = { coredns: { status: "pending" } };
    for (const n of names) records[n] = { status: "pending" };
    await ctx.setOutputs({ addons: { ...records } });
    for (const name of names) {
      const warning = ADDONS[name].warning;
      if (warning) ctx.log.line(`WARNING: ${warning}`);
      const objects = await applyAddon(ctx, kube, name);
      const source = userManifest(ctx, name);
      records[name] = { status: "pending", ...(source ? { source } : {}), ...(objects.length ? { objects } : {}) };
      await ctx.setOutputs({ addons: { ...records } });
    }
    if (noCni(ctx)) {
      // No pod can start before the user's CNI is there: applied, not waited for.
      const message = "applied; starts once a CNI is installed (networking.cni: none)";
      for (const n of Object.keys(records)) records[n] = { ...records[n]!, message };
      await ctx.setOutputs({ addons: { ...records } });
      return;
    }
    const order: ("coredns" | AddonName)[] = ["coredns", ...names];
    for (const name of order) {
      try {
        if (name === "coredns") {
          ctx.progress(`waiting for coredns (${COREDNS.namespace}/${COREDNS.name})`);
          await kube.waitUntil(
            "coredns",
            () => kube.list<DeploymentLike>("apps/v1", "Deployment", COREDNS.namespace),
            `/apis/apps/v1/namespaces/${COREDNS.namespace}/deployments`,
            (items) => deploymentAvailable(items.find((d) => d.metadata.name === COREDNS.name), `${COREDNS.namespace}/${COREDNS.name}`),
          );
        } else {
          await waitAddon(ctx, kube, name, await readyChecks(ctx, name));
        }
        const { message: _m, ...rest } = records[name]!;
        records[name] = { ...rest, status: "available" };
      } catch (error) {
        records[name] = { ...records[name]!, status: "failed", message: (error as Error).message };
        await ctx.setOutputs({ addons: { ...records } });
        throw error; // the step's time is spent; the rest stay pending
      }
    }
    await ctx.setOutputs({ addons: { ...records } });
  },
  async verify(ctx) {
    if (noCni(ctx)) return { ok: true };
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const dns = deploymentAvailable(await kube.read<DeploymentLike>("apps/v1", "Deployment", COREDNS.name, COREDNS.namespace), "coredns");
    if (!dns.done) return { ok: false, reason: `coredns: ${dns.reason}` };
    for (const name of ctx.config.addons) {
      const r = await addonReady(ctx, kube, name, await readyChecks(ctx, name));
      if (!r.done) return { ok: false, reason: r.reason };
    }
    return { ok: true };
  },
};
