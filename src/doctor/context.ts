// What the doctor checks share: the `container` adapter, the cluster config being judged, and each
// host probe run at most once (several checks read the same `system status`).

import { runProcess, type ProcessResult } from "../runtime/process.js";
import type { ContainerCli } from "../runtime/container.js";
import type { Container, SystemProperties, SystemStatus } from "../runtime/schemas.js";
import { macosVersion } from "../runtime/preflight.js";

/** The cluster the checks judge against: from --config, the cluster's stored config, or defaults. */
export interface DoctorConfig {
  name: string;
  /** Where the config came from, e.g. `--config kind.yaml`, `cluster "dev"'s state`, `defaults`. */
  source: string;
  cni: "kindnet" | "cilium" | "none";
  nodes: { name: string; role: string; memoryMiB: number }[];
}

export type Probe<T> = { ok: true; value: T } | { ok: false; error: unknown };

function memo<T>(fn: () => Promise<T>): () => Promise<Probe<T>> {
  let cached: Promise<Probe<T>> | undefined;
  return () =>
    (cached ??= fn().then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    ));
}

export interface DoctorContext {
  cli: ContainerCli;
  env: NodeJS.ProcessEnv;
  config: DoctorConfig;
  /** Clusters kina has state for. */
  knownClusters: string[];
  version: () => Promise<Probe<string>>;
  status: () => Promise<Probe<SystemStatus>>;
  properties: () => Promise<Probe<SystemProperties>>;
  containers: () => Promise<Probe<Container[]>>;
  macos: () => Promise<Probe<string>>;
  /** Runs a host tool (sw_vers, sysctl, netstat, helm…); a missing binary is `spawnErrorCode: "ENOENT"`. */
  host: (binary: string, args: string[]) => Promise<ProcessResult>;
}

export function doctorContext(options: {
  cli: ContainerCli;
  env: NodeJS.ProcessEnv;
  config: DoctorConfig;
  knownClusters: string[];
  signal?: AbortSignal;
}): DoctorContext {
  const { cli, env, signal } = options;
  return {
    cli,
    env,
    config: options.config,
    knownClusters: options.knownClusters,
    version: memo(() => cli.version()),
    status: memo(() => cli.systemStatus()),
    properties: memo(() => cli.systemProperties()),
    containers: memo(() => cli.list({ all: true })),
    macos: memo(() => macosVersion({ env, ...(signal ? { signal } : {}) })),
    host: (binary, args) => runProcess(binary, args, { env, ...(signal ? { signal } : {}) }),
  };
}
