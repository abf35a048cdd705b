// Where a persisted cluster machine stands, read from its snapshot without XState: the one
// accessor `status`, `resume` and the engine use (the snapshot's `value` is nested:
// `{ bootstrap: { kubeadmInit: "running" } }`, or a settled state name such as "ready").

import type { Failure } from "./cluster.js";
import { CHAINS, isStepId, type ChainDef, type ChainId, type SettledState, type StepId } from "./workflows.js";

export type StepStage = "checking" | "running" | "done" | "skipped";

export type Position =
  | { kind: "settled"; state: SettledState; failure?: Failure }
  /** Inside a chain: a snapshot on disk in this shape with no live kina process was interrupted. */
  | { kind: "chain"; chain: ChainId; step: StepId; stage: StepStage }
  /** No snapshot yet (a create that has written its first state but not started). */
  | { kind: "new" };

export type Phase = ChainDef["phase"] | SettledState;

const SETTLED: readonly string[] = ["ready", "stopped", "failed"];

export function positionOf(snapshot: unknown): Position {
  const s = snapshot as { value?: unknown; context?: { failure?: Failure } } | undefined;
  const value = s?.value;
  if (value === undefined) return { kind: "new" };
  if (typeof value === "string") {
    if (!SETTLED.includes(value)) throw new PositionError(`unknown machine state "${value}"`);
    const failure = value === "failed" ? s?.context?.failure : undefined;
    return { kind: "settled", state: value as SettledState, ...(failure ? { failure } : {}) };
  }
  if (typeof value !== "object" || value === null) throw new PositionError("machine state is neither a name nor an object");
  const [chain, inner] = Object.entries(value)[0] ?? [];
  if (!chain || !Object.hasOwn(CHAINS, chain)) throw new PositionError(`unknown chain "${chain}"`);
  const [step, stage] = typeof inner === "object" && inner !== null ? (Object.entries(inner)[0] ?? []) : [inner, "checking"];
  if (typeof step !== "string" || step === "complete") return { kind: "chain", chain: chain as ChainId, step: lastStep(chain as ChainId), stage: "done" };
  if (!isStepId(step)) throw new PositionError(`unknown step "${step}" in chain ${chain}`);
  const known: StepStage[] = ["checking", "running", "done", "skipped"];
  return { kind: "chain", chain: chain as ChainId, step, stage: known.includes(stage as StepStage) ? (stage as StepStage) : "checking" };
}

function lastStep(chain: ChainId): StepId {
  const steps = CHAINS[chain].steps;
  return steps[steps.length - 1]!.id;
}

export function phaseOf(position: Position): Phase {
  switch (position.kind) {
    case "new":
      return "bootstrapping";
    case "settled":
      return position.state;
    case "chain":
      return CHAINS[position.chain].phase;
  }
}

export class PositionError extends Error {
  constructor(detail: string) {
    super(`the cluster's saved machine state cannot be read: ${detail}`);
    this.name = "PositionError";
  }
}
