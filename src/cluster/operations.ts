// What the commands do to a cluster: create, resume, retry, delete. The CLI parses and prints;
// this module owns the order of lock, state and engine.

import { mkdir, rm } from "node:fs/promises";
import { stepInfo, type StepId } from "../../machines/steps.js";
import { acquireClusterLock, type HeldLock } from "../../state/lock.js";
import { clusterPaths } from "../../state/paths.js";
import { emptySteps, SCHEMA_VERSION } from "../../state/schema.js";
import { ClusterStore, StateRefusedError } from "../../state/store.js";
import { ResolvedConfig } from "../config/resolved.js";
import { UsageError } from "../config/resolve.js";
import { discardLog } from "../engine/attempt-log.js";
import { runEngine, skippedSteps, type EngineResult, type RunMode } from "../engine/engine.js";
import type { Reporter } from "../engine/reporter.js";
import type { ClusterDriver } from "../steps/step.js";
import { openCluster } from "./open.js";

export { ClusterNotFoundError, openCluster } from "./open.js";

export interface OperationDeps<S> {
  driver: ClusterDriver<S>;
  reporter: Reporter;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  notice: (message: string) => void;
  commandLine: string;
}

export class ClusterExistsError extends Error {
  constructor(name: string, phase: string) {
    super(
      `cluster "${name}" already exists (${phase}). Continue it with \`kina resume ${name}\`, ` +
        `or remove it with \`kina delete ${name}\`.`,
    );
    this.name = "ClusterExistsError";
  }
}

async function withLock<T>(name: string, deps: { notice: (m: string) => void; commandLine: string; env: NodeJS.ProcessEnv }, work: () => Promise<T>): Promise<T> {
  const paths = clusterPaths(name, deps.env);
  await mkdir(paths.dir, { recursive: true, mode: 0o700 });
  const lock: HeldLock = await acquireClusterLock(name, paths.lock, deps.commandLine, deps.notice);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

export async function createCluster<S>(config: ResolvedConfig, deps: OperationDeps<S>): Promise<EngineResult> {
  const name = config.name;
  return withLock(name, deps, async () => {
    const existing = await ClusterStore.open(name, deps.env);
    if (existing) throw new ClusterExistsError(name, existing.data.steps ? "see `kina status " + name + "`" : "");
    // Preflight before anything is written: a host that cannot run the cluster leaves no state.
    try {
      await deps.driver.preflight(config, deps.driver.services({ log: discardLog, signal: deps.signal, env: deps.env }));
    } catch (error) {
      await rm(clusterPaths(name, deps.env).dir, { recursive: true, force: true });
      throw error;
    }
    const now = new Date().toISOString();
    const store = await ClusterStore.create(
      {
        schemaVersion: SCHEMA_VERSION,
        name,
        createdAt: now,
        updatedAt: now,
        config,
        steps: emptySteps(),
        outputs: { nodes: [] },
      },
      deps.env,
    );
    return runEngine({ store, config, driver: deps.driver, reporter: deps.reporter, mode: { kind: "create" }, env: deps.env, signal: deps.signal });
  });
}

export function storedConfig(store: ClusterStore): ResolvedConfig {
  const parsed = ResolvedConfig.safeParse(store.data.config);
  if (!parsed.success) {
    throw new StateRefusedError(
      `state file ${store.paths.state} has a cluster config kina cannot read ` +
        `(${parsed.error.issues[0]?.path.join(".")}: ${parsed.error.issues[0]?.message}). kina left it untouched.`,
    );
  }
  return parsed.data;
}

export async function continueCluster<S>(
  name: string,
  mode: Exclude<RunMode, { kind: "create" }>,
  deps: OperationDeps<S> & { timeouts?: Partial<Record<StepId, number>> },
): Promise<EngineResult | { phase: "ready"; nothingToDo: true }> {
  return withLock(name, deps, async () => {
    const store = await openCluster(name, deps.env);
    const stored = storedConfig(store);
    // --timeout on resume/retry applies to this run only; the cluster keeps its own settings.
    const config = { ...stored, timeoutsMs: { ...stored.timeoutsMs, ...deps.timeouts } };
    const value = (store.data.machine as { value?: unknown } | undefined)?.value;
    if (mode.kind === "resume" && value === "ready") return { phase: "ready" as const, nothingToDo: true as const };
    if (mode.kind === "retry") {
      const skip = skippedSteps(config).get(mode.step);
      if (skip) throw new UsageError(`step ${stepInfo(mode.step).short} (${mode.step}) does not apply to cluster "${name}": ${skip}`);
    }
    await deps.driver.preflight(config, deps.driver.services({ log: discardLog, signal: deps.signal, env: deps.env }));
    return runEngine({ store, config, driver: deps.driver, reporter: deps.reporter, mode, env: deps.env, signal: deps.signal });
  });
}

export interface DryRunRow {
  step: StepId;
  action: "skip" | "run";
  why: string;
}

/** `kina resume --dry-run`: per step, skip or run and why. Verifies done steps; changes nothing. */
export async function planResume<S>(name: string, deps: Pick<OperationDeps<S>, "driver" | "env" | "signal">): Promise<DryRunRow[]> {
  const store = await openCluster(name, deps.env);
  const config = storedConfig(store);
  const skipped = skippedSteps(config);
  const value = (store.data.machine as { value?: unknown } | undefined)?.value;
  const interruptedAt = typeof value === "string" && !["failed", "ready"].includes(value) ? (value as StepId) : undefined;
  const rows: DryRunRow[] = [];
  let reached = interruptedAt === undefined;
  for (const id of Object.keys(store.data.steps) as StepId[]) {
    const record = store.data.steps[id];
    if (id === interruptedAt) reached = true;
    if (skipped.has(id)) {
      rows.push({ step: id, action: "skip", why: `not needed: ${skipped.get(id)}` });
      continue;
    }
    if (!reached) {
      rows.push({ step: id, action: "skip", why: "done before the interruption; resume continues at the interrupted step" });
      continue;
    }
    if (record.status === "done") {
      const services = deps.driver.services({ log: discardLog, signal: deps.signal, env: deps.env });
      const verdict = await deps.driver.steps[id]
        .verify({
          cluster: name,
          config,
          outputs: store.data.outputs,
          setOutputs: async () => {
            throw new Error("dry run: no writes");
          },
          paths: store.paths,
          services,
          log: discardLog,
          clock: { now: () => new Date() },
          signal: deps.signal,
          timeoutMs: config.timeoutsMs[id],
          attempt: 0,
          reason: "dry run",
          previous: record,
          progress: () => {},
          env: deps.env,
        })
        .catch((error: unknown) => ({ ok: false as const, reason: (error as Error).message }));
      rows.push(
        verdict.ok
          ? { step: id, action: "skip", why: "done; re-verified just now" }
          : { step: id, action: "run", why: `done, but verify failed: ${verdict.reason}` },
      );
    } else if (record.status === "failed") {
      rows.push({ step: id, action: "run", why: `failed on attempt ${record.attempts.length}: ${record.error ?? ""}` });
    } else if (record.status === "running") {
      rows.push({ step: id, action: "run", why: "was interrupted while running" });
    } else {
      rows.push({ step: id, action: "run", why: "not run yet" });
    }
  }
  return rows;
}

/** Removes VMs, network and kubeconfig entries, then the cluster folder. Works without state. */
export async function deleteCluster<S>(name: string, deps: Omit<OperationDeps<S>, "reporter">): Promise<"deleted" | "absent"> {
  const paths = clusterPaths(name, deps.env);
  const teardown = (store?: ClusterStore) => {
    const config = store ? ResolvedConfig.safeParse(store.data.config) : undefined;
    return deps.driver.teardown({
      cluster: name,
      ...(config?.success ? { config: config.data } : {}),
      ...(store ? { outputs: store.data.outputs } : {}),
      services: deps.driver.services({ log: discardLog, signal: deps.signal, env: deps.env }),
      log: discardLog,
      notice: deps.notice,
      env: deps.env,
    });
  };
  const { result, keepDir } = await withLock(name, deps, async () => {
    let store: ClusterStore | undefined;
    try {
      store = await ClusterStore.open(name, deps.env);
    } catch (error) {
      if (!(error instanceof StateRefusedError)) throw error;
      // Unreadable state: teardown by label still works; the file itself is never deleted.
      deps.notice(`${error.message}\nRemoving the cluster's VMs by label; the state folder is kept.`);
      await teardown();
      return { result: "deleted" as const, keepDir: true };
    }
    await teardown(store);
    return { result: store ? ("deleted" as const) : ("absent" as const), keepDir: false };
  });
  // After the lock is released, so the lock file goes with the folder.
  if (!keepDir) await rm(paths.dir, { recursive: true, force: true });
  return result;
}
