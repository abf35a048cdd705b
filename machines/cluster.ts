// The cluster machine: the bootstrap chain as data you can read as the diagram.
//
//   imageBuilt → vmRunning → kubeadmInit → kubeconfigExported → nodesJoined → untainted
//     → cniInstalled → addonsReady → ready
//   any step ──error──▶ failed ──RESUME / RETRY──▶ imageBuilt (done steps re-verify, see below)
//   ready ──RETRY──▶ imageBuilt
//
// Each step state invokes the one `runStep` actor with the step's id. What a step does, whether a
// completed step still holds (verify) and how progress is persisted are implementations the engine
// provides from outside (`machine.provide({ actors: { runStep } })`); this file has no I/O.
//
// Resume and retry both re-enter the chain at the first step: a step already done is re-verified
// and skipped when its result still holds, so a VM deleted behind kina's back is noticed and
// re-created instead of trusted. `forcedStep` marks the one step `kina retry STEP` re-runs even
// though it is done.

import { assign, fromPromise, setup } from "xstate";
import { STEPS, type SkipGuard, type StepId } from "./steps.js";

export interface Topology {
  controlPlanes: number;
  workers: number;
  cni: "kindnet" | "cilium" | "none";
}

export interface ClusterMachineContext {
  topology: Topology;
  /** Steps the topology leaves out, in the order they were passed. */
  skipped: StepId[];
  failedStep?: StepId;
  error?: string;
  /** Set by RETRY: this step runs even if it is done. */
  forcedStep?: StepId;
}

export type ClusterMachineEvent =
  | { type: "RESUME" }
  | { type: "RETRY"; step: StepId };

export interface RunStepInput {
  step: StepId;
  forced: boolean;
}

/** What the runStep actor resolves with: the step ran, or it still held and was skipped. */
export interface RunStepOutput {
  step: StepId;
  outcome: "ran" | "verified";
}

const guards: Record<SkipGuard, (args: { context: ClusterMachineContext }) => boolean> = {
  singleNode: ({ context }) => context.topology.controlPlanes + context.topology.workers <= 1,
  hasWorkers: ({ context }) => context.topology.workers > 0,
  noCni: ({ context }) => context.topology.cni === "none",
};

function nextTarget(index: number): string {
  const next = STEPS[index + 1];
  return next ? next.id : "ready";
}

function stepState(index: number) {
  const step = STEPS[index]!;
  const target = nextTarget(index);
  return {
    // Evaluated before the invoke starts: a step the topology leaves out never runs.
    ...(step.skipWhen
      ? {
          always: {
            guard: step.skipWhen,
            target,
            actions: assign({
              skipped: ({ context }: { context: ClusterMachineContext }) =>
                context.skipped.includes(step.id) ? context.skipped : [...context.skipped, step.id],
            }),
          },
        }
      : {}),
    invoke: {
      src: "runStep" as const,
      input: ({ context }: { context: ClusterMachineContext }): RunStepInput => ({
        step: step.id,
        forced: context.forcedStep === step.id,
      }),
      onDone: { target },
      onError: {
        target: "failed",
        actions: assign({
          failedStep: () => step.id,
          error: ({ event }: { event: { error: unknown } }) => errorMessage(event.error),
        }),
      },
    },
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const firstStep = STEPS[0]!.id;

const restart = {
  RESUME: {
    target: firstStep,
    actions: assign({ failedStep: undefined, error: undefined, forcedStep: undefined }),
  },
  RETRY: {
    target: firstStep,
    actions: assign({
      failedStep: undefined,
      error: undefined,
      forcedStep: ({ event }: { event: ClusterMachineEvent }) =>
        event.type === "RETRY" ? event.step : undefined,
    }),
  },
};

export const clusterMachine = setup({
  types: {
    context: {} as ClusterMachineContext,
    events: {} as ClusterMachineEvent,
    input: {} as { topology: Topology },
  },
  guards,
  actors: {
    // Placeholder: the engine provides the real implementation. Reaching this is a wiring bug.
    runStep: fromPromise<RunStepOutput, RunStepInput>(async () => {
      throw new Error("runStep actor not provided");
    }),
  },
}).createMachine({
  id: "cluster",
  initial: firstStep,
  context: ({ input }) => ({ topology: input.topology, skipped: [] }),
  states: {
    ...Object.fromEntries(STEPS.map((s, i) => [s.id, stepState(i)])),
    failed: { on: restart },
    ready: { on: { RETRY: restart.RETRY } },
  } as never,
});

export type ClusterMachine = typeof clusterMachine;

/** The machine's top-level state names, for code that reads persisted snapshots. */
export type ClusterStateName = StepId | "failed" | "ready";
