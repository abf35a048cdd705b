// What `container` says about a cluster's VMs right now, for `kina status`: one
// `container list --all --format json` call, read without the adapter's heavy imports (execa,
// zod) so status stays fast. Any failure (no `container`, service down) means "unknown": status
// then shows what state.json says.


const CLUSTER_LABEL = "io.kina.cluster";

/** The binary kina drives: `$KINA_CONTAINER`, else `container` on PATH (as the adapter). */
export function containerBinary(env: NodeJS.ProcessEnv): string {
  return env.KINA_CONTAINER && env.KINA_CONTAINER.length > 0 ? env.KINA_CONTAINER : "container";
}

/** Node VM name → state ("running", "stopped", …) for the cluster's VMs; undefined when unknown. */
export async function liveVmStates(cluster: string, env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<Map<string, string> | undefined> {
  const vms = await liveKinaVms(env, timeoutMs);
  if (vms === undefined) return undefined;
  const out = new Map<string, string>();
  for (const vm of vms) if (vm.cluster === cluster) out.set(vm.name, vm.state);
  return out;
}

/** One VM labelled for a kina cluster, as `container list --all` shows it now. */
export interface LiveVm {
  name: string;
  cluster: string;
  state: string;
  /** The first network attachment's IPv4 address without its prefix (reference §4.1); set while running. */
  ip?: string;
}

/** Every VM labelled `io.kina.cluster`, from one `container list --all --format json`; undefined when unknown. */
export async function liveKinaVms(env: NodeJS.ProcessEnv, timeoutMs = 5000): Promise<LiveVm[] | undefined> {
  // Loaded on the call, not with the module: `kina get clusters` without --json never spawns. A
  // synchronous spawn: the callers (status, get, start's and resume's first look) wait for the
  // answer with nothing else to do, and it skips the stream set-up of an asynchronous child,
  // the larger part of what the call costs kina.
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(containerBinary(env), ["list", "--all", "--format", "json"], {
    env,
    timeout: timeoutMs,
    encoding: "utf8",
    maxBuffer: 1024 * 1024,
    stdio: ["ignore", "pipe", "pipe"],
  });
  if (r.error || r.status !== 0) return undefined;
  try {
    const list = JSON.parse(r.stdout) as {
      configuration?: { id?: string; labels?: Record<string, string> };
      status?: { state?: string; networks?: { ipv4Address?: string }[] };
    }[];
    const out: LiveVm[] = [];
    for (const c of Array.isArray(list) ? list : []) {
      const cluster = c.configuration?.labels?.[CLUSTER_LABEL];
      if (cluster === undefined || !c.configuration?.id) continue;
      const ip = c.status?.networks?.[0]?.ipv4Address?.split("/")[0];
      out.push({ name: c.configuration.id, cluster, state: c.status?.state ?? "unknown", ...(ip ? { ip } : {}) });
    }
    return out;
  } catch {
    return undefined;
  }
}

/** Whether every one of the node VMs exists and is stopped: a cluster stopped behind kina's back. */
export function allStopped(states: Map<string, string> | undefined, nodes: readonly string[]): boolean {
  return states !== undefined && nodes.length > 0 && nodes.every((n) => states.get(n) === "stopped");
}
