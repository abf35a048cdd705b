// What `container` says about a cluster's VMs right now, for `kina status`: one
// `container list --all --format json` call, read without the adapter's heavy imports (execa,
// zod) so status stays fast. Any failure (no `container`, service down) means "unknown": status
// then shows what state.json says.

import { execFile } from "node:child_process";

const CLUSTER_LABEL = "io.kina.cluster";

/** The binary kina drives: `$KINA_CONTAINER`, else `container` on PATH (as the adapter). */
export function containerBinary(env: NodeJS.ProcessEnv): string {
  return env.KINA_CONTAINER && env.KINA_CONTAINER.length > 0 ? env.KINA_CONTAINER : "container";
}

/** Node VM name → state ("running", "stopped", …) for the cluster's VMs; undefined when unknown. */
export function liveVmStates(cluster: string, env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<Map<string, string> | undefined> {
  return new Promise((resolve) => {
    execFile(containerBinary(env), ["list", "--all", "--format", "json"], { env, timeout: timeoutMs, encoding: "utf8" }, (error, stdout) => {
      if (error) return resolve(undefined);
      try {
        const list = JSON.parse(stdout) as { configuration?: { id?: string; labels?: Record<string, string> }; status?: { state?: string } }[];
        const out = new Map<string, string>();
        for (const c of Array.isArray(list) ? list : []) {
          if (c.configuration?.labels?.[CLUSTER_LABEL] === cluster && c.configuration.id) out.set(c.configuration.id, c.status?.state ?? "unknown");
        }
        resolve(out);
      } catch {
        resolve(undefined);
      }
    });
  });
}

/** Whether every one of the node VMs exists and is stopped: a cluster stopped behind kina's back. */
export function allStopped(states: Map<string, string> | undefined, nodes: readonly string[]): boolean {
  return states !== undefined && nodes.length > 0 && nodes.every((n) => states.get(n) === "stopped");
}
