// The state file's version and the step-record helpers, apart from the zod schema (state/schema.ts)
// so the read-only commands (`kina status`, `kina get clusters`) never load zod.

import type { ChainId, StepId } from "../machines/workflows.js";
import type { ClusterState, StepRecord } from "./schema.js";

// 1: steps keyed by step id, one flat chain. 2: steps keyed by chain then step, the workflow
// version beside the machine snapshot (state/migrations.ts turns 1 into 2).
export const SCHEMA_VERSION = 2;

export function pendingRecord(): StepRecord {
  return { status: "pending", attempts: [] };
}

/** A step's record; pending when the file has none (a step added after the file was written). */
export function stepRecord(state: Pick<ClusterState, "steps">, chain: ChainId, step: StepId): StepRecord {
  return state.steps[chain]?.[step] ?? pendingRecord();
}

/** The step's record in `state`, created pending when missing, for code that changes it. */
export function mutableStepRecord(state: Pick<ClusterState, "steps">, chain: ChainId, step: StepId): StepRecord {
  const records = (state.steps[chain] ??= {});
  return (records[step] ??= pendingRecord());
}
