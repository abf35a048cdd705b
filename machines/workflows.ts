// The workflow registry: every checkpointed step kina knows and the named chains that run them.
// Pure data, nothing heavy to import. Everything else that lists steps derives from here: the
// cluster machine (machines/cluster.ts), the CLI's step names, `status` rows, `timeouts:`
// validation and the state schema. Adding a step is one entry below plus its implementation in
// src/steps/<kebab-case id>.ts (exporting `step`); nothing else lists steps.

export type SkipGuard = "singleNode" | "hasWorkers" | "noCni";

export interface StepDef {
  /** The name on the command line (`kina retry cni`, `timeouts: { cni: 10m }`). */
  short: string;
  /** What the step does, one line, for `--help` and `status`. */
  title: string;
  defaultTimeoutMs: number;
}

const MINUTE = 60_000;

/** Addons kina installs; each has an install and an uninstall chain (`kina install NAME`). */
export const ADDON_NAMES = ["storage", "metrics-server", "gateway", "loadbalancer", "ingress-nginx"] as const;
export type AddonName = (typeof ADDON_NAMES)[number];

export const STEP_DEFS = {
  // bootstrap
  imageBuilt: { short: "image", title: "node image present", defaultTimeoutMs: 20 * MINUTE }, // a cold build or pull
  vmRunning: { short: "vm", title: "node VMs running and prepared", defaultTimeoutMs: 5 * MINUTE },
  kubeadmInit: { short: "kubeadm", title: "kubeadm init on the first control plane", defaultTimeoutMs: 6 * MINUTE },
  kubeconfigExported: { short: "kubeconfig", title: "kubeconfig exported and API reachable", defaultTimeoutMs: 2 * MINUTE },
  nodesJoined: { short: "join", title: "other nodes joined", defaultTimeoutMs: 6 * MINUTE },
  untainted: { short: "untaint", title: "control-plane taint removed", defaultTimeoutMs: 1 * MINUTE },
  cniInstalled: { short: "cni", title: "CNI installed, nodes Ready", defaultTimeoutMs: 6 * MINUTE },
  addonsReady: { short: "addons", title: "storage, CoreDNS and addons available", defaultTimeoutMs: 8 * MINUTE },
  // stop
  vmsStopped: { short: "stop", title: "node VMs stopped", defaultTimeoutMs: 3 * MINUTE },
  // start
  vmsStarted: { short: "boot", title: "node VMs started and prepared", defaultTimeoutMs: 5 * MINUTE },
  addressesHealed: { short: "heal", title: "every node resolves the control plane and the nodes at their new addresses", defaultTimeoutMs: 2 * MINUTE },
  nodesReady: { short: "ready", title: "API answers and every node is Ready", defaultTimeoutMs: 5 * MINUTE },
  // addon install / uninstall (the addon is the chain's)
  addonApplied: { short: "apply", title: "addon objects applied", defaultTimeoutMs: 2 * MINUTE },
  addonAvailable: { short: "available", title: "addon workloads available", defaultTimeoutMs: 5 * MINUTE },
  addonRemoved: { short: "remove", title: "addon objects deleted", defaultTimeoutMs: 2 * MINUTE },
} as const satisfies Record<string, StepDef>;

export type StepId = keyof typeof STEP_DEFS;
export const STEP_IDS = Object.keys(STEP_DEFS) as StepId[];

export interface ChainStep {
  id: StepId;
  /** The topology guard that leaves the step out (machines/cluster.ts implements the guards). */
  skipWhen?: SkipGuard;
}

/** Where a cluster settles: the machine's top-level resting states. */
export type SettledState = "ready" | "stopped" | "failed";

export interface ChainDef {
  /** What `status` calls the cluster while this chain runs. */
  phase: "bootstrapping" | "starting" | "stopping" | "installing" | "uninstalling";
  /** Where the cluster rests when the chain completes. */
  then: Exclude<SettledState, "failed">;
  steps: readonly ChainStep[];
  /** The addon an install/uninstall chain is for. */
  addon?: AddonName;
}

export type ChainId = "bootstrap" | "stop" | "start" | `install-${AddonName}` | `uninstall-${AddonName}`;

function addonChains(): Record<`install-${AddonName}` | `uninstall-${AddonName}`, ChainDef> {
  const out: Record<string, ChainDef> = {};
  for (const addon of ADDON_NAMES) {
    out[`install-${addon}`] = { phase: "installing", then: "ready", addon, steps: [{ id: "addonApplied" }, { id: "addonAvailable" }] };
    out[`uninstall-${addon}`] = { phase: "uninstalling", then: "ready", addon, steps: [{ id: "addonRemoved" }] };
  }
  return out as Record<`install-${AddonName}` | `uninstall-${AddonName}`, ChainDef>;
}

export const CHAINS: Record<ChainId, ChainDef> = {
  bootstrap: {
    phase: "bootstrapping",
    then: "ready",
    steps: [
      { id: "imageBuilt" },
      { id: "vmRunning" },
      { id: "kubeadmInit" },
      { id: "kubeconfigExported" },
      { id: "nodesJoined", skipWhen: "singleNode" },
      { id: "untainted", skipWhen: "hasWorkers" },
      { id: "cniInstalled", skipWhen: "noCni" },
      { id: "addonsReady" },
    ],
  },
  stop: { phase: "stopping", then: "stopped", steps: [{ id: "vmsStopped" }] },
  start: { phase: "starting", then: "ready", steps: [{ id: "vmsStarted" }, { id: "addressesHealed" }, { id: "nodesReady" }] },
  ...addonChains(),
};

export const CHAIN_IDS = Object.keys(CHAINS) as ChainId[];

/** The chain that installs or uninstalls an addon. */
export function addonChain(kind: "install" | "uninstall", addon: AddonName): ChainId {
  return `${kind}-${addon}`;
}

/** The addon an install or uninstall chain is for. */
export function addonOfChain(chain: ChainId): AddonName {
  const addon = CHAINS[chain].addon;
  if (!addon) throw new Error(`chain ${chain} is not an addon chain`);
  return addon;
}

/** The sentence `status` and `resume --dry-run` print for a skipped step. */
export const SKIP_REASONS: Record<SkipGuard, string> = {
  singleNode: "one-node cluster: nothing to join",
  hasWorkers: "the cluster has workers: control planes keep their taint",
  noCni: "networking.cni is none: install your own CNI; nodes stay NotReady until then",
};

/**
 * A fingerprint of the chains' shape, stored beside the machine snapshot. A snapshot written
 * under another shape is not restored as-is (its state names may not exist any more): kina
 * re-enters it from its position instead (see src/engine/restore.ts).
 */
export const WORKFLOW_VERSION = fingerprint(
  CHAIN_IDS.map((c) => `${c}:${chainSteps(c).map((s) => `${s.id}${s.skipWhen ? `?${s.skipWhen}` : ""}`).join(",")}`).join(";"),
);

function fingerprint(text: string): string {
  // FNV-1a, 32 bit: short, stable, no crypto import on the status path.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

export function chainSteps(chain: ChainId): readonly ChainStep[] {
  return CHAINS[chain].steps;
}

export function stepDef(id: StepId): StepDef {
  return STEP_DEFS[id];
}

export function isStepId(name: string): name is StepId {
  return Object.hasOwn(STEP_DEFS, name);
}

/** Resolves a step id or short name (`cni`, `cniInstalled`), in any chain; undefined when neither. */
export function resolveStep(name: string): StepId | undefined {
  const lower = name.toLowerCase();
  return STEP_IDS.find((id) => id.toLowerCase() === lower || STEP_DEFS[id].short === lower);
}

/** The chains that contain a step, in registry order. */
export function chainsOf(step: StepId): ChainId[] {
  return CHAIN_IDS.filter((c) => chainSteps(c).some((s) => s.id === step));
}

/** "image (imageBuilt), vm (vmRunning), …" for help texts and errors. */
export function stepNamesForHelp(chain?: ChainId): string {
  const ids = chain ? chainSteps(chain).map((s) => s.id) : STEP_IDS;
  return ids.map((id) => `${STEP_DEFS[id].short} (${id})`).join(", ");
}

/** "image, vm, kubeadm, …": every step's short name, for `timeouts:` errors. */
export function stepShortNames(): string {
  return STEP_IDS.map((id) => STEP_DEFS[id].short).join(", ");
}

/** The step's implementation module, by convention: src/steps/<kebab-case id>.js. */
export function stepModuleName(id: StepId): string {
  return id.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
