// The services real steps use: the `container` adapter (commands logged to the attempt log) and,
// imported only when a step asks for it, the Kubernetes client.

import { ContainerCli } from "../runtime/container.js";
import { runProcess, type CommandRecord as RuntimeCommand, type ProcessResult } from "../runtime/process.js";
import type { StepContext, StepLog, Step, TeardownContext } from "./step.js";
import type { KubeAccess } from "../kube/access.js";

export interface KinaServices {
  runtime: ContainerCli;
  /** Kubernetes API access through a kubeconfig file; loads client-node on first use. */
  kube(kubeconfigPath: string): Promise<KubeAccess>;
  /**
   * Runs a host tool found on PATH (helm), argument array, logged to the attempt log like
   * `container` calls; a missing binary resolves with `spawnErrorCode: "ENOENT"`.
   */
  host(binary: string, args: readonly string[], opts?: { timeoutMs?: number }): Promise<ProcessResult>;
}

export type KinaStep = Step<KinaServices>;
export type KinaContext = StepContext<KinaServices>;
export type KinaTeardownContext = TeardownContext<KinaServices>;

export function createServices(opts: { log: StepLog; signal: AbortSignal; env: NodeJS.ProcessEnv }): KinaServices {
  const onCommand = (r: RuntimeCommand) =>
    opts.log.command({
      argv: r.argv,
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      stdout: r.stdoutRedacted ? "(withheld: holds credentials)" : r.stdout,
      stderr: r.stderr,
    });
  const runtime = new ContainerCli({ env: opts.env, signal: opts.signal, onCommand });
  return {
    runtime,
    host: (binary, args, o = {}) =>
      runProcess(binary, args, { env: opts.env, signal: opts.signal, onCommand, ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}) }),
    kube: async (kubeconfigPath) => {
      const { openKubeAccess } = await import("../kube/access.js");
      return openKubeAccess(kubeconfigPath, { signal: opts.signal, log: opts.log });
    },
  };
}
