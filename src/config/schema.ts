// The cluster config file: kina's `kina.x-k8s.io/v1alpha4` and kind's `kind.x-k8s.io/v1alpha4`,
// which is accepted unchanged. Unknown fields are errors (like kind's strict decode); each error
// names the field path and what is allowed.

import { z } from "zod";
import { ADDON_NAMES as ADDONS, resolveStep, stepShortNames } from "../../machines/workflows.js";
import { stepNames } from "./resolve.js";
import { MIN_MEMORY_MIB, parseSizeMiB, SIZE_FORMS } from "./size.js";
import { parseDuration } from "./duration.js";
import { didYouMean } from "./near.js";

export { nearestName } from "./near.js";

export const API_VERSIONS = ["kina.x-k8s.io/v1alpha4", "kind.x-k8s.io/v1alpha4"] as const;
// metrics-server and ingress-nginx (DESIGN.md §7) need pinned, checksummed manifests; until they
// ship, asking for them is an error rather than a silent no-op.
export { ADDON_NAMES as ADDONS, type AddonName } from "../../machines/workflows.js";

const cidr = z
  .string()
  .regex(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/, "must be an IPv4 CIDR such as 10.244.0.0/16")
  .refine(
    (s) => {
      const [addr, bits] = s.split("/");
      return addr!.split(".").every((o) => Number(o) <= 255) && Number(bits) <= 32;
    },
    { message: "must be an IPv4 CIDR such as 10.244.0.0/16" },
  );

const memory = z.unknown().superRefine((value, ctx) => {
  const mib = typeof value === "string" ? parseSizeMiB(value) : undefined;
  if (mib === undefined) {
    ctx.addIssue({ code: "custom", message: `must be a size with a unit: ${SIZE_FORMS}` });
  } else if (mib < MIN_MEMORY_MIB) {
    ctx.addIssue({ code: "custom", message: `must be at least ${MIN_MEMORY_MIB}m (Apple container's minimum)` });
  }
}) as unknown as z.ZodType<string>;

const stringMap = z.record(z.string(), z.string());
const patchList = z.array(z.string());
/** kind's JSON 6902 patch of a kubeadm document; the resolved config keeps the same shape. */
export const Json6902Patch = z.strictObject({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  patch: z.string(),
});
const json6902 = z.array(Json6902Patch);

export const NodeConfig = z.strictObject({
  role: z.enum(["control-plane", "worker"]).default("control-plane"),
  image: z.string().min(1).optional(),
  labels: stringMap.optional(),
  kubeadmConfigPatches: patchList.optional(),
  kubeadmConfigPatchesJSON6902: json6902.optional(),
  // kind fields kina accepts so kind files load unchanged; see resolve.ts for what is honoured.
  extraMounts: z
    .array(
      z.strictObject({
        containerPath: z.string(),
        hostPath: z.string(),
        readOnly: z.boolean().optional(),
        selinuxRelabel: z.boolean().optional(),
        propagation: z.enum(["None", "HostToContainer", "Bidirectional"]).optional(),
      }),
    )
    .optional(),
  extraPortMappings: z
    .array(
      z.strictObject({
        containerPort: z.number().int().min(0).max(65535),
        hostPort: z.number().int().min(-1).max(65535).optional(),
        listenAddress: z.string().optional(),
        protocol: z.enum(["TCP", "UDP", "SCTP"]).optional(),
      }),
    )
    .optional(),
  cpus: z.number().int().min(1).max(64).optional(),
  memory: memory.optional(),
  /** A guest kernel file for this node (`container run --kernel`), e.g. one Cilium can run on. */
  kernel: z.string().min(1).optional(),
});

export const NetworkingConfig = z.strictObject({
  ipFamily: z.enum(["ipv4"], { message: "kina supports ipv4 only (Apple container has no IPv6 on macOS 15)" }).optional(),
  apiServerAddress: z.literal("127.0.0.1", { message: "kina publishes the API on 127.0.0.1 only" }).optional(),
  apiServerPort: z.number().int().min(0).max(65535).optional(),
  podSubnet: cidr.optional(),
  serviceSubnet: cidr.optional(),
  disableDefaultCNI: z.boolean().optional(),
  kubeProxyMode: z
    .enum(["iptables", "nftables", "none"], {
      message: "allowed: iptables, nftables, none (ipvs needs kernel options Apple's kernels lack)",
    })
    .optional(),
  cni: z.enum(["kindnet", "cilium", "none"]).optional(),
  dnsSearch: z.array(z.string()).nullable().optional(),
});

const timeoutValue = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'must be a duration such as "90s", "5m" or "1h"',
});

const AddonWithManifest = z.strictObject({ name: z.enum(ADDONS), manifest: z.string().min(1) });

/** One message for an addon entry that is neither a name nor { name, manifest }. */
function addonEntryError(issue: { input?: unknown }): string {
  const allowed = `allowed: ${ADDONS.join(", ")}, or { name: ADDON, manifest: FILE|URL }`;
  const v = issue.input;
  if (typeof v === "string") return `unknown addon "${v}"; ${allowed}${didYouMean(v, ADDONS)}`;
  if (v && typeof v === "object" && !Array.isArray(v)) {
    const keys = Object.keys(v).filter((k) => k !== "name" && k !== "manifest");
    if (keys.length) return `unknown field${keys.length > 1 ? "s" : ""} ${keys.join(", ")} in an addon entry; ${allowed}`;
    const name = (v as { name?: unknown }).name;
    if (typeof name !== "string" || !(ADDONS as readonly string[]).includes(name)) return `unknown addon ${JSON.stringify(name)}; ${allowed}`;
    return `manifest must be a non-empty file path or URL; ${allowed}`;
  }
  return `must be an addon name or { name, manifest }; ${allowed}`;
}

export const ClusterConfigFile = z.strictObject({
  apiVersion: z.enum(API_VERSIONS),
  kind: z.literal("Cluster"),
  name: z.string().optional(),
  nodes: z.array(NodeConfig).min(1).optional(),
  networking: NetworkingConfig.optional(),
  kubernetesVersion: z
    .string()
    .regex(/^v\d+\.\d+\.\d+([-+].*)?$/, 'must look like "v1.35.5"')
    .optional(),
  /** Addon names, or `{ name, manifest }` to install an addon from the user's own manifest (a path or URL). */
  addons: z.array(z.union([z.enum(ADDONS), AddonWithManifest], { error: addonEntryError })).optional(),
  timeouts: z
    .record(z.string(), timeoutValue)
    .superRefine((record, ctx) => {
      for (const key of Object.keys(record)) {
        if (!resolveStep(key)) {
          ctx.addIssue({
            code: "custom",
            path: [key],
            message: `unknown step; allowed: ${stepShortNames()} (or their step ids)${didYouMean(key, stepNames())}`,
          });
        }
      }
    })
    .optional(),
  featureGates: z.record(z.string(), z.boolean()).optional(),
  runtimeConfig: stringMap.optional(),
  kubeadmConfigPatches: patchList.optional(),
  kubeadmConfigPatchesJSON6902: json6902.optional(),
  containerdConfigPatches: patchList.optional(),
  containerdConfigPatchesJSON6902: patchList.optional(),
});
export type ClusterConfigFile = z.infer<typeof ClusterConfigFile>;

/** `nodes[0].cpu`: the field path as a user reads it, array indexes in brackets. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : `${out ? "." : ""}${String(part)}`;
  return out || "(top level)";
}

/** The object schema at `path` inside the config file schema (through arrays and optionals). */
function objectAt(path: readonly PropertyKey[]): Record<string, z.ZodType> | undefined {
  let node = ClusterConfigFile as z.ZodType;
  const unwrap = (t: z.ZodType): z.ZodType => {
    let cur = t as z.ZodType & { _zod: { def: { type: string; innerType?: z.ZodType } } };
    while (["optional", "default", "nullable"].includes(cur._zod.def.type) && cur._zod.def.innerType) {
      cur = cur._zod.def.innerType as typeof cur;
    }
    return cur;
  };
  for (const part of path) {
    const def = (unwrap(node) as unknown as { _zod: { def: { type: string; element?: z.ZodType; shape?: Record<string, z.ZodType> } } })._zod.def;
    if (def.type === "array" && typeof part === "number" && def.element) node = def.element;
    else if (def.type === "object" && def.shape && typeof part === "string" && def.shape[part]) node = def.shape[part];
    else return undefined;
  }
  const def = (unwrap(node) as unknown as { _zod: { def: { type: string; shape?: Record<string, z.ZodType> } } })._zod.def;
  return def.type === "object" ? def.shape : undefined;
}

function quoted(value: unknown): string {
  return typeof value === "string" ? `"${value}"` : JSON.stringify(value) ?? String(value);
}

/**
 * One line per problem, naming the field, echoing the bad value and what is allowed:
 * `nodes[0].role: invalid value "master"; allowed: control-plane, worker`,
 * `nodes[0].cpu: unknown field; did you mean "cpus"?`. Parse with `reportInput: true` for the values.
 */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const path = fieldPath(issue.path);
    switch (issue.code) {
      case "unrecognized_keys": {
        const allowed = Object.keys(objectAt(issue.path) ?? {});
        return issue.keys.map((key) => {
          const near = didYouMean(key, allowed);
          const tail = near || (allowed.length ? `; allowed: ${allowed.join(", ")}` : "");
          return `${fieldPath([...issue.path, key])}: unknown field${tail}`;
        });
      }
      case "invalid_value": {
        const given = issue.input === undefined ? "" : ` ${quoted(issue.input)}`;
        const allowed = issue.values.map((v) => String(v));
        const hint = typeof issue.input === "string" ? didYouMean(issue.input, allowed) : "";
        return issue.message.startsWith("allowed") || issue.message.startsWith("kina ")
          ? `${path}: invalid value${given}; ${issue.message}${hint}`
          : `${path}: invalid value${given}; allowed: ${allowed.join(", ")}${hint}`;
      }
      case "invalid_type":
        return issue.input === undefined
          ? `${path}: required`
          : `${path}: expected ${issue.expected}, got ${quoted(issue.input)}`;
      default:
        return issue.input !== undefined && typeof issue.input !== "object"
          ? `${path}: ${issue.message} (got ${quoted(issue.input)})`
          : `${path}: ${issue.message}`;
    }
  });
}

/**
 * Fields kina reads that kind's `kind.x-k8s.io/v1alpha4` does not have: real kind refuses a file
 * that uses them. Paths as `fieldPath` prints them.
 */
export function kinaOnlyFields(file: ClusterConfigFile): string[] {
  const out: string[] = [];
  for (const key of ["kubernetesVersion", "addons", "timeouts"] as const) if (file[key] !== undefined) out.push(key);
  if (file.networking?.cni !== undefined) out.push("networking.cni");
  file.nodes?.forEach((n, i) => {
    for (const key of ["cpus", "memory", "kernel"] as const) if (n[key] !== undefined) out.push(fieldPath(["nodes", i, key]));
  });
  return out;
}
