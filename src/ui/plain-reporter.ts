// Progress as plain lines (` • vmRunning ... ✓ 3.2s`), for logs, CI and pipes.

import type { StepId } from "../../machines/workflows.js";
import { formatDuration } from "../config/duration.js";
import type { Reporter } from "../engine/reporter.js";
import { GLYPH, paint } from "./glyphs.js";

export class PlainReporter implements Reporter {
  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly color = false,
  ) {}

  begin(what: string, total: number): void {
    this.out.write(`${what} (${total} step${total === 1 ? "" : "s"})\n`);
  }
  stepStart(step: StepId, detail: string): void {
    this.out.write(` • ${step} ...${detail ? ` (${detail})` : ""}\n`);
  }
  stepProgress(step: StepId, message: string): void {
    this.out.write(`   ${step}: ${message}\n`);
  }
  stepDone(step: StepId, ms: number, outcome: "ran" | "verified"): void {
    const tail = outcome === "verified" ? "already done, verified" : formatDuration(ms);
    this.out.write(` • ${step} ... ${paint(GLYPH.done, "done", this.color)} ${tail}\n`);
  }
  stepSkipped(step: StepId, reason: string): void {
    this.out.write(` • ${step} ... ${paint(GLYPH.skipped, "skipped", this.color)} skipped: ${reason}\n`);
  }
  stepFailed(step: StepId, ms: number, error: string): void {
    this.out.write(` • ${step} ... ${paint(GLYPH.failed, "failed", this.color)} ${formatDuration(ms)}: ${error}\n`);
  }
  notice(message: string): void {
    this.out.write(`   ${message}\n`);
  }
  end(): void {}
}
