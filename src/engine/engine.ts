// The engine: runs the cluster machine with the driver's steps, persisting on every transition.
//
// Order of writes for one step (each a durable write of state.json):
//   1. the machine snapshot now names the step, and the step is marked `running` with a new
//      attempt (intent before any side effect);
//   2. the step's outcome (`done` or `failed`) once it returns.
// A kill -9 between 1 and 2 leaves "running" on disk; XState restores the snapshot inside that step
// and re-invokes it, and the step record tells the step it was interrupted.

import { join } from "node:path";
import { createActor, fromPromise, type SnapshotFrom } from "xstate";
import {
  clusterMachine,
  type ClusterMachineContext,
  type RunStepInput,
  type RunStepOutput,
  type Topology,
} from "../../machines/cluster.js";
import { SKIP_REASONS, STEPS, stepInfo, type StepId } from "../../machines/steps.js";
import type { ClusterStore } from "../../state/store.js";
import type { Outputs, StepRecord } from "../../state/schema.js";
import { formatDuration } from "../config/duration.js";
import type { ResolvedConfig } from "../config/resolved.js";
import type { ClusterDriver, StepContext } from "../steps/step.js";
import { AttemptLog, discardLog } from "./attempt-log.js";
import type { Reporter } from "./reporter.js";

type ClusterSnapshot = SnapshotFrom<typeof clusterMachine>;

export class StepFailedError extends Error {
  constructor(
    readonly step: StepId,
    readonly log: string,
    message: string,
  ) {
    super(message);
    this.name = "StepFailedError";
  }
}

export class StepTimeoutError extends Error {
  constructor(step: StepId, ms: number) {
    super(`${step} timed out after ${formatDuration(ms)}`);
    this.name = "StepTimeoutError";
  }
}

export function topologyOf(config: ResolvedConfig): Topology {
  return {
    controlPlanes: config.nodes.filter((n) => n.role === "control-plane").length,
    workers: config.nodes.filter((n) => n.role === "worker").length,
    cni: config.networking.cni,
  };
}

/** Which steps the topology leaves out, with the sentence to show. */
export function skippedSteps(config: ResolvedConfig): Map<StepId, string> {
  const t = topologyOf(config);
  const out = new Map<StepId, string>();
  for (const s of STEPS) {
    if (!s.skipWhen) continue;
    const skip =
      s.skipWhen === "singleNode" ? t.controlPlanes + t.workers <= 1 : s.skipWhen === "hasWorkers" ? t.workers > 0 : t.cni === "none";
    if (skip) out.set(s.id, SKIP_REASONS[s.skipWhen]);
  }
  return out;
}

export type RunMode = { kind: "create" } | { kind: "resume" } | { kind: "retry"; step: StepId };

export interface EngineOptions<S> {
  store: ClusterStore;
  config: ResolvedConfig;
  driver: ClusterDriver<S>;
  reporter: Reporter;
  mode: RunMode;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  clock?: { now(): Date };
}

export type EngineResult = { phase: "ready" } | { phase: "failed"; step: StepId; error: string; log: string };

function stateName(snapshot: ClusterSnapshot): string {
  return typeof snapshot.value === "string" ? snapshot.value : Object.keys(snapshot.value)[0] ?? "";
}

export async function runEngine<S>(opts: EngineOptions<S>): Promise<EngineResult> {
  const { store, config, driver, reporter, env } = opts;
  const clock = opts.clock ?? { now: () => new Date() };
  const skipped = skippedSteps(config);
  let lastFailure: { step: StepId; log: string } | undefined;

  const saveRecords = async (actorSnapshot?: unknown) => {
    await store.update((data) => {
      if (actorSnapshot !== undefined) data.machine = actorSnapshot;
      for (const [id, reason] of skipped) {
        data.steps[id] = { ...data.steps[id], status: "skipped", note: reason };
      }
    });
  };

  const executeStep = async (input: RunStepInput, persistSnapshot: () => unknown): Promise<RunStepOutput> => {
    const id = input.step;
    const step = driver.steps[id];
    const record: StepRecord = store.data.steps[id];
    const timeoutMs = config.timeoutsMs[id];

    let reason: string;
    if (input.forced) {
      reason = "retry requested";
    } else if (record.status === "done") {
      reporter.stepStart(id, "verifying");
      const verifyCtx = makeContext(id, discardLog, record, 0, "verify", opts.signal, timeoutMs);
      const verdict = await withTimeout(id, timeoutMs, opts.signal, () => step.verify(verifyCtx.ctx)).catch(
        (error: unknown) => ({ ok: false as const, reason: `verify failed: ${(error as Error).message}` }),
      );
      if (verdict.ok) {
        await store.update((data) => {
          data.machine = persistSnapshot();
          data.steps[id].verifiedAt = clock.now().toISOString();
        });
        reporter.stepDone(id, 0, "verified");
        return { step: id, outcome: "verified" };
      }
      reason = `its result no longer holds: ${verdict.reason}`;
      reporter.notice(`${id}: re-running because ${reason}`);
    } else if (record.status === "running") {
      reason = "the previous attempt was interrupted";
    } else if (record.status === "failed") {
      reason = "the previous attempt failed";
    } else {
      reason = "first run";
    }

    const n = record.attempts.length + 1;
    const logPath = join(store.paths.logs, `${id}-${n}.log`);
    const startedAt = clock.now();
    // Intent before action: the attempt is on disk before the step's first side effect.
    await store.update((data) => {
      data.machine = persistSnapshot();
      const r = data.steps[id];
      r.status = "running";
      r.error = undefined;
      r.note = reason === "first run" ? undefined : reason;
      r.attempts.push({ n, startedAt: startedAt.toISOString(), log: logPath, reason });
    });
    const log = new AttemptLog(logPath);
    log.line(`kina: ${id} attempt ${n} (${reason}), timeout ${formatDuration(timeoutMs)}`);
    reporter.stepStart(id, n > 1 ? `attempt ${n}` : "");
    const controller = new AbortController();
    const signal = AbortSignal.any([opts.signal, controller.signal]);
    const { ctx } = makeContext(id, log, record, n, reason, signal, timeoutMs);
    try {
      await withTimeout(id, timeoutMs, signal, () => step.run(ctx), controller);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const ms = clock.now().getTime() - startedAt.getTime();
      log.line(`kina: ${id} failed: ${message}`);
      log.close();
      await store.update((data) => {
        const r = data.steps[id];
        r.status = "failed";
        r.error = message;
        const a = r.attempts[r.attempts.length - 1]!;
        a.finishedAt = clock.now().toISOString();
        a.outcome = "failed";
        a.error = message;
      });
      reporter.stepFailed(id, ms, message);
      lastFailure = { step: id, log: logPath };
      throw error;
    }
    log.line(`kina: ${id} done`);
    log.close();
    const ms = clock.now().getTime() - startedAt.getTime();
    await store.update((data) => {
      const r = data.steps[id];
      r.status = "done";
      r.verifiedAt = clock.now().toISOString();
      const a = r.attempts[r.attempts.length - 1]!;
      a.finishedAt = clock.now().toISOString();
      a.outcome = "done";
    });
    reporter.stepDone(id, ms, "ran");
    return { step: id, outcome: "ran" };
  };

  function makeContext(
    id: StepId,
    log: AttemptLog | typeof discardLog,
    previous: StepRecord,
    attempt: number,
    reason: string,
    signal: AbortSignal,
    timeoutMs: number,
  ): { ctx: StepContext<S> } {
    const ctx: StepContext<S> = {
      cluster: store.name,
      config,
      get outputs(): Outputs {
        return store.data.outputs;
      },
      setOutputs: async (patch) => {
        await store.update((data) => {
          data.outputs = { ...data.outputs, ...patch } as Outputs;
        });
      },
      paths: store.paths,
      services: driver.services({ log, signal, env }),
      log,
      clock,
      signal,
      timeoutMs,
      attempt,
      reason,
      previous: structuredClone(previous),
      progress: (message) => reporter.stepProgress(id, message),
      env,
    };
    return { ctx };
  }

  // The actor the machine invokes for every step. It first yields once so the machine finishes its
  // transition: the snapshot it persists then names this step.
  let actorRef: ReturnType<typeof createActor<typeof clusterMachine>> | undefined;
  const machine = clusterMachine.provide({
    actors: {
      runStep: fromPromise<RunStepOutput, RunStepInput>(async ({ input }) => {
        await Promise.resolve();
        return executeStep(input, () => actorRef!.getPersistedSnapshot());
      }),
    },
  });

  const input = { topology: topologyOf(config) };
  const persisted = store.data.machine as ClusterSnapshot | undefined;
  const resumable = persisted && ["failed", "ready"].includes(stateName(persisted));
  let pendingEvent: Parameters<NonNullable<typeof actorRef>["send"]>[0] | undefined;

  if (opts.mode.kind === "create" || !persisted) {
    actorRef = createActor(machine, { input });
  } else if (resumable || opts.mode.kind === "retry") {
    // From failed or ready, the machine takes RESUME / RETRY. A retry asked for while the chain was
    // interrupted mid-step starts from a resolved `failed` state with the same context.
    const base = resumable
      ? persisted
      : (machine.resolveState({
          value: "failed",
          context: (persisted as ClusterSnapshot).context as ClusterMachineContext,
        }) as unknown as ClusterSnapshot);
    actorRef = createActor(machine, { input, snapshot: base });
    pendingEvent = opts.mode.kind === "retry" ? { type: "RETRY", step: opts.mode.step } : { type: "RESUME" };
  } else {
    // Interrupted inside a step: XState restores the snapshot and re-invokes that step.
    reporter.notice(`resuming ${stepInfo(stateName(persisted) as StepId).id}, which was interrupted`);
    actorRef = createActor(machine, { input, snapshot: persisted });
  }

  const runnable = STEPS.filter((s) => !skipped.has(s.id)).length;
  reporter.begin(store.name, runnable);
  for (const [id, reason] of skipped) reporter.stepSkipped(id, reason);
  await saveRecords();

  const finished = new Promise<ClusterSnapshot>((resolve, reject) => {
    let settled = false;
    actorRef!.subscribe({
      next: (snapshot) => {
        const name = stateName(snapshot);
        if (!settled && (name === "ready" || name === "failed") && snapshot.status === "active" && snapshot !== initial) {
          settled = true;
          resolve(snapshot);
        }
      },
      error: (error) => reject(error),
    });
    const initial = actorRef!.getSnapshot();
  });
  actorRef.start();
  if (pendingEvent) actorRef.send(pendingEvent);
  const final = await finished;
  await saveRecords(actorRef.getPersistedSnapshot());
  actorRef.stop();
  reporter.end();

  if (stateName(final) === "ready") return { phase: "ready" };
  const ctx = final.context as ClusterMachineContext;
  const step = ctx.failedStep ?? lastFailure?.step ?? "imageBuilt";
  return {
    phase: "failed",
    step,
    error: ctx.error ?? "unknown error",
    log: lastFailure?.log ?? store.data.steps[step].attempts.at(-1)?.log ?? "",
  };
}

/** Runs `work` with the step's timeout; on expiry aborts the step's signal and rejects. */
async function withTimeout<T>(
  step: StepId,
  ms: number,
  outer: AbortSignal,
  work: () => Promise<T>,
  controller?: AbortController,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StepTimeoutError(step, ms);
      controller?.abort(error);
      reject(error);
    }, ms);
  });
  const aborted = new Promise<never>((_, reject) => {
    if (outer.aborted) reject(outer.reason);
    outer.addEventListener("abort", () => reject(outer.reason), { once: true });
  });
  try {
    return await Promise.race([work(), timeout, aborted]);
  } finally {
    clearTimeout(timer);
  }
}
