// The services real steps use: the `container` adapter (commands logged to the attempt log) and,
// imported only when a step asks for it, the Kubernetes client.

import { ContainerCli } from "../runtime/container.js";
import { runProcess, type CommandRecord as RuntimeCommand, type ProcessResult } from "../runtime/process.js";
import type { ServiceOptions, StepContext, Step, TeardownContext } from "./step.js";
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

/**
 * Starts loading the Kubernetes client (client-node is most of kina's start-up) in the
 * background, so a step that waits on the VMs pays for it in parallel instead of the first
 * Kubernetes step paying for it on the critical path. A failure surfaces where it is used.
 */
export function preloadKubeClient(): void {
  import("../kube/access.js").catch(() => undefined);
}
export type KinaContext = StepContext<KinaServices>;
export type KinaTeardownContext = TeardownContext<KinaServices>;

export function createServices(opts: ServiceOptions): KinaServices {
  const count = opts.onContainerCall;
  const onCommand = (r: RuntimeCommand) =>
    opts.log.command({
      argv: r.argv,
      ...(r.exitCode !== undefined ? { exitCode: r.exitCode } : {}),
      stdout: r.stdoutRedacted ? "(withheld: holds credentials)" : r.stdout,
      stderr: r.stderr,
    });
  const runtime = new ContainerCli({ env: opts.env, signal: opts.signal, ...(count ? { onSpawn: () => count() } : {}), onCommand });
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
