// The bootstrap steps, in order: the one table the machine, the CLI and `status` read.
// Pure data: no I/O, nothing heavy to import.

export const STEP_IDS = [
  "imageBuilt",
  "vmRunning",
  "kubeadmInit",
  "kubeconfigExported",
  "nodesJoined",
  "untainted",
  "cniInstalled",
  "addonsReady",
] as const;

export type StepId = (typeof STEP_IDS)[number];

/** Why a step is left out for some clusters; the machine's guards have the same names. */
export type SkipGuard = "singleNode" | "hasWorkers" | "noCni";

export interface StepInfo {
  id: StepId;
  /** The name used on the command line (`kina retry cni`). */
  short: string;
  /** What the step does, one line, for `--help` and `status`. */
  title: string;
  skipWhen?: SkipGuard;
}

export const STEPS: readonly StepInfo[] = [
  { id: "imageBuilt", short: "image", title: "node image present" },
  { id: "vmRunning", short: "vm", title: "node VMs running and prepared" },
  { id: "kubeadmInit", short: "kubeadm", title: "kubeadm init on the first control plane" },
  { id: "kubeconfigExported", short: "kubeconfig", title: "kubeconfig exported and API reachable" },
  { id: "nodesJoined", short: "join", title: "other nodes joined", skipWhen: "singleNode" },
  { id: "untainted", short: "untaint", title: "control-plane taint removed", skipWhen: "hasWorkers" },
  { id: "cniInstalled", short: "cni", title: "CNI installed, nodes Ready", skipWhen: "noCni" },
  { id: "addonsReady", short: "addons", title: "storage, CoreDNS and addons available" },
];

/** The sentence `status` and `resume --dry-run` print for a skipped step. */
export const SKIP_REASONS: Record<SkipGuard, string> = {
  singleNode: "one-node cluster: nothing to join",
  hasWorkers: "the cluster has workers: control planes keep their taint",
  noCni: "networking.cni is none: install your own CNI; nodes stay NotReady until then",
};

export function stepInfo(id: StepId): StepInfo {
  const info = STEPS.find((s) => s.id === id);
  if (!info) throw new Error(`unknown step ${id}`);
  return info;
}

/** Resolves a step id or short name (`cni`, `cniInstalled`); undefined when it is neither. */
export function resolveStep(name: string): StepId | undefined {
  const lower = name.toLowerCase();
  return STEPS.find((s) => s.id.toLowerCase() === lower || s.short === lower)?.id;
}

export function stepNamesForHelp(): string {
  return STEPS.map((s) => `${s.short} (${s.id})`).join(", ");
}
