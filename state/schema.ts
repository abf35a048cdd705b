// The shape of state.json. Versioned: a file from a newer kina is refused, an older one is migrated
// in memory (and written back, with a backup of the old file, only by a command that changes the
// cluster).

import { z } from "zod";
import { SCHEMA_VERSION } from "./records.js";

// The version and the record helpers live in records.ts (no zod); re-exported for the code that
// imports them from here.
export { SCHEMA_VERSION, mutableStepRecord, pendingRecord, stepRecord } from "./records.js";

// Parse without zod's eval-compiled fast path: kina parses each schema a handful of times per
// run, and compiling costs more start-up time than it saves.
z.config({ jitless: true });

export const StepStatus = z.enum(["pending", "running", "done", "failed", "skipped", "interrupted"]);
export type StepStatus = z.infer<typeof StepStatus>;

export const Attempt = z.object({
  n: z.number().int().positive(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(["done", "failed", "interrupted"]).optional(),
  error: z.string().optional(),
  log: z.string(),
  /** Why this attempt ran: first run, retry, a failed verify on resume, an interrupted run. */
  reason: z.string().optional(),
  /** How many `container` processes the attempt started (set when it settles; additive). */
  containerCalls: z.number().int().nonnegative().optional(),
});
export type Attempt = z.infer<typeof Attempt>;

export const StepRecord = z.object({
  status: StepStatus,
  attempts: z.array(Attempt),
  error: z.string().optional(),
  /** Why the step was skipped or last re-run (shown by status and resume). */
  note: z.string().optional(),
  verifiedAt: z.string().optional(),
});
export type StepRecord = z.infer<typeof StepRecord>;

export const NodeOutput = z.object({
  name: z.string(),
  role: z.enum(["control-plane", "worker"]),
  ip: z.string().optional(),
});
export type NodeOutput = z.infer<typeof NodeOutput>;

export const ObjectRef = z.object({
  apiVersion: z.string(),
  kind: z.string(),
  name: z.string(),
  namespace: z.string().optional(),
});

export const AddonOutput = z.object({
  status: z.enum(["pending", "available", "failed"]),
  message: z.string().optional(),
  /** The user's manifest it was installed from (`--manifest`, `manifest:`); absent for kina's own sources. */
  source: z.string().optional(),
  /** What the install applied, so uninstall deletes exactly that, last first. */
  objects: z.array(ObjectRef).optional(),
});

// Outputs the steps record for later steps and for the user. Unknown keys survive (looseObject) so
// a step can add one without a schema bump.
export const Outputs = z.looseObject({
  image: z.object({ ref: z.string(), digest: z.string().optional() }).optional(),
  nodes: z.array(NodeOutput).default([]),
  apiServerPort: z.number().int().optional(),
  network: z.string().optional(),
  kubeconfig: z.string().optional(),
  context: z.string().optional(),
  addons: z.record(z.string(), AddonOutput).optional(),
});
export type Outputs = z.infer<typeof Outputs>;

export const ClusterState = z.object({
  schemaVersion: z.literal(SCHEMA_VERSION),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** The resolved cluster config (src/config owns its schema). */
  config: z.unknown(),
  /** The persisted XState snapshot of machines/cluster.ts; read it with machines/position.ts. */
  machine: z.unknown().optional(),
  /** machines/workflows.ts WORKFLOW_VERSION when `machine` was written. */
  workflowVersion: z.string().optional(),
  /**
   * Per chain, per step. Tolerant both ways: a step this file does not know yet is pending (read it
   * with `stepRecord`), and records of steps this kina does not know are kept as they are.
   */
  steps: z.record(z.string(), z.record(z.string(), StepRecord)),
  outputs: Outputs,
});
export type ClusterState = z.infer<typeof ClusterState>;
