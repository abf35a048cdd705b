// Progress on a terminal: finished steps are printed as plain lines, and one cli-progress bar
// below them (`[3/8] ▓▓▓░░░ kubeadmInit 12s`) is redrawn in place.
//
// cli-progress saves the cursor when a bar starts and restores it when the bar stops. If anything
// is printed while a bar is running, that saved position is stale (the screen has scrolled, or
// was cleared), and whatever comes after the run (the ERROR, "Cluster ready", next steps) lands
// on top of the step lines. So nothing is ever written while the bar runs: every printed line
// stops the bar first (it clears its own row, where the cursor then is), prints, and starts a new
// bar below, which saves the cursor afresh. The bar never wraps (linewrap: false cuts it to the
// width), so clearing its row removes it completely.

import cliProgress from "cli-progress";
import type { StepId } from "../../machines/workflows.js";
import type { Reporter } from "../engine/reporter.js";
import { PlainReporter } from "./plain-reporter.js";

export function createTtyReporter(stream: NodeJS.WriteStream, color: boolean, verbosity = 0): Reporter {
  return new TtyReporter(stream, color, verbosity);
}

interface Payload {
  step: string;
  elapsed: string;
}

class TtyReporter implements Reporter {
  private readonly lines: PlainReporter;
  private readonly sink: NodeJS.WriteStream;
  private bar: cliProgress.SingleBar | undefined;
  private total = 0;
  private value = 0;
  private current = "";
  private startedAt = Date.now();
  private ticker: NodeJS.Timeout | undefined;
  readonly stepLog: Reporter["stepLog"];

  constructor(
    private readonly stream: NodeJS.WriteStream,
    color: boolean,
    verbosity: number,
  ) {
    this.lines = new PlainReporter({ write: (text: string) => this.print(text) }, color, verbosity);
    this.stepLog = this.lines.stepLog;
    // What cli-progress writes to: the terminal while it is there; nothing once the reader went
    // away (EPIPE) or the stream was closed, so progress just stops and the step goes on.
    const gone = () => stream.destroyed || stream.writableEnded;
    this.sink = {
      isTTY: true,
      get columns() {
        return stream.columns || 80;
      },
      write: (chunk: string, cb?: () => void) => {
        if (gone()) {
          this.stopTicker();
          cb?.();
          return true;
        }
        return stream.write(chunk, cb);
      },
    } as unknown as NodeJS.WriteStream;
  }

  private payload(): Payload {
    // One row only: a newline or tab in a progress message would move the cursor off the row.
    const step = this.current.replace(/[\u0000-\u001f\u007f]+/g, " ");
    const seconds = Math.round((Date.now() - this.startedAt) / 1000);
    return { step, elapsed: step ? ` ${seconds}s` : "" };
  }

  private startBar(): void {
    const bar = new cliProgress.SingleBar(
      {
        stream: this.sink,
        format: "[{value}/{total}] {bar} {step}{elapsed}",
        barsize: 12,
        barCompleteChar: "▓",
        barIncompleteChar: "░",
        hideCursor: false,
        clearOnComplete: true,
        linewrap: false,
        gracefulExit: false,
        synchronousUpdate: true,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(this.total, this.value, this.payload());
    this.bar = bar;
  }

  private stopBar(): void {
    // The cursor is on the bar's own row (nothing else was written since it started): stop
    // restores it there and clears the row.
    this.bar?.stop();
    this.bar = undefined;
  }

  private print(text: string): void {
    const running = this.bar !== undefined;
    this.stopBar();
    this.sink.write(text);
    if (running && this.ticker) this.startBar();
  }

  private redraw(): void {
    this.bar?.update(this.value, this.payload());
  }

  private stopTicker(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  begin(what: string, total: number): void {
    this.lines.begin(what, total);
    this.total = total;
    // Redraw once a second so the elapsed time moves while a long step runs.
    this.ticker = setInterval(() => this.redraw(), 1000);
    this.ticker.unref();
    this.startBar();
  }
  stepStart(step: StepId, detail: string): void {
    this.current = detail ? `${step} (${detail})` : step;
    this.startedAt = Date.now();
    this.redraw();
  }
  stepProgress(step: StepId, message: string): void {
    this.current = `${step}: ${message}`;
    this.redraw();
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
    this.stopBar();
  }
}
