// The shape of state.json. Versioned: a file from a newer kina is refused, an older one is migrated
// in memory (and written back only by a command that changes the cluster).

import { z } from "zod";
import { STEP_IDS } from "../machines/steps.js";

// Parse without zod's eval-compiled fast path: kina parses each schema a handful of times per
// run, and compiling costs more start-up time than it saves.
z.config({ jitless: true });

export const SCHEMA_VERSION = 1;

export const StepStatus = z.enum(["pending", "running", "done", "failed", "skipped"]);
export type StepStatus = z.infer<typeof StepStatus>;

export const Attempt = z.object({
  n: z.number().int().positive(),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  outcome: z.enum(["done", "failed"]).optional(),
  error: z.string().optional(),
  log: z.string(),
  /** Why this attempt ran: first run, retry, a failed verify on resume, an interrupted run. */
  reason: z.string().optional(),
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

export const AddonOutput = z.object({
  status: z.enum(["pending", "available", "failed"]),
  message: z.string().optional(),
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
  /** The persisted XState snapshot of machines/cluster.ts. */
  machine: z.unknown().optional(),
  steps: z.record(z.enum(STEP_IDS), StepRecord),
  outputs: Outputs,
});
export type ClusterState = z.infer<typeof ClusterState>;

export function emptySteps(): ClusterState["steps"] {
  return Object.fromEntries(STEP_IDS.map((id) => [id, { status: "pending", attempts: [] }])) as unknown as ClusterState["steps"];
}
