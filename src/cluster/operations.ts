// What the commands do to a cluster: create, resume, retry, delete. The CLI parses and prints;
// this module owns the order of lock, state and engine.

import { mkdir, rm } from "node:fs/promises";
import { skippedSteps } from "../../machines/cluster.js";
import { positionOf } from "../../machines/position.js";
import { chainsOf, stepDef, type AddonName, type StepId } from "../../machines/workflows.js";
import { acquireClusterLock, ClusterLockedError, liveLockHolder, type HeldLock } from "../../state/lock.js";
import { clusterPaths } from "../../state/paths.js";
import { SCHEMA_VERSION } from "../../state/schema.js";
import { ClusterStore, StateRefusedError } from "../../state/store.js";
import { ResolvedConfig } from "../config/resolved.js";
import { UsageError } from "../config/resolve.js";
import { discardLog } from "../engine/attempt-log.js";
import {
  assertCommandPossible,
  planCommand,
  runEngine,
  topologyOf,
  type Command,
  type EngineResult,
  type Observed,
  type PlanRow,
} from "../engine/engine.js";
import { allStopped } from "../runtime/live.js";
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
        steps: {},
        outputs: { nodes: [] },
      },
      deps.env,
    );
    return runEngine({ store, config, driver: deps.driver, reporter: deps.reporter, command: { kind: "create" }, env: deps.env, signal: deps.signal });
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

/** The commands that continue an existing cluster: resume, retry, start, stop. */
export type ContinueCommand = Exclude<Command, { kind: "create" }>;

/** What `--timeout` on resume/retry/start/stop changes: this run only; the cluster keeps its own. */
function withRunTimeouts(stored: ResolvedConfig, timeouts: Partial<Record<StepId, number>> | undefined): ResolvedConfig {
  return { ...stored, timeoutsMs: { ...stored.timeoutsMs, ...timeouts } };
}

/** Refuses what cannot apply, before the lock or any step: exit 2 with the reason. */
function assertApplicable(store: ClusterStore, config: ResolvedConfig, command: ContinueCommand, observed?: Observed): void {
  if (command.kind === "retry") {
    const chain = chainsOf(command.step)[0]!;
    const skip = skippedSteps(chain, topologyOf(config)).get(command.step);
    if (skip) throw new UsageError(`step ${stepDef(command.step).short} (${command.step}) does not apply to cluster "${store.name}": ${skip}`);
  }
  assertCommandPossible(store, config, command, observed);
}

/**
 * A cluster on disk as ready whose VMs are all stopped was stopped behind kina's back (a Mac
 * restart, `container system stop`): `start`, `resume` and `stop` ask `container` first (one list).
 */
async function observe<S>(store: ClusterStore, config: ResolvedConfig, command: ContinueCommand, deps: Pick<OperationDeps<S>, "driver" | "env">): Promise<Observed | undefined> {
  if (command.kind === "retry") return undefined;
  const position = positionOf(store.data.machine);
  if (position.kind !== "settled" || position.state !== "ready") return undefined;
  const states = await deps.driver.liveVmStates(store.name, deps.env);
  return { vmsStopped: allStopped(states, config.nodes.map((n) => n.name)) };
}

export async function continueCluster<S>(
  name: string,
  command: ContinueCommand,
  deps: OperationDeps<S> & { timeouts?: Partial<Record<StepId, number>> },
): Promise<EngineResult> {
  // Checked before the lock: a cluster that does not exist gets no folder.
  const found = await openCluster(name, deps.env);
  // A live kina working on the cluster is the answer, whatever its state on disk looks like
  // meanwhile (a running create reads as not yet ready, which is not a reason to give).
  const holder = await liveLockHolder(found.paths.lock);
  if (holder) throw new ClusterLockedError(name, holder);
  command = addonRetryAsResume(found, command);
  const foundConfig = withRunTimeouts(storedConfig(found), deps.timeouts);
  assertApplicable(found, foundConfig, command, await observe(found, foundConfig, command, deps));
  return withLock(name, deps, async () => {
    // Read again under the lock: another process may have moved the cluster on meanwhile.
    const store = await openCluster(name, deps.env);
    command = addonRetryAsResume(store, command);
    let config = withRunTimeouts(storedConfig(store), deps.timeouts);
    const observed = await observe(store, config, command, deps);
    assertApplicable(store, config, command, observed);
    await deps.driver.preflight(config, deps.driver.services({ log: discardLog, signal: deps.signal, env: deps.env }));
    if (command.kind === "install") config = withRunTimeouts(await recordAddonChoice(store, command.addon, "install", command.manifest), deps.timeouts);
    const result = await runEngine({ store, config, driver: deps.driver, reporter: deps.reporter, command, env: deps.env, signal: deps.signal, ...(observed ? { observed } : {}) });
    if (command.kind === "uninstall" && result.phase === "ready") await recordAddonChoice(store, command.addon, "uninstall");
    return result;
  });
}

/**
 * `kina retry addons` after a failed `kina install ADDON`: the failed addon is re-run where its
 * install chain stopped (what is done is verified, not redone), as `kina resume` would.
 */
function addonRetryAsResume(store: ClusterStore, command: ContinueCommand): ContinueCommand {
  if (command.kind !== "retry" || command.step !== "addonsReady") return command;
  const position = positionOf(store.data.machine);
  const failed = position.kind === "settled" ? position.failure?.chain : undefined;
  return failed?.startsWith("install-") || failed?.startsWith("uninstall-") ? { kind: "resume" } : command;
}

/**
 * An install adds the addon (and the user's --manifest, if any) to the cluster's config, so a
 * later resume verifies it; a finished uninstall takes it out. Returns the config now stored.
 */
async function recordAddonChoice(store: ClusterStore, addon: AddonName, kind: "install" | "uninstall", manifest?: string): Promise<ResolvedConfig> {
  const config = storedConfig(store);
  const addons = config.addons.filter((a) => a !== addon);
  const manifests: Partial<Record<AddonName, string>> = { ...config.addonManifests };
  delete manifests[addon];
  if (kind === "install") {
    addons.push(addon);
    if (manifest) manifests[addon] = manifest;
  }
  const next: ResolvedConfig = { ...config, addons };
  if (Object.keys(manifests).length) next.addonManifests = manifests;
  else delete next.addonManifests;
  store.data.config = next;
  await store.save();
  return next;
}

/** `kina resume --dry-run`: per step, skip or run and why, from the same machine. Changes nothing. */
export async function planContinue<S>(
  name: string,
  command: ContinueCommand,
  deps: Pick<OperationDeps<S>, "driver" | "env" | "signal">,
): Promise<PlanRow[]> {
  const store = await openCluster(name, deps.env);
  const config = storedConfig(store);
  const observed = await observe(store, config, command, deps);
  assertApplicable(store, config, command, observed);
  return planCommand({ store, config, driver: deps.driver, command, env: deps.env, signal: deps.signal, ...(observed ? { observed } : {}) });
}

/** What a delete left behind when the state file could not be read: the folder, and why. */
export interface StateKept {
  keptDir: string;
  why: string;
}

/**
 * Removes VMs, network and kubeconfig entries, then the cluster folder. Works without state; with
 * a state file it cannot read, removes what it finds by label and keeps the folder (StateKept).
 */
export async function deleteCluster<S>(name: string, deps: Omit<OperationDeps<S>, "reporter">): Promise<"deleted" | "absent" | StateKept> {
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
      await teardown();
      return { result: { keptDir: paths.dir, why: error.reason } satisfies StateKept, keepDir: true };
    }
    await teardown(store);
    return { result: store ? ("deleted" as const) : ("absent" as const), keepDir: false };
  });
  // After the lock is released, so the lock file goes with the folder.
  if (!keepDir) await rm(paths.dir, { recursive: true, force: true });
  return result;
}
