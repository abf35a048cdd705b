// Progress on a terminal: one cli-progress bar over the steps with the current step's name and
// elapsed time; finished steps are printed above the bar as plain lines.

import type { SingleBar } from "cli-progress";
import type { StepId } from "../../machines/workflows.js";
import type { Reporter } from "../engine/reporter.js";
import { PlainReporter } from "./plain-reporter.js";

export async function createTtyReporter(stream: NodeJS.WriteStream, color: boolean): Promise<Reporter> {
  const { default: progress } = await import("cli-progress");
  return new TtyReporter(stream, color, progress);
}

class TtyReporter implements Reporter {
  private bar: SingleBar | undefined;
  private readonly lines: PlainReporter;
  private value = 0;
  private current = "";
  private startedAt = Date.now();
  private ticker: NodeJS.Timeout | undefined;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    color: boolean,
    private readonly progress: typeof import("cli-progress"),
  ) {
    this.lines = new PlainReporter({ write: (text: string) => this.print(text) }, color);
  }

  private print(text: string): void {
    if (this.bar) {
      // Clear the bar's line, print, and let the next render redraw it.
      this.stream.write(`\r\u001b[2K${text}`);
      this.bar.render();
    } else {
      this.stream.write(text);
    }
  }

  begin(what: string, total: number): void {
    this.lines.begin(what, total);
    this.bar = new this.progress.SingleBar(
      {
        stream: this.stream,
        format: " {bar} {value}/{total} {step} {elapsed}",
        barsize: 24,
        hideCursor: true,
        clearOnComplete: true,
        stopOnComplete: false,
        forceRedraw: true,
      },
      this.progress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { step: "", elapsed: "" });
    // Redraw once a second so the elapsed time moves while a long step runs.
    this.ticker = setInterval(() => this.update(), 1000);
    this.ticker.unref();
  }
  private update(): void {
    const seconds = Math.round((Date.now() - this.startedAt) / 1000);
    this.bar?.update(this.value, { step: this.current, elapsed: `${seconds}s` });
  }
  stepStart(step: StepId, detail: string): void {
    this.current = detail ? `${step} (${detail})` : step;
    this.startedAt = Date.now();
    this.update();
  }
  stepProgress(step: StepId, message: string): void {
    this.current = `${step}: ${message}`;
    this.update();
  }
  stepDone(step: StepId, ms: number, outcome: "ran" | "verified"): void {
    this.value += 1;
    this.lines.stepDone(step, ms, outcome);
    this.update();
  }
  stepSkipped(step: StepId, reason: string): void {
    this.lines.stepSkipped(step, reason);
  }
  stepFailed(step: StepId, ms: number, error: string): void {
    this.lines.stepFailed(step, ms, error);
  }
  notice(message: string): void {
    this.lines.notice(message);
  }
  end(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.bar?.stop();
    this.bar = undefined;
  }
}
