// How the engine tells the user what it is doing. The terminal implementations live in src/ui.

import type { StepId } from "../../machines/workflows.js";

export interface Reporter {
  /** A chain is about to run (`what`: "Bootstrapping cluster \"dev\""); `total` counts the chain's steps, skipped ones too. */
  begin(what: string, total: number): void;
  stepStart(step: StepId, detail: string): void;
  stepProgress(step: StepId, message: string): void;
  stepDone(step: StepId, ms: number, outcome: "ran" | "verified"): void;
  stepSkipped(step: StepId, reason: string): void;
  stepFailed(step: StepId, ms: number, error: string): void;
  notice(message: string): void;
  end(): void;
  /** Set only with -v: each step-log entry as it is written; `output` is a command's stdout/stderr. */
  stepLog?: ((step: StepId, line: string, output: string) => void) | undefined;
}
