// The resolved config: what a cluster was created with, stored in state.json so resume and retry
// use the same settings even if the file changed since.

import { z } from "zod";
import { ADDONS, Json6902Patch as Json6902 } from "./schema.js";

/** A kind extraPortMapping as `container run --publish` takes it; hostPort 0 = a free port at boot. */
export const HostPort = z.object({
  hostAddress: z.string(),
  hostPort: z.number().int().min(0).max(65535),
  containerPort: z.number().int().min(1).max(65535),
  proto: z.enum(["tcp", "udp"]),
});
export type HostPort = z.infer<typeof HostPort>;

/** A kind extraMount; `kind` picks `--mount` (directories) or `--volume` (files). */
export const HostMount = z.object({
  hostPath: z.string(),
  containerPath: z.string(),
  readOnly: z.boolean(),
  kind: z.enum(["directory", "file"]),
});
export type HostMount = z.infer<typeof HostMount>;

export const ResolvedNode = z.object({
  name: z.string(),
  role: z.enum(["control-plane", "worker"]),
  image: z.string(),
  cpus: z.number().int(),
  memory: z.string(),
  labels: z.record(z.string(), z.string()),
  kubeadmConfigPatches: z.array(z.string()),
  // Defaults: configs stored by a kina from before these were applied.
  kubeadmConfigPatchesJSON6902: z.array(Json6902).default([]),
  publish: z.array(HostPort).default([]),
  mounts: z.array(HostMount).default([]),
  /** Absolute path of the node's own guest kernel; unset = container's default kernel. */
  kernel: z.string().optional(),
});
export type ResolvedNode = z.infer<typeof ResolvedNode>;

export const ResolvedConfig = z.object({
  name: z.string(),
  kubernetesVersion: z.string(),
  nodes: z.array(ResolvedNode).min(1),
  networking: z.object({
    apiServerPort: z.number().int(),
    podSubnet: z.string(),
    serviceSubnet: z.string(),
    kubeProxyMode: z.enum(["iptables", "nftables", "none"]),
    cni: z.enum(["kindnet", "cilium", "none"]),
  }),
  addons: z.array(z.enum(ADDONS)),
  /** The user's own manifest per addon (an absolute path or an http(s) URL), instead of kina's pinned one. */
  addonManifests: z.partialRecord(z.enum(ADDONS), z.string()).optional(),
  /** Per step id, only those the user set; the rest use the registry's defaults. Keys stay open so
   * a config stored by an older kina still reads after steps are added. */
  timeoutsMs: z.record(z.string(), z.number().int().positive()),
  featureGates: z.record(z.string(), z.boolean()),
  runtimeConfig: z.record(z.string(), z.string()),
  kubeadmConfigPatches: z.array(z.string()),
  kubeadmConfigPatchesJSON6902: z.array(Json6902).default([]),
  containerdConfigPatches: z.array(z.string()),
  kubeconfig: z.object({
    /** Explicit file from --kubeconfig; else the first of $KUBECONFIG or ~/.kube/config at export time. */
    target: z.string().optional(),
    switchContext: z.boolean(),
  }),
});
export type ResolvedConfig = z.infer<typeof ResolvedConfig>;
