// The step interface: every bootstrap step is `run` (idempotent; does the work) plus `verify`
// (cheap; does the result still hold?). Steps get everything through the context, never globals,
// so tests inject doubles through the same door.

import type { ChainId, StepId } from "../../machines/workflows.js";
import type { ClusterPaths } from "../../state/paths.js";
import type { Outputs, StepRecord } from "../../state/schema.js";
import type { ResolvedConfig } from "../config/resolved.js";

export type Verification = { ok: true } | { ok: false; reason: string };

/** One command a step ran, as the attempt log records it. */
export interface CommandRecord {
  argv: readonly string[];
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  durationMs?: number;
}

export interface StepLog {
  /** The attempt's log file. */
  readonly path: string;
  line(text: string): void;
  command(record: CommandRecord): void;
}

export interface Clock {
  now(): Date;
}

/** What a step may use. `S` is the services bundle (runtime adapter, Kubernetes clients). */
export interface StepContext<S = Services> {
  cluster: string;
  /** The chain this attempt belongs to (a step may serve several). */
  chain: ChainId;
  config: ResolvedConfig;
  /** Live view of the outputs recorded so far. */
  readonly outputs: Outputs;
  /** Records outputs durably before returning. */
  setOutputs(patch: Partial<Outputs>): Promise<void>;
  paths: ClusterPaths;
  services: S;
  log: StepLog;
  clock: Clock;
  signal: AbortSignal;
  timeoutMs: number;
  attempt: number;
  /** Why this attempt runs: "first run", "retry requested", "interrupted", a failed verify. */
  reason: string;
  /** The step's record as it was before this attempt (kubeadm init needs to know one ran). */
  previous: StepRecord;
  /** A short status for the progress line. */
  progress(message: string): void;
  env: NodeJS.ProcessEnv;
}

export interface Step<S = Services> {
  run(ctx: StepContext<S>): Promise<void>;
  verify(ctx: StepContext<S>): Promise<Verification>;
}

/** Undoes a cluster: VMs, network, kubeconfig entries (the folder is removed by the caller). */
export interface TeardownContext<S = Services> {
  cluster: string;
  /** Known when state.json was readable; teardown must also work without it (by label). */
  config?: ResolvedConfig;
  outputs?: Outputs;
  services: S;
  log: StepLog;
  notice(message: string): void;
  env: NodeJS.ProcessEnv;
}

export interface ServiceOptions {
  log: StepLog;
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** Called once per `container` process the services start (the engine counts them per step). */
  onContainerCall?: () => void;
}

/** Everything cluster-specific the engine drives: the steps, teardown and the services they use. */
export interface ClusterDriver<S = Services> {
  /** A step's implementation, loaded on first use (the real driver imports src/steps/<id>.js). */
  loadStep(id: StepId): Promise<Step<S>>;
  /** Checks the host before the first step (container version, service, macOS for multi-node). */
  preflight(config: ResolvedConfig, services: S): Promise<void>;
  teardown(ctx: TeardownContext<S>): Promise<void>;
  /** The cluster's node VMs as `container` reports them now (name → state); undefined when unknown. */
  liveVmStates(cluster: string, env: NodeJS.ProcessEnv): Promise<Map<string, string> | undefined>;
  services(opts: ServiceOptions): S;
}

/** The real services bundle; kept as an open record so the engine does not import heavy modules. */
export type Services = Record<string, unknown>;
