// The engine: runs a command (create, resume, retry, start, stop) as the cluster machine with the
// driver's steps, every transition persisted by src/engine/persistence.ts. Chain-generic: what a
// chain holds comes from the registry; what a step does comes from the driver.
//
// The machine invokes two actors per step, provided here:
//   checkStep — decides: skip (done before, and `verify` says it still holds) or run, and why;
//   runStep   — one attempt of `run`, with the step's timeout, logged to logs/<step>-<n>.log.
// `resume --dry-run` is the same machine with a verify-only runStep (see planCommand), so what it
// prints cannot drift from what resume does.

import { createActor, fromPromise, transition, type SnapshotFrom } from "xstate";
import {
  clusterMachine,
  type CheckOutput,
  type ClusterMachineContext,
  type ClusterMachineEvent,
  type Failure,
  type StepEvent,
  type StepInput,
  type StepRejection,
  type Topology,
} from "../../machines/cluster.js";
import { phaseOf, positionOf, type Position } from "../../machines/position.js";
import { CHAINS, WORKFLOW_VERSION, addonChain, chainSteps, stepDef, type AddonName, type ChainId, type StepId } from "../../machines/workflows.js";
import { stepRecord, type Outputs, type StepRecord } from "../../state/schema.js";
import type { ClusterStore } from "../../state/store.js";
import { formatDuration } from "../config/duration.js";
import type { ResolvedConfig } from "../config/resolved.js";
import type { ClusterDriver, StepContext, StepLog, Verification } from "../steps/step.js";
import { AttemptLog, discardLog } from "./attempt-log.js";
import { InterruptedError, StepTimeoutError, StopRequest, TransitionRefusedError, describeError } from "./errors.js";
import { Persistence } from "./persistence.js";
import type { Reporter } from "./reporter.js";

type ClusterSnapshot = SnapshotFrom<typeof clusterMachine>;
type Machine = typeof clusterMachine;

export type Command =
  | { kind: "create" }
  | { kind: "resume" }
  | { kind: "retry"; step: StepId }
  | { kind: "start" }
  | { kind: "stop" }
  /** `manifest`: the user's own (an absolute path or URL) instead of kina's pinned sources. */
  | { kind: "install"; addon: AddonName; manifest?: string }
  | { kind: "uninstall"; addon: AddonName };

export type EngineResult =
  | { phase: "ready" | "stopped" }
  | {
      phase: "failed";
      chain: ChainId;
      step: StepId;
      error: string;
      hint?: string;
      log: string;
      /** Set when Ctrl-C or SIGTERM ended the step: which one (the exit code follows it). */
      interruptedBy?: InterruptedError["signalName"];
    };

export interface EngineOptions<S> {
  store: ClusterStore;
  config: ResolvedConfig;
  driver: ClusterDriver<S>;
  reporter: Reporter;
  command: Command;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  clock?: { now(): Date };
  /** What `container` says now, when the caller asked it (see src/cluster/operations.ts). */
  observed?: Observed;
}

/** Facts about the VMs that the stored state cannot know. */
export interface Observed {
  /** Every node VM of a cluster on disk as ready is stopped: a Mac restart, `container system stop`. */
  vmsStopped: boolean;
}

export function topologyOf(config: ResolvedConfig): Topology {
  return {
    controlPlanes: config.nodes.filter((n) => n.role === "control-plane").length,
    workers: config.nodes.filter((n) => n.role === "worker").length,
    cni: config.networking.cni,
  };
}

export function timeoutOf(config: ResolvedConfig, step: StepId): number {
  return config.timeoutsMs[step] ?? stepDef(step).defaultTimeoutMs;
}

// ---------------------------------------------------------------------------------------------
// Where a command starts: the restored snapshot and the event to send.

interface StartPoint {
  snapshot?: ClusterSnapshot;
  event?: ClusterMachineEvent;
  /** The snapshot was inside a step when its process died: that step's attempt is re-run. */
  interrupted?: { chain: ChainId; step: StepId; rerun: boolean };
}

function eventOf(command: Command): ClusterMachineEvent | undefined {
  switch (command.kind) {
    case "create":
      return undefined;
    case "resume":
      return { type: "RESUME" };
    case "retry":
      return { type: "RETRY", step: command.step };
    case "start":
      return { type: "START" };
    case "stop":
      return { type: "STOP" };
    case "install":
      return { type: "INSTALL", addon: command.addon };
    case "uninstall":
      return { type: "UNINSTALL", addon: command.addon };
  }
}

/** Which commands continue an interrupted chain where it was, instead of re-entering it. */
function continues(command: Command, chain: ChainId): boolean {
  switch (command.kind) {
    case "resume":
      return true;
    case "start":
    case "stop":
      return chain === command.kind;
    case "install":
    case "uninstall":
      return chain === addonChain(command.kind, command.addon);
    default:
      return false;
  }
}

function askedOf(command: Command): string {
  if (command.kind === "retry") return `retry ${command.step}`;
  if (command.kind === "install" || command.kind === "uninstall") return `${command.kind} ${command.addon}`;
  return command.kind;
}

function describePosition(position: Position): string {
  switch (position.kind) {
    case "new":
      return "new";
    case "settled":
      if (position.state === "failed" && position.failure) {
        return `failed at ${position.failure.step} (${CHAINS[position.failure.chain].phase})`;
      }
      return position.state === "ready" ? "ready (its VMs are running)" : position.state;
    case "chain":
      return `${phaseOf(position)}, interrupted at ${position.step}`;
  }
}

function startPoint(machine: Machine, store: ClusterStore, command: Command, topology: Topology, observed?: Observed): StartPoint {
  if (command.kind === "create") return {};
  const persisted = store.data.machine as (ClusterSnapshot & { context: ClusterMachineContext }) | undefined;
  const position = positionOf(persisted);
  if (position.kind === "new") return {};
  const sameShape = store.data.workflowVersion === WORKFLOW_VERSION;
  const context: ClusterMachineContext = { ...(persisted!.context ?? {}), topology };
  let snapshot: ClusterSnapshot;
  const event = eventOf(command)!;
  if (position.kind === "chain") {
    if (sameShape && continues(command, position.chain)) {
      // XState restores the snapshot inside the step and re-invokes its actor.
      return {
        snapshot: { ...persisted, context } as ClusterSnapshot,
        interrupted: { chain: position.chain, step: position.step, rerun: position.stage === "running" },
      };
    }
    // Written by another shape of the workflow, or another command asked for: settle it as
    // failed at that step, then take the event from there.
    const failure: Failure = {
      chain: position.chain,
      step: position.step,
      error: "interrupted: no kina process finished this step",
      interrupted: true,
    };
    snapshot = machine.resolveState({ value: "failed", context: { ...context, failure } }) as ClusterSnapshot;
  } else {
    snapshot = sameShape
      ? ({ ...persisted, context } as ClusterSnapshot)
      : (machine.resolveState({ value: position.state, context }) as ClusterSnapshot);
    // The machine is told what was observed first, so `kina start` after a Mac restart is a
    // start from `stopped`, as the diagram says.
    if (position.state === "ready" && observed?.vmsStopped) {
      [snapshot] = transition(machine, machine.resolveState({ value: "ready", context }), { type: "VMS_STOPPED" });
    }
  }
  return { snapshot, event };
}

/** Refuses, before anything runs, a command the cluster's state cannot take (exit 2). */
export function assertCommandPossible(store: ClusterStore, config: ResolvedConfig, command: Command, observed?: Observed): void {
  const topology = topologyOf(config);
  const point = startPoint(clusterMachine, store, command, topology, observed);
  if (!point.event || !point.snapshot) return;
  const actor = createActor(clusterMachine, { input: { topology }, snapshot: point.snapshot });
  const snap = actor.getSnapshot();
  if (snap.can(point.event)) return;
  const name = store.name;
  const candidates: [ClusterMachineEvent, string][] = [
    [{ type: "RESUME" }, `kina resume ${name}`],
    [{ type: "RETRY", step: chainSteps("bootstrap")[0]!.id }, `kina retry STEP ${name}`],
    [{ type: "START" }, `kina start ${name}`],
    [{ type: "STOP" }, `kina stop ${name}`],
    [{ type: "INSTALL", addon: "storage" }, `kina install ADDON ${name}`],
  ];
  const possible = candidates.filter(([e]) => snap.can(e)).map(([, cli]) => cli);
  throw new TransitionRefusedError(name, describePosition(positionOf(snap)), askedOf(command), [...possible, `kina delete ${name}`]);
}

// ---------------------------------------------------------------------------------------------
// How a step is decided and run.

type Decision = { holds: true } | { holds: false; why: "forced" | "vanished" | "interrupted" | "failed" | "first"; detail: string };

const RUN_REASON: Record<Exclude<Decision, { holds: true }>["why"], (d: string) => string> = {
  forced: () => "retry requested",
  vanished: (d) => `its result no longer holds: ${d}`,
  interrupted: () => "the previous attempt was interrupted",
  failed: () => "the previous attempt failed",
  first: () => "first run",
};

async function decide(record: StepRecord, forced: boolean, verify: () => Promise<Verification>): Promise<Decision> {
  if (forced) return { holds: false, why: "forced", detail: "" };
  switch (record.status) {
    case "done": {
      const verdict = await verify();
      return verdict.ok ? { holds: true } : { holds: false, why: "vanished", detail: verdict.reason };
    }
    case "running":
    case "interrupted":
      return { holds: false, why: "interrupted", detail: "" };
    case "failed":
      return { holds: false, why: "failed", detail: `on attempt ${record.attempts.length}: ${record.error ?? ""}` };
    default:
      return { holds: false, why: "first", detail: "" };
  }
}

function rejectionOf(error: unknown, signal: AbortSignal): StepRejection {
  if (signal.aborted && signal.reason instanceof StopRequest) return { message: signal.reason.message, interrupted: true };
  return describeError(error);
}

/**
 * Runs `work` under the step's timeout. On expiry the step's signal is aborted and the step gets a
 * moment to stop with its own words ("DaemonSet kindnet: 0/1 pods ready"), which are added to the
 * timeout message; a user's abort (Ctrl-C) rejects at once.
 */
async function withTimeout<T>(step: StepId, ms: number, outer: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const signal = AbortSignal.any([outer, controller.signal]);
  const running = work(signal);
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const limits = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const timeout = new StepTimeoutError(step, ms);
      controller.abort(timeout);
      reject(timeout);
    }, ms);
    onAbort = () => reject(outer.reason);
    if (outer.aborted) onAbort();
    else outer.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([running, limits]);
  } catch (error) {
    if (!(error instanceof StepTimeoutError)) throw error;
    const own = await Promise.race([running.then(() => undefined, (e: unknown) => e), settleGrace()]);
    if (!(own instanceof Error) || own === error || own.message.includes(error.message)) throw error;
    const combined = new Error(`${error.message}: ${own.message}`);
    const hint = (own as Error & { hint?: unknown }).hint;
    if (typeof hint === "string") Object.assign(combined, { hint });
    throw combined;
  } finally {
    clearTimeout(timer);
    if (onAbort) outer.removeEventListener("abort", onAbort);
  }
}

/** How long a timed-out step may take to say why it was still waiting. */
function settleGrace(): Promise<undefined> {
  return new Promise((resolve) => setTimeout(() => resolve(undefined), 2000).unref());
}

interface Runner<S> {
  store: ClusterStore;
  config: ResolvedConfig;
  driver: ClusterDriver<S>;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  clock: { now(): Date };
}

function stepContext<S>(
  r: Runner<S>,
  ref: { chain: ChainId; step: StepId },
  extra: { log: StepLog; signal: AbortSignal; attempt: number; reason: string; previous: StepRecord; progress(m: string): void; onContainerCall?: () => void },
  setOutputs: (patch: Partial<Outputs>) => Promise<void>,
): StepContext<S> {
  return {
    cluster: r.store.name,
    chain: ref.chain,
    config: r.config,
    get outputs(): Outputs {
      return r.store.data.outputs;
    },
    setOutputs,
    paths: r.store.paths,
    services: r.driver.services({ log: extra.log, signal: extra.signal, env: r.env, ...(extra.onContainerCall ? { onContainerCall: extra.onContainerCall } : {}) }),
    log: extra.log,
    clock: r.clock,
    signal: extra.signal,
    timeoutMs: timeoutOf(r.config, ref.step),
    attempt: extra.attempt,
    reason: extra.reason,
    previous: extra.previous,
    progress: extra.progress,
    env: r.env,
  };
}

async function verifyStep<S>(r: Runner<S>, input: StepInput, setOutputs: (patch: Partial<Outputs>) => Promise<void>): Promise<Verification> {
  const step = await r.driver.loadStep(input.step);
  const previous = stepRecord(r.store.data, input.chain, input.step);
  return withTimeout(input.step, timeoutOf(r.config, input.step), r.signal, (signal) =>
    step.verify(stepContext(r, input, { log: discardLog, signal, attempt: 0, reason: "verify", previous, progress: () => {} }, setOutputs)),
  ).catch((error: unknown) => {
    if (r.signal.aborted) throw error;
    return { ok: false as const, reason: `verify failed: ${describeError(error).message}` };
  });
}

// ---------------------------------------------------------------------------------------------
// Running a command.

export async function runEngine<S>(opts: EngineOptions<S>): Promise<EngineResult> {
  const { store, reporter } = opts;
  const clock = opts.clock ?? { now: () => new Date() };
  const r: Runner<S> = { store, config: opts.config, driver: opts.driver, env: opts.env, signal: opts.signal, clock };
  const topology = topologyOf(opts.config);
  const persistence = new Persistence(store, () => clock.now());
  const setOutputs = (patch: Partial<Outputs>) => persistence.outputs(() => Object.assign(store.data.outputs, patch));

  const machine = clusterMachine.provide({
    actors: {
      checkStep: fromPromise<CheckOutput, StepInput>(async ({ input }) => {
        await persistence.settled();
        const record = stepRecord(store.data, input.chain, input.step);
        if (record.status === "done" && !input.forced) reporter.stepStart(input.step, "verifying");
        try {
          const d = await decide(record, input.forced, () => verifyStep(r, input, setOutputs));
          if (d.holds) {
            reporter.stepDone(input.step, 0, "verified");
            return { holds: true };
          }
          if (d.why === "vanished") reporter.notice(`${input.step}: re-running because ${RUN_REASON.vanished(d.detail)}`);
          return { holds: false, reason: RUN_REASON[d.why](d.detail) };
        } catch (error) {
          throw rejectionOf(error, opts.signal);
        }
      }),
      runStep: fromPromise<void, StepInput>(async ({ input }) => {
        // The transition into `running`, with this attempt recorded, is on disk before anything.
        await persistence.settled();
        const record = stepRecord(store.data, input.chain, input.step);
        const attempt = record.attempts.at(-1)!;
        const echo = reporter.stepLog;
        const log = new AttemptLog(attempt.log, echo ? (line, output) => echo(input.step, line, output) : undefined);
        const timeoutMs = timeoutOf(opts.config, input.step);
        log.line(`kina: ${input.chain}/${input.step} attempt ${attempt.n} (${attempt.reason}), timeout ${formatDuration(timeoutMs)}`);
        // The attempt's own profile (`containerCalls` in status --json): every `container` process
        // its services start. Written with the transition that settles the attempt.
        let containerCalls = 0;
        try {
          const step = await opts.driver.loadStep(input.step);
          await withTimeout(input.step, timeoutMs, opts.signal, (signal) =>
            step.run(
              stepContext(
                r,
                input,
                {
                  log,
                  signal,
                  attempt: attempt.n,
                  reason: attempt.reason ?? "first run",
                  previous: persistence.previous(input.chain, input.step),
                  progress: (message) => reporter.stepProgress(input.step, message),
                  onContainerCall: () => {
                    containerCalls++;
                  },
                },
                setOutputs,
              ),
            ),
          );
          log.line(`kina: ${input.step} done`);
        } catch (error) {
          const rejection = rejectionOf(error, opts.signal);
          log.line(`kina: ${input.step} ${rejection.interrupted ? "interrupted" : "failed"}: ${rejection.message}`);
          if (rejection.hint) log.line(`kina: hint: ${rejection.hint}`);
          throw rejection;
        } finally {
          attempt.containerCalls = containerCalls;
          log.close();
        }
      }),
    },
  });

  const point = startPoint(machine, store, opts.command, topology, opts.observed);
  if (opts.observed?.vmsStopped) reporter.notice(`the VMs of cluster "${store.name}" were stopped outside kina (a Mac restart or \`container system stop\`)`);
  const actor = createActor(machine, { input: { topology }, ...(point.snapshot ? { snapshot: point.snapshot } : {}) });

  let begun = false;
  const elapsed = (chain: ChainId, step: StepId) => {
    const started = stepRecord(store.data, chain, step).attempts.at(-1)?.startedAt;
    return started ? clock.now().getTime() - Date.parse(started) : 0;
  };
  actor.on("*", (event: StepEvent) => {
    persistence.record(event);
    if (!begun) {
      begun = true;
      // Every step of the chain counts: skipped ones are printed (in chain order) as they pass.
      const total = chainSteps(event.chain).length;
      const def = CHAINS[event.chain];
      const verb = `${def.phase[0]!.toUpperCase()}${def.phase.slice(1)}`;
      reporter.begin(def.addon ? `${verb} ${def.addon} on cluster "${store.name}"` : `${verb} cluster "${store.name}"`, total);
    }
    switch (event.type) {
      case "step.running": {
        const n = stepRecord(store.data, event.chain, event.step).attempts.length;
        reporter.stepStart(event.step, n > 1 ? `attempt ${n}` : "");
        break;
      }
      case "step.done":
        if (event.outcome === "ran") reporter.stepDone(event.step, elapsed(event.chain, event.step), "ran");
        break;
      case "step.skipped":
        reporter.stepSkipped(event.step, event.reason);
        break;
      case "step.failed":
        reporter.stepFailed(event.step, elapsed(event.chain, event.step), event.error);
        break;
    }
  });

  let armed = false;
  const finished = new Promise<ClusterSnapshot>((resolve, reject) => {
    actor.subscribe({
      next: (snapshot) => {
        persistence.snapshot(actor.getPersistedSnapshot());
        if (armed && snapshot.hasTag("settled")) resolve(snapshot);
      },
      error: reject,
    });
  });

  if (point.interrupted?.rerun) {
    reporter.notice(`resuming ${point.interrupted.step}, which was interrupted`);
    persistence.record({ type: "step.running", chain: point.interrupted.chain, step: point.interrupted.step, reason: RUN_REASON.interrupted("") });
  }
  actor.start();
  armed = true;
  if (point.event) actor.send(point.event);
  let final: ClusterSnapshot;
  try {
    final = await finished;
    await persistence.settled();
  } finally {
    actor.stop();
    reporter.end();
  }

  const settled = final.value as string;
  if (settled === "ready" || settled === "stopped") return { phase: settled };
  const failure = (final.context as ClusterMachineContext).failure!;
  return {
    phase: "failed",
    chain: failure.chain,
    step: failure.step,
    error: failure.error,
    ...(failure.hint ? { hint: failure.hint } : {}),
    log: stepRecord(store.data, failure.chain, failure.step).attempts.at(-1)?.log ?? "",
    ...(failure.interrupted && opts.signal.reason instanceof InterruptedError ? { interruptedBy: opts.signal.reason.signalName } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Dry run: the same machine, with a runStep that only says it would run.

export interface PlanRow {
  chain: ChainId;
  step: StepId;
  action: "skip" | "run";
  why: string;
}

const PLAN_WHY: Record<Exclude<Decision, { holds: true }>["why"], (d: string) => string> = {
  forced: () => "retry requested",
  vanished: (d) => `done, but verify failed: ${d}`,
  interrupted: () => "was interrupted while running",
  failed: (d) => `failed ${d}`,
  first: () => "not run yet",
};

export async function planCommand<S>(opts: Omit<EngineOptions<S>, "reporter" | "clock">): Promise<PlanRow[]> {
  const { store } = opts;
  const r: Runner<S> = { ...opts, clock: { now: () => new Date() } };
  const topology = topologyOf(opts.config);
  const noWrites = async () => {
    throw new Error("dry run: no writes");
  };
  const rows = new Map<string, PlanRow>();
  const key = (i: { chain: ChainId; step: StepId }) => `${i.chain}/${i.step}`;
  const machine = clusterMachine.provide({
    actors: {
      checkStep: fromPromise<CheckOutput, StepInput>(async ({ input }) => {
        const d = await decide(stepRecord(store.data, input.chain, input.step), input.forced, () => verifyStep(r, input, noWrites));
        rows.set(key(input), d.holds
          ? { ...input, action: "skip", why: "done; re-verified just now" }
          : { ...input, action: "run", why: PLAN_WHY[d.why](d.detail) });
        // Let the chain go on as if the step had run, so every later step gets its decision too.
        return d.holds ? { holds: true } : { holds: false, reason: "dry run" };
      }),
      runStep: fromPromise<void, StepInput>(async ({ input }) => {
        if (!rows.has(key(input))) rows.set(key(input), { ...input, action: "run", why: PLAN_WHY.interrupted("") });
      }),
    },
  });
  const point = startPoint(machine, store, opts.command, topology, opts.observed);
  const actor = createActor(machine, { input: { topology }, ...(point.snapshot ? { snapshot: point.snapshot } : {}) });
  let chain: ChainId | undefined;
  actor.on("step.skipped", (e) => {
    chain = e.chain;
    rows.set(key(e), { chain: e.chain, step: e.step, action: "skip", why: `not needed: ${e.reason}` });
  });
  actor.on("*", (e) => {
    chain ??= e.chain;
  });
  let armed = false;
  const finished = new Promise<ClusterSnapshot>((resolve, reject) => {
    actor.subscribe({ next: (s) => armed && s.hasTag("settled") && resolve(s), error: reject });
  });
  actor.start();
  armed = true;
  if (point.event) actor.send(point.event);
  try {
    await finished;
  } finally {
    actor.stop();
  }
  const planned = chain ?? point.interrupted?.chain ?? "bootstrap";
  return chainSteps(planned).map(
    (s) =>
      rows.get(key({ chain: planned, step: s.id })) ?? {
        chain: planned,
        step: s.id,
        action: "skip",
        why: "done before the interruption; resume continues at the interrupted step",
      },
  );
}
