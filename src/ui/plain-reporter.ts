// Progress as plain lines (` • vmRunning ... ✓ 3.2s`), for logs, CI and pipes.

import type { StepId } from "../../machines/workflows.js";
import { formatDuration } from "../config/duration.js";
import type { Reporter } from "../engine/reporter.js";
import { GLYPH, paint } from "./glyphs.js";

export class PlainReporter implements Reporter {
  constructor(
    private readonly out: { write(text: string): unknown },
    private readonly color = false,
    verbosity = 0,
  ) {
    this.stepLog =
      verbosity > 0
        ? (step, line, output) => this.out.write(prefixLines(`   ${step}| `, verbosity > 1 && output ? `${line}\n${output}` : line))
        : undefined;
  }
  /** With -v: every log line and command a step runs; with -v 2 and up, the commands' output too. */
  readonly stepLog: Reporter["stepLog"];

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

function prefixLines(prefix: string, text: string): string {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return body
    .split("\n")
    .map((l) => `${prefix}${l}\n`)
    .join("");
}
