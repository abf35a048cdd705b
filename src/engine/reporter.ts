// How the engine tells the user what it is doing. The terminal implementations live in src/ui.

import type { StepId } from "../../machines/steps.js";

export interface Reporter {
  /** The chain is about to run; `total` counts the steps that can run (not skipped). */
  begin(cluster: string, total: number): void;
  stepStart(step: StepId, detail: string): void;
  stepProgress(step: StepId, message: string): void;
  stepDone(step: StepId, ms: number, outcome: "ran" | "verified"): void;
  stepSkipped(step: StepId, reason: string): void;
  stepFailed(step: StepId, ms: number, error: string): void;
  notice(message: string): void;
  end(): void;
}
