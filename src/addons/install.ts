// Installing, checking and removing one addon on a cluster: the I/O behind the addonApplied,
// addonAvailable and addonRemoved steps and the bootstrap's addonsReady. The addon's objects are
// applied with server-side apply (field manager `kina`) in dependency order: namespaces, then
// CRDs (waited for until Established), then the rest, then custom resources of those CRDs.

import type { AddonName } from "../../machines/workflows.js";
import type { KubeAccess } from "../kube/access.js";
import { firstControlPlane } from "../steps/nodes.js";
import type { KinaContext } from "../steps/services.js";
import { deploymentAvailable, type DeploymentLike } from "../steps/kube-waits.js";
import { ADDONS, type ReadyCheck } from "./catalog.js";
import { LB_SCRIPT, LB_SCRIPT_PATH, LB_UNIT, LB_UNIT_FILE, LB_UNIT_PATH } from "./loadbalancer.js";
import { applyOrder, describeRef, parseObjects, refOf, type KubeObject, type ObjectRef } from "./objects.js";
import { loadPinned, loadUserManifest } from "./sources.js";

type Verdict = { done: boolean; reason: string };

/** The manifest the user gave for this addon (`--manifest`, `manifest:`), if any. */
export function userManifest(ctx: KinaContext, addon: AddonName): string | undefined {
  return ctx.config.addonManifests?.[addon];
}

/** The addon's objects, from the user's manifest or kina's pinned sources, rendered. */
export async function addonObjects(ctx: KinaContext, addon: AddonName): Promise<KubeObject[]> {
  const def = ADDONS[addon];
  const own = userManifest(ctx, addon);
  if (own) {
    ctx.progress(`reading ${own}`);
    return parseObjects(await loadUserManifest(own, ctx.signal), own);
  }
  let objects: KubeObject[] = [];
  if (def.nodeManifest) {
    const text = await ctx.services.runtime.readFile(firstControlPlane(ctx.config).name, def.nodeManifest);
    objects.push(...parseObjects(text, def.nodeManifest));
  }
  for (const file of def.upstream?.files ?? []) {
    ctx.progress(`fetching ${file.url.split("/").pop()}`);
    const text = await loadPinned(file, { home: ctx.paths.home, env: ctx.env, signal: ctx.signal, log: (l) => ctx.log.line(l) });
    objects.push(...parseObjects(text, file.url));
  }
  if (def.render) objects = def.render(objects);
  if (def.own) objects.push(...def.own());
  return objects;
}

interface CrdLike {
  metadata: { name: string };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

function established(crds: CrdLike[], names: string[]): Verdict {
  for (const name of names) {
    const crd = crds.find((c) => c.metadata.name === name);
    const cond = crd?.status?.conditions?.find((c) => c.type === "Established");
    if (cond?.status !== "True") return { done: false, reason: `CustomResourceDefinition ${name} is not Established${cond?.message ? `: ${cond.message}` : ""}` };
  }
  return { done: true, reason: "" };
}

/** Applies the addon; returns what it applied (recorded so uninstall deletes exactly that). */
export async function applyAddon(ctx: KinaContext, kube: KubeAccess, addon: AddonName): Promise<ObjectRef[]> {
  const def = ADDONS[addon];
  if (def.onNode === "loadbalancer" && !userManifest(ctx, addon)) {
    await installLoadBalancer(ctx);
    return [];
  }
  const { crds, before, after } = applyOrder(await addonObjects(ctx, addon));
  ctx.progress(`applying ${before.length + crds.length + after.length} objects`);
  await kube.applyObjects(before);
  if (crds.length > 0) {
    await kube.applyObjects(crds);
    const names = crds.map((c) => c.metadata.name);
    ctx.progress(`waiting for ${names.length} CRDs to be Established`);
    await kube.waitUntil(
      "CRDs Established",
      () => kube.list<CrdLike>("apiextensions.k8s.io/v1", "CustomResourceDefinition"),
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
      (items) => established(items, names),
    );
  }
  await kube.applyObjects(after);
  return [...before, ...crds, ...after].map(refOf);
}

async function installLoadBalancer(ctx: KinaContext): Promise<void> {
  const node = firstControlPlane(ctx.config).name;
  const rt = ctx.services.runtime;
  ctx.progress(`starting ${LB_UNIT} on ${node}`);
  await rt.writeFile(node, LB_SCRIPT_PATH, LB_SCRIPT, 0o755);
  await rt.writeFile(node, LB_UNIT_PATH, LB_UNIT_FILE, 0o644);
  for (const argv of [["systemctl", "daemon-reload"], ["systemctl", "enable", "--now", LB_UNIT]]) {
    const r = await rt.exec(node, argv);
    if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} on ${node} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim()}`);
  }
}

interface Conditioned {
  metadata: { name: string; namespace?: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

function conditionTrue(obj: Conditioned | undefined, type: string, what: string): Verdict {
  if (!obj) return { done: false, reason: `${what} does not exist` };
  const c = obj.status?.conditions?.find((x) => x.type === type);
  if (c?.status === "True") return { done: true, reason: "" };
  const why = c ? `${c.reason ?? c.status}${c.message ? `: ${c.message}` : ""}` : "no status yet";
  return { done: false, reason: `${what} is not ${type} (${why})` };
}

/** The object and condition a condition-based check reads. */
function conditionOf(check: Extract<ReadyCheck, { kind: "apiservice" | "gatewayclass" | "gateway" }>) {
  switch (check.kind) {
    case "apiservice":
      return { apiVersion: "apiregistration.k8s.io/v1", kind: "APIService", namespace: undefined, path: "/apis/apiregistration.k8s.io/v1/apiservices", type: "Available" };
    case "gatewayclass":
      return { apiVersion: "gateway.networking.k8s.io/v1", kind: "GatewayClass", namespace: undefined, path: "/apis/gateway.networking.k8s.io/v1/gatewayclasses", type: "Accepted" };
    case "gateway":
      return {
        apiVersion: "gateway.networking.k8s.io/v1",
        kind: "Gateway",
        namespace: check.namespace,
        path: `/apis/gateway.networking.k8s.io/v1/namespaces/${check.namespace}/gateways`,
        type: "Programmed",
      };
  }
}

function describeCheck(check: ReadyCheck): string {
  switch (check.kind) {
    case "deployment":
      return `Deployment ${check.namespace}/${check.name}`;
    case "apiservice":
      return `APIService ${check.name}`;
    case "gatewayclass":
      return `GatewayClass ${check.name}`;
    case "gateway":
      return `Gateway ${check.namespace}/${check.name}`;
    case "unit":
      return `${check.unit} on the first control plane`;
  }
}

async function unitActive(ctx: KinaContext, unit: string): Promise<Verdict> {
  const node = firstControlPlane(ctx.config).name;
  const r = await ctx.services.runtime.exec(node, ["systemctl", "is-active", unit]);
  const state = r.stdout.trim() || "unknown";
  return state === "active" ? { done: true, reason: "" } : { done: false, reason: `${unit} on ${node} is ${state}` };
}

/** The checks that say this addon works: the catalog's, or, for a user's manifest, its Deployments. */
export async function readyChecks(ctx: KinaContext, addon: AddonName): Promise<readonly ReadyCheck[]> {
  if (!userManifest(ctx, addon)) return ADDONS[addon].ready;
  const objects = await addonObjects(ctx, addon);
  return objects
    .filter((o) => o.kind === "Deployment")
    .map((o) => ({ kind: "deployment" as const, namespace: o.metadata.namespace ?? "default", name: o.metadata.name }));
}

/** Waits (watching, within the step's timeout) until every check holds. */
export async function waitAddon(ctx: KinaContext, kube: KubeAccess, addon: AddonName, checks: readonly ReadyCheck[]): Promise<void> {
  for (const check of checks) {
    const what = describeCheck(check);
    ctx.progress(`waiting for ${what}`);
    switch (check.kind) {
      case "deployment":
        await kube.waitUntil(
          what,
          () => kube.list<DeploymentLike>("apps/v1", "Deployment", check.namespace),
          `/apis/apps/v1/namespaces/${check.namespace}/deployments`,
          (items) => deploymentAvailable(items.find((d) => d.metadata.name === check.name), `${check.namespace}/${check.name}`),
        );
        break;
      case "apiservice":
      case "gatewayclass":
      case "gateway": {
        const c = conditionOf(check);
        await kube.waitUntil(
          what,
          () => kube.list<Conditioned>(c.apiVersion, c.kind, c.namespace),
          c.path,
          (items) => conditionTrue(items.find((a) => a.metadata.name === check.name), c.type, what),
        );
        break;
      }
      case "unit": {
        // No API object to watch: ask systemd once a second (one exec each) until the timeout.
        const { sleep } = await import("../engine/wait.js");
        let verdict = await unitActive(ctx, check.unit);
        while (!verdict.done && !ctx.signal.aborted) {
          await sleep(1000, ctx.signal).catch(() => undefined);
          if (!ctx.signal.aborted) verdict = await unitActive(ctx, check.unit);
        }
        if (!verdict.done) throw new Error(`gave up waiting for ${what}: ${verdict.reason}`);
        break;
      }
    }
  }
}

/** One look at every check, for verify. */
export async function addonReady(ctx: KinaContext, kube: KubeAccess, addon: AddonName, checks: readonly ReadyCheck[]): Promise<Verdict> {
  for (const check of checks) {
    const what = describeCheck(check);
    let v: Verdict;
    switch (check.kind) {
      case "deployment":
        v = deploymentAvailable(await kube.read<DeploymentLike>("apps/v1", "Deployment", check.name, check.namespace), `${check.namespace}/${check.name}`);
        break;
      case "apiservice":
      case "gatewayclass":
      case "gateway": {
        const c = conditionOf(check);
        v = conditionTrue(await kube.read<Conditioned>(c.apiVersion, c.kind, check.name, c.namespace), c.type, what);
        break;
      }
      case "unit":
        v = await unitActive(ctx, check.unit);
        break;
    }
    if (!v.done) return { done: false, reason: `${addon}: ${v.reason}` };
  }
  return { done: true, reason: "" };
}

/** Deletes what the install applied, last first; without a record, what the addon's manifest holds. */
export async function removeAddon(ctx: KinaContext, kube: KubeAccess, addon: AddonName, applied: readonly ObjectRef[] | undefined): Promise<void> {
  if (ADDONS[addon].onNode === "loadbalancer" && !userManifest(ctx, addon)) {
    const node = firstControlPlane(ctx.config).name;
    const rt = ctx.services.runtime;
    await rt.exec(node, ["systemctl", "disable", "--now", LB_UNIT]);
    const r = await rt.exec(node, ["rm", "-f", LB_UNIT_PATH, LB_SCRIPT_PATH]);
    if (r.exitCode !== 0) throw new Error(`removing ${LB_UNIT} from ${node} failed: ${r.stderr.trim()}`);
    await rt.exec(node, ["systemctl", "daemon-reload"]);
    return;
  }
  const refs = applied && applied.length > 0 ? applied : applyOrderRefs(await addonObjects(ctx, addon));
  ctx.progress(`deleting ${refs.length} objects`);
  await kube.deleteObjects(
    [...refs].reverse().map((r) => ({ apiVersion: r.apiVersion, kind: r.kind, metadata: { name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) } })),
  );
  ctx.log.line(`deleted ${refs.map(describeRef).join(", ")}`);
}

function applyOrderRefs(objects: KubeObject[]): ObjectRef[] {
  const { crds, before, after } = applyOrder(objects);
  return [...before, ...crds, ...after].map(refOf);
}
