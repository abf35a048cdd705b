// Progress on a terminal: finished steps are printed as plain lines, and one status line below
// them (`[3/8] kubeadmInit 12s`) is redrawn in place. The status line is ours, not a progress
// library's: libraries that save and restore the cursor leave it where the bar *started*, so
// whatever is printed after the run (the ERROR, "Cluster ready", next steps) lands on top of the
// step lines in a cleared or scrolled terminal. Here the status line never wraps (it is cut to the
// terminal width), so `\r` + erase-line always removes it completely, and at the end it is erased
// and the cursor is left at the start of an empty line.

import type { StepId } from "../../machines/workflows.js";
import type { Reporter } from "../engine/reporter.js";
import { PlainReporter } from "./plain-reporter.js";

const ERASE_LINE = "\r\u001b[2K";

export function createTtyReporter(stream: NodeJS.WriteStream, color: boolean, verbosity = 0): Reporter {
  return new TtyReporter(stream, color, verbosity);
}

class TtyReporter implements Reporter {
  private readonly lines: PlainReporter;
  private total = 0;
  private value = 0;
  private current = "";
  private startedAt = Date.now();
  private ticker: NodeJS.Timeout | undefined;
  /** Whether the status line is on screen (the cursor is then at its end, on the same row). */
  private shown = false;
  readonly stepLog: Reporter["stepLog"];

  constructor(
    private readonly stream: NodeJS.WriteStream,
    color: boolean,
    verbosity: number,
  ) {
    this.lines = new PlainReporter({ write: (text: string) => this.print(text) }, color, verbosity);
    this.stepLog = this.lines.stepLog;
  }

  /** A stream whose reader went away (EPIPE) or was closed: progress just stops. */
  private get gone(): boolean {
    return this.stream.destroyed || this.stream.writableEnded;
  }

  private write(text: string): void {
    if (this.gone) {
      this.stopTicker();
      return;
    }
    this.stream.write(text);
  }

  private print(text: string): void {
    // Erase the status line, print the finished line where it was, draw the status line below.
    this.write(this.shown ? `${ERASE_LINE}${text}` : text);
    this.shown = false;
    if (this.ticker) this.draw();
  }

  private draw(): void {
    const seconds = Math.round((Date.now() - this.startedAt) / 1000);
    // One row only: a newline or tab in a progress message would move the cursor off the row
    // that `\r` + erase-line clears next time.
    const current = this.current.replace(/[\u0000-\u001f\u007f]+/g, " ");
    const text = `[${this.value}/${this.total}] ${current}${current ? ` ${seconds}s` : ""}`;
    // One column short of the width: writing the last column makes some terminals wrap early.
    const width = Math.max(10, (this.stream.columns || 80) - 1);
    const cut = text.length > width ? `${text.slice(0, width - 1)}…` : text;
    this.write(`${ERASE_LINE}${cut}`);
    this.shown = true;
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  begin(what: string, total: number): void {
    this.lines.begin(what, total);
    this.total = total;
    // Redraw once a second so the elapsed time moves while a long step runs.
    this.ticker = setInterval(() => this.draw(), 1000);
    this.ticker.unref();
    this.draw();
  }
  stepStart(step: StepId, detail: string): void {
    this.current = detail ? `${step} (${detail})` : step;
    this.startedAt = Date.now();
    if (this.ticker) this.draw();
  }
  stepProgress(step: StepId, message: string): void {
    this.current = `${step}: ${message}`;
    if (this.ticker) this.draw();
  }
  stepDone(step: StepId, ms: number, outcome: "ran" | "verified"): void {
    this.value += 1;
    this.current = "";
    this.lines.stepDone(step, ms, outcome);
  }
  stepSkipped(step: StepId, reason: string): void {
    this.value += 1;
    this.lines.stepSkipped(step, reason);
  }
  stepFailed(step: StepId, ms: number, error: string): void {
    this.current = "";
    this.lines.stepFailed(step, ms, error);
  }
  notice(message: string): void {
    this.lines.notice(message);
  }
  end(): void {
    this.stopTicker();
    if (this.shown) this.write(ERASE_LINE);
    this.shown = false;
  }
}
