// The cluster machine, generated from the workflow registry (machines/workflows.ts). Read as the
// diagram:
//
//   bootstrap ──▶ ready ──STOP──▶ stop ──▶ stopped ──START / RESUME──▶ start ──▶ ready
//       │           ├──VMS_STOPPED (found stopped behind kina's back)──▶ stopped
//       │           ├──INSTALL / UNINSTALL ADDON──▶ install-ADDON / uninstall-ADDON ──▶ ready
//       │           └──RETRY STEP──▶ bootstrap (that step forced, the rest re-verified)
//       └─ any step fails ──▶ failed ──RESUME──▶ the failed chain, from its first step
//                                    ──RETRY STEP──▶ the chain holding STEP
//                                    ──START / STOP──▶ start / stop (after a failed start or stop)
//
// A chain is a compound state holding one state per step, in order; every step is
//
//   checking ──(done before and its result still holds)──▶ done
//      │  └──(the topology leaves it out)──▶ skipped
//      └──(not done, forced, or its result vanished)──▶ running ──▶ done
//
// so "verify before skip" is a state, not an `if`. What checking and running do is provided from
// outside (`machine.provide({ actors: { checkStep, runStep } })`): this file has no I/O. It
// *emits* what happened to each step (`step.running`, `step.done`, …) so one subscriber can record
// it; the settled states (ready, stopped, failed) carry the tag `settled` the engine waits for.

import { assign, emit, fromPromise, setup } from "xstate";
import {
  CHAIN_IDS,
  CHAINS,
  SKIP_REASONS,
  addonChain,
  chainSteps,
  type AddonName,
  type ChainId,
  type SkipGuard,
  type StepId,
} from "./workflows.js";

export interface Topology {
  controlPlanes: number;
  workers: number;
  cni: "kindnet" | "cilium" | "none";
}

export interface StepRef {
  chain: ChainId;
  step: StepId;
}

/** Why the cluster is in `failed`: the step, and the error it ended with. Plain data: persisted. */
export interface Failure extends StepRef {
  error: string;
  hint?: string;
  /** Ctrl-C or SIGTERM ended the step, not the step itself. */
  interrupted?: boolean;
}

export interface ClusterMachineContext {
  topology: Topology;
  /** Set by RETRY: this step runs even though it is done. Cleared once it has run. */
  forced?: StepRef;
  /** Why the step now entering `running` runs (from `checking`). */
  reason?: string;
  failure?: Failure;
}

export type ClusterMachineEvent =
  | { type: "RESUME" }
  | { type: "RETRY"; step: StepId }
  | { type: "START" }
  | { type: "STOP" }
  | { type: "INSTALL"; addon: AddonName }
  | { type: "UNINSTALL"; addon: AddonName }
  /** Observed, not asked for: the VMs of a ready cluster were found stopped (a Mac restart). */
  | { type: "VMS_STOPPED" };

export interface StepInput extends StepRef {
  forced: boolean;
}

/** What `checkStep` decides for a step: it still holds (skip it) or it must run, and why. */
export type CheckOutput = { holds: true } | { holds: false; reason: string };

/** How the provided actors reject: plain data, so the machine can keep it in its context. */
export interface StepRejection {
  message: string;
  hint?: string;
  interrupted?: boolean;
}

/** What the machine tells its subscriber about each step. */
export type StepEvent =
  | ({ type: "step.running"; reason: string } & StepRef)
  | ({ type: "step.done"; outcome: "ran" | "verified" } & StepRef)
  | ({ type: "step.skipped"; reason: string } & StepRef)
  | ({ type: "step.failed" } & Failure);

type Ctx = { context: ClusterMachineContext };

export const topologyGuards: Record<SkipGuard, (t: Topology) => boolean> = {
  singleNode: (t) => t.controlPlanes + t.workers <= 1,
  hasWorkers: (t) => t.workers > 0,
  noCni: (t) => t.cni === "none",
};

/** The steps of a chain the topology leaves out, with the sentence to show. */
export function skippedSteps(chain: ChainId, topology: Topology): Map<StepId, string> {
  const out = new Map<StepId, string>();
  for (const s of chainSteps(chain)) {
    if (s.skipWhen && topologyGuards[s.skipWhen](topology)) out.set(s.id, SKIP_REASONS[s.skipWhen]);
  }
  return out;
}

function failureOf(ref: StepRef, error: unknown): Failure {
  if (error && typeof error === "object" && typeof (error as StepRejection).message === "string") {
    const e = error as StepRejection;
    return { ...ref, error: e.message, ...(e.hint ? { hint: e.hint } : {}), ...(e.interrupted ? { interrupted: true } : {}) };
  }
  return { ...ref, error: String(error) };
}

function isForced(context: ClusterMachineContext, ref: StepRef): boolean {
  return context.forced?.chain === ref.chain && context.forced.step === ref.step;
}

function failTo(ref: StepRef) {
  return {
    target: "#cluster.failed",
    actions: [
      assign({ failure: ({ event }: { event: { error: unknown } }) => failureOf(ref, event.error) }),
      emit(({ context }: Ctx) => ({ type: "step.failed", ...context.failure! }) as StepEvent),
    ],
  };
}

function stepState(chain: ChainId, index: number) {
  const steps = chainSteps(chain);
  const { id, skipWhen } = steps[index]!;
  const ref: StepRef = { chain, step: id };
  const next = steps[index + 1]?.id ?? "complete";
  const input = ({ context }: Ctx): StepInput => ({ ...ref, forced: isForced(context, ref) });
  return {
    initial: "checking",
    onDone: { target: next },
    states: {
      checking: {
        // Evaluated before the check starts: a step the topology leaves out never runs.
        ...(skipWhen ? { always: { guard: ({ context }: Ctx) => topologyGuards[skipWhen](context.topology), target: "skipped" } } : {}),
        invoke: {
          src: "checkStep",
          input,
          onDone: [
            {
              guard: ({ event }: { event: { output: CheckOutput } }) => event.output.holds,
              target: "done",
              actions: emit({ type: "step.done", ...ref, outcome: "verified" } as StepEvent),
            },
            {
              target: "running",
              actions: assign({
                reason: ({ event }: { event: { output: CheckOutput } }) => (event.output.holds ? undefined : event.output.reason),
              }),
            },
          ],
          onError: failTo(ref),
        },
      },
      running: {
        entry: emit(({ context }: Ctx) => ({ type: "step.running", ...ref, reason: context.reason ?? "first run" }) as StepEvent),
        invoke: {
          src: "runStep",
          input,
          onDone: {
            target: "done",
            actions: [
              assign({ forced: ({ context }: Ctx) => (isForced(context, ref) ? undefined : context.forced), reason: undefined }),
              emit({ type: "step.done", ...ref, outcome: "ran" } as StepEvent),
            ],
          },
          onError: failTo(ref),
        },
      },
      skipped: {
        type: "final" as const,
        entry: emit({ type: "step.skipped", ...ref, reason: skipWhen ? SKIP_REASONS[skipWhen] : "" } as StepEvent),
      },
      done: { type: "final" as const },
    },
  };
}

function chainState(chain: ChainId) {
  const steps = chainSteps(chain);
  return {
    initial: steps[0]!.id,
    onDone: { target: `#cluster.${CHAINS[chain].then}` },
    states: {
      ...Object.fromEntries(steps.map((s, i) => [s.id, stepState(chain, i)])),
      complete: { type: "final" as const },
    },
  };
}

const clearFailure = assign({ failure: undefined, forced: undefined, reason: undefined });

/** RETRY STEP: into the chain that holds STEP, with STEP forced. */
function retryInto(chain: ChainId, when: (context: ClusterMachineContext) => boolean = () => true) {
  return {
    guard: ({ context, event }: { context: ClusterMachineContext; event: ClusterMachineEvent }) =>
      event.type === "RETRY" && chainSteps(chain).some((s) => s.id === event.step) && when(context),
    target: chain,
    actions: assign({
      failure: undefined,
      reason: undefined,
      forced: ({ event }: { event: ClusterMachineEvent }) => (event.type === "RETRY" ? { chain, step: event.step } : undefined),
    }),
  };
}

/** INSTALL / UNINSTALL ADDON: into that addon's chain. */
function addonInto(kind: "install" | "uninstall") {
  return CHAIN_IDS.filter((c) => CHAINS[c].addon !== undefined && c === addonChain(kind, CHAINS[c].addon!)).map((c) => ({
    guard: ({ event }: { event: ClusterMachineEvent }) => (event.type === "INSTALL" || event.type === "UNINSTALL") && event.addon === CHAINS[c].addon,
    target: c,
  }));
}

const failedIn =
  (...chains: ChainId[]) =>
  ({ context }: Ctx) =>
    context.failure !== undefined && chains.includes(context.failure.chain);

export const clusterMachine = setup({
  types: {
    context: {} as ClusterMachineContext,
    events: {} as ClusterMachineEvent,
    input: {} as { topology: Topology },
    emitted: {} as StepEvent,
  },
  actors: {
    // Placeholders: the engine provides the real implementations. Reaching these is a wiring bug.
    checkStep: fromPromise<CheckOutput, StepInput>(async () => {
      throw new Error("checkStep actor not provided");
    }),
    runStep: fromPromise<void, StepInput>(async () => {
      throw new Error("runStep actor not provided");
    }),
  },
}).createMachine({
  id: "cluster",
  initial: "bootstrap",
  context: ({ input }) => ({ topology: input.topology }),
  states: {
    ...Object.fromEntries(CHAIN_IDS.map((c) => [c, chainState(c)])),
    ready: {
      tags: ["settled"],
      on: {
        RETRY: retryInto("bootstrap"),
        STOP: { target: "stop" },
        VMS_STOPPED: { target: "stopped" },
        INSTALL: addonInto("install"),
        UNINSTALL: addonInto("uninstall"),
      },
    },
    stopped: {
      tags: ["settled"],
      on: { START: { target: "start" }, RESUME: { target: "start" } },
    },
    failed: {
      tags: ["settled"],
      on: {
        RESUME: CHAIN_IDS.map((c) => ({ guard: failedIn(c), target: c, actions: clearFailure })),
        // Into the failed chain: `kina retry ready` after a failed start re-runs that step there.
        RETRY: CHAIN_IDS.map((c) => retryInto(c, (context) => context.failure?.chain === c)),
        // A failed start or stop can be finished either way; a failed bootstrap cannot be stopped
        // or started as if it were a cluster (resume or delete it).
        START: { guard: failedIn("start", "stop"), target: "start", actions: clearFailure },
        STOP: { guard: failedIn("start", "stop"), target: "stop", actions: clearFailure },
      },
    },
  } as never,
});
