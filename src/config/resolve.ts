// From flags + config file to the ResolvedConfig a cluster is created with.

import { memoryArg, parseSizeMiB } from "./size.js";
import { STEP_IDS, resolveStep, stepDef, stepNamesForHelp, type AddonName, type StepId } from "../../machines/workflows.js";
import { resolve as resolvePath } from "node:path";
import { parseDuration } from "./duration.js";
import { didYouMean } from "./near.js";
import type { ResolvedConfig, ResolvedNode } from "./resolved.js";
import type { ClusterConfigFile } from "./schema.js";
import { UsageError } from "./errors.js";
import { ADDONS } from "../addons/catalog.js";
import { assertNoPortCollisions, hostMounts, hostPorts, nodeKernel } from "./host-mappings.js";
import { checkSubnets } from "./subnets.js";

export { UsageError } from "./errors.js";

export const DEFAULT_CLUSTER_NAME = "kina";
// "<name>-control-plane2" must fit a 63-character DNS label.
export const MAX_NAME_LENGTH = 63 - "-control-plane2".length;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function validateClusterName(name: string): string {
  if (!DNS_LABEL.test(name)) {
    throw new UsageError(
      `invalid cluster name "${name}": use lowercase letters, digits and "-", starting and ending with a letter or digit (a DNS-1123 label)`,
    );
  }
  if (name.length > MAX_NAME_LENGTH) {
    throw new UsageError(
      `invalid cluster name "${name}": at most ${MAX_NAME_LENGTH} characters, so that "${name}-control-plane2" fits the 63-character limit on node names`,
    );
  }
  return name;
}

/** Positional, else --name, else $KINA_CLUSTER, else "kina". */
export function pickClusterName(
  positional: string | undefined,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  fromConfig?: string,
): string {
  if (positional && flag && positional !== flag) {
    throw new UsageError(`cluster name given twice: "${positional}" and --name "${flag}"; give one`);
  }
  const name = positional ?? flag ?? env.KINA_CLUSTER ?? fromConfig ?? DEFAULT_CLUSTER_NAME;
  return validateClusterName(name);
}

/** `--timeout 10m` (every step) or `--timeout cni=30s` (one step); repeatable. */
export function parseTimeoutFlags(values: string[]): Partial<Record<StepId, number>> {
  const out: Partial<Record<StepId, number>> = {};
  for (const value of values) {
    const eq = value.indexOf("=");
    const durationText = eq >= 0 ? value.slice(eq + 1) : value;
    const ms = parseDuration(durationText);
    if (ms === undefined) {
      throw new UsageError(`--timeout ${value}: "${durationText}" is not a duration; use e.g. 90s, 5m, 1h`);
    }
    if (eq < 0) {
      for (const id of STEP_IDS) out[id] = ms;
      continue;
    }
    const step = resolveStep(value.slice(0, eq));
    if (!step) {
      throw new UsageError(
        `--timeout ${value}: unknown step "${value.slice(0, eq)}"; allowed: ${stepNamesForHelp()}${didYouMean(value.slice(0, eq), stepNames())}`,
      );
    }
    out[step] = ms;
  }
  return out;
}

/** Every step id and short name, for "did you mean". */
export function stepNames(): string[] {
  return STEP_IDS.flatMap((id) => [id, stepDef(id).short]);
}

export interface ResolveOptions {
  name: string;
  defaultImage: string;
  defaultKubernetesVersion: string;
  /** The Kubernetes versions kina offers and the node image each runs (images/node/versions.json). */
  offeredVersions?: Record<string, string>;
  /** `--kubernetes-version`: wins over the config file's `kubernetesVersion`. */
  kubernetesVersionOverride?: string;
  imageOverride?: string;
  timeoutFlags?: Partial<Record<StepId, number>>;
  kubeconfigTarget?: string;
  switchContext: boolean;
  warn: (message: string) => void;
  /** Relative extraMounts hostPaths resolve against this (default: the working directory, as kind). */
  cwd?: string;
}

function nodeNames(cluster: string, nodes: { role: "control-plane" | "worker" }[]): string[] {
  const counts = { "control-plane": 0, worker: 0 };
  return nodes.map((n) => {
    counts[n.role] += 1;
    const k = counts[n.role];
    return `${cluster}-${n.role}${k > 1 ? k : ""}`;
  });
}

/** The schema has checked the grammar; this turns it into whole MiB for `container run -m`. */
function memoryText(value: string | undefined, fallback: string): string {
  return memoryArg(parseSizeMiB(value ?? fallback)!);
}

export function resolveConfig(file: ClusterConfigFile | undefined, opts: ResolveOptions): ResolvedConfig {
  const raw = file?.nodes ?? [{ role: "control-plane" as const }];
  // kind orders control planes first; the first control plane is the one kubeadm init runs on.
  const sorted = [...raw.filter((n) => n.role === "control-plane"), ...raw.filter((n) => n.role !== "control-plane")];
  if (!sorted.some((n) => n.role === "control-plane")) {
    throw new UsageError("invalid config: nodes: must have at least one control-plane node");
  }
  const names = nodeNames(opts.name, sorted as { role: "control-plane" | "worker" }[]);
  const asked = opts.kubernetesVersionOverride ?? file?.kubernetesVersion;
  const version = asked ?? opts.defaultKubernetesVersion;
  const offered = opts.offeredVersions ?? { [opts.defaultKubernetesVersion]: opts.defaultImage };
  const pinnedImage = offered[version];
  // A version kina has no pinned image for is refused unless every node names its own image.
  const everyNodeHasImage = opts.imageOverride !== undefined || raw.every((n) => n.image);
  if (asked && !pinnedImage && !everyNodeHasImage) {
    const where = opts.kubernetesVersionOverride ? "--kubernetes-version" : "invalid config: kubernetesVersion";
    throw new UsageError(
      `${where}: ${asked} is not a version kina pins; offered: ${Object.keys(offered).join(", ")} ` +
        `(or give a node image of your own with --image, e.g. docker.io/kindest/node:${asked})`,
    );
  }
  const versionImage = pinnedImage ?? opts.defaultImage;

  const nodes: ResolvedNode[] = sorted.map((n, i) => {
    const cp = n.role === "control-plane";
    return {
      name: names[i]!,
      role: n.role,
      image: opts.imageOverride ?? n.image ?? versionImage,
      cpus: n.cpus ?? (cp ? 4 : 2),
      memory: memoryText(n.memory, cp ? "4g" : "2g"),
      labels: n.labels ?? {},
      kubeadmConfigPatches: n.kubeadmConfigPatches ?? [],
      kubeadmConfigPatchesJSON6902: n.kubeadmConfigPatchesJSON6902 ?? [],
      publish: hostPorts(`nodes[${i}]`, n.extraPortMappings, opts.warn),
      mounts: hostMounts(`nodes[${i}]`, n.extraMounts, opts.warn, opts.cwd ?? process.cwd()),
      ...(n.kernel !== undefined ? { kernel: nodeKernel(`nodes[${i}]`, n.kernel, opts.cwd ?? process.cwd())! } : {}),
    };
  });

  const net = file?.networking ?? {};
  assertNoPortCollisions(nodes, net.apiServerPort ?? 0);
  const cni = net.cni ?? (net.disableDefaultCNI ? "none" : "kindnet");
  if (net.disableDefaultCNI && net.cni && net.cni !== "none") {
    throw new UsageError(`invalid config: networking: disableDefaultCNI is true but cni is "${net.cni}"; drop one`);
  }
  const podSubnet = net.podSubnet ?? "10.244.0.0/16";
  const serviceSubnet = net.serviceSubnet ?? "10.96.0.0/16";
  checkSubnets({ value: podSubnet, given: net.podSubnet !== undefined }, { value: serviceSubnet, given: net.serviceSubnet !== undefined });
  if (file?.containerdConfigPatchesJSON6902?.length)
    opts.warn("containerdConfigPatchesJSON6902 is accepted for kind compatibility but not applied yet");

  // Only what was set: a step without an entry uses its registry default (src/engine timeoutOf).
  const timeoutsMs: Partial<Record<StepId, number>> = {};
  for (const [key, value] of Object.entries(file?.timeouts ?? {})) {
    timeoutsMs[resolveStep(key)!] = parseDuration(value)!;
  }
  Object.assign(timeoutsMs, opts.timeoutFlags ?? {});

  // The default StorageClass is on for every cluster, as in kind.
  const addons = new Set<AddonName>(["storage", ...(file?.addons ?? []).map((a) => (typeof a === "string" ? a : a.name))]);
  if (addons.has("ingress-nginx")) opts.warn(ADDONS["ingress-nginx"].warning!);
  const addonManifests: Partial<Record<AddonName, string>> = {};
  for (const a of file?.addons ?? []) {
    if (typeof a !== "string") addonManifests[a.name] = manifestSource(a.manifest, opts.cwd ?? process.cwd());
  }

  return {
    name: opts.name,
    kubernetesVersion: version,
    nodes,
    networking: {
      apiServerPort: net.apiServerPort ?? 0,
      podSubnet,
      serviceSubnet,
      kubeProxyMode: net.kubeProxyMode ?? "iptables",
      cni,
    },
    addons: [...addons],
    ...(Object.keys(addonManifests).length ? { addonManifests } : {}),
    timeoutsMs,
    featureGates: file?.featureGates ?? {},
    runtimeConfig: file?.runtimeConfig ?? {},
    kubeadmConfigPatches: file?.kubeadmConfigPatches ?? [],
    kubeadmConfigPatchesJSON6902: file?.kubeadmConfigPatchesJSON6902 ?? [],
    containerdConfigPatches: file?.containerdConfigPatches ?? [],
    kubeconfig: {
      ...(opts.kubeconfigTarget ? { target: opts.kubeconfigTarget } : {}),
      switchContext: opts.switchContext,
    },
  };
}

/** A user's manifest: an http(s) URL as given, a path made absolute (relative to the config's folder). */
export function manifestSource(source: string, cwd: string): string {
  return /^https?:\/\//.test(source) ? source : resolvePath(cwd, source);
}
