// API and node checks shared by the steps that talk to the cluster.

import type { KubeAccess } from "../kube/access.js";
import { StepTimeoutError } from "../engine/errors.js";
import { waitFor } from "../engine/wait.js";
import { nodesReady, type NodeLike } from "./kube-waits.js";

/**
 * Waits until the API answers /readyz through `kube`, asking once a second. When the step's
 * timeout ends the wait, `onTimeout` gets the last answer (or error) to build the step's error;
 * Ctrl-C is passed on as it is.
 */
export async function waitForReadyz(kube: KubeAccess, signal: AbortSignal, onTimeout: (last: string) => Error): Promise<void> {
  let last = "no answer yet";
  try {
    await waitFor(
      `the API server at ${kube.server}`,
      async () => {
        const r = await kube.readyz();
        last = r.detail;
        return r.ok;
      },
      signal,
      1000,
    );
  } catch (error) {
    if (signal.reason instanceof StepTimeoutError) throw onTimeout(last);
    throw error;
  }
}

export function nodesReadyOrRegistered(nodes: NodeLike[], expected: string[], want: "registered" | "ready"): { done: boolean; reason: string } {
  if (want === "ready") return nodesReady(nodes, expected);
  const missing = expected.filter((n) => !nodes.some((node) => node.metadata.name === n));
  return missing.length ? { done: false, reason: `node(s) not registered: ${missing.join(", ")}` } : { done: true, reason: "all nodes registered" };
}
