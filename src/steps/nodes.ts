// Helpers the node steps share: names, labels, the first control plane, polling a condition.

import type { ResolvedConfig, ResolvedNode } from "../config/resolved.js";

export const CLUSTER_LABEL = "io.kina.cluster";
export const ROLE_LABEL = "io.kina.role";

export function firstControlPlane(config: ResolvedConfig): ResolvedNode {
  const cp = config.nodes.find((n) => n.role === "control-plane");
  if (!cp) throw new Error("the cluster config has no control-plane node");
  return cp;
}

export function nodeLabels(cluster: string, node: ResolvedNode): Record<string, string> {
  return { [CLUSTER_LABEL]: cluster, [ROLE_LABEL]: node.role };
}

export function networkName(cluster: string): string {
  return `kina-${cluster}`;
}

/**
 * Waits for `check` to report true, asking again every `intervalMs` until the signal aborts
 * (the step's timeout). Used for conditions kina can only observe by asking (a socket appearing
 * inside a VM), never as synchronisation between kina's own actions.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  signal: AbortSignal,
  intervalMs = 500,
): Promise<void> {
  for (;;) {
    if (await check()) return;
    if (signal.aborted) throw new Error(`gave up waiting for ${what}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, intervalMs);
      signal.addEventListener(
        "abort",
        () => {
          clearTimeout(timer);
          resolve();
        },
        { once: true },
      );
    });
    if (signal.aborted) throw new Error(`gave up waiting for ${what}`);
  }
}
