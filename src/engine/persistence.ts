// The one place a running workflow writes state.json. It listens to the machine twice:
//   - the step events the machine emits (`step.running`, `step.done`, …) update the step records in
//     memory;
//   - every snapshot (one per transition) is stored beside them and queued as one durable write.
// XState runs both, and starts newly invoked actors, inside the same synchronous update; the
// engine's actors begin with `await persistence.settled()`, so no step does anything before the
// transition that started it (and the `running` record with its attempt) is on disk. Intent is
// recorded before action by construction, not by a rule each step must remember.

import { join } from "node:path";
import type { StepEvent } from "../../machines/cluster.js";
import { WORKFLOW_VERSION, type ChainId, type StepId } from "../../machines/workflows.js";
import type { ClusterStore } from "../../state/store.js";
import { mutableStepRecord, stepRecord, type StepRecord } from "../../state/schema.js";

export class Persistence {
  private tail: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** Each step's record as it was before its current attempt (what `ctx.previous` shows). */
  private readonly before = new Map<string, StepRecord>();

  constructor(
    private readonly store: ClusterStore,
    private readonly now: () => Date,
  ) {}

  /** Applies what the machine said about a step to its record (in memory; `snapshot` writes). */
  record(event: StepEvent): void {
    const rec = mutableStepRecord(this.store.data, event.chain, event.step);
    const at = this.now().toISOString();
    const last = rec.attempts.at(-1);
    switch (event.type) {
      case "step.running": {
        this.before.set(key(event.chain, event.step), structuredClone(rec));
        // An attempt that never finished was cut off (kill -9, power loss).
        if (last && !last.outcome) last.outcome = "interrupted";
        const n = rec.attempts.length + 1;
        rec.attempts.push({ n, startedAt: at, log: this.logPath(event.chain, event.step, n), reason: event.reason });
        rec.status = "running";
        delete rec.error;
        if (event.reason === "first run") delete rec.note;
        else rec.note = event.reason;
        break;
      }
      case "step.done":
        rec.verifiedAt = at;
        if (event.outcome === "ran") {
          rec.status = "done";
          if (last) {
            last.finishedAt = at;
            last.outcome = "done";
          }
        }
        break;
      case "step.skipped":
        rec.status = "skipped";
        rec.note = event.reason;
        break;
      case "step.failed": {
        const attemptOpen = last !== undefined && !last.outcome;
        // Interrupted while verifying a done step: its result still stands; resume verifies again.
        if (!attemptOpen && rec.status === "done") break;
        rec.status = event.interrupted ? "interrupted" : "failed";
        rec.error = event.error;
        if (attemptOpen) {
          last.finishedAt = at;
          last.outcome = event.interrupted ? "interrupted" : "failed";
          last.error = event.error;
        }
        break;
      }
    }
  }

  /** Stores the machine's snapshot and queues one durable write of everything. */
  snapshot(persisted: unknown): void {
    this.store.data.machine = persisted;
    this.store.data.workflowVersion = WORKFLOW_VERSION;
    this.queue(() => this.store.save());
  }

  /** Queues a write of step outputs, in order with the transitions. */
  async outputs(change: () => void): Promise<void> {
    change();
    this.queue(() => this.store.save());
    await this.settled();
  }

  /**
   * Resolves once every write queued so far, including those of the transition now being made,
   * is on disk; rejects if one failed (the step must not act on state that was not saved).
   */
  async settled(): Promise<void> {
    // Yield once: the machine notifies this module's subscriber right after starting actors.
    await Promise.resolve();
    let seen: Promise<void> | undefined;
    while (seen !== this.tail) {
      seen = this.tail;
      await seen;
    }
    if (this.failure !== undefined) throw this.failure;
  }

  previous(chain: ChainId, step: StepId): StepRecord {
    return structuredClone(this.before.get(key(chain, step)) ?? stepRecord(this.store.data, chain, step));
  }

  logPath(chain: ChainId, step: StepId, n: number): string {
    return join(this.store.paths.logs, chain === "bootstrap" ? `${step}-${n}.log` : `${chain}.${step}-${n}.log`);
  }

  private queue(write: () => Promise<void>): void {
    this.tail = this.tail.then(write).catch((error: unknown) => {
      this.failure ??= error;
    });
  }
}

function key(chain: ChainId, step: StepId): string {
  return `${chain}/${step}`;
}
