// Helpers the node steps share: names, labels, the first control plane, preparing a node.

import type { ResolvedConfig, ResolvedNode } from "../config/resolved.js";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { waitFor } from "../engine/wait.js";
import { nodeImageContextDir, NODE_PREP_PATH } from "../image/nodeImage.js";
import type { KinaContext } from "./services.js";

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

const CONTAINERD_SOCKET = "/run/containerd/containerd.sock";

/** kina's node prep script, as shipped in images/node. */
export async function readPrepScript(): Promise<string> {
  return readFile(join(nodeImageContextDir(), "files", NODE_PREP_PATH), "utf8");
}

/**
 * Waits for containerd inside a node, then runs the node prep script there (sysctls, MSS clamp,
 * iptables backend, containerd snapshotter). The script ships in the kina image and runs at every
 * boot; writing it again covers nodes started from any other image (--image kindest/node:…) and
 * keeps one source for what "prepared" means.
 */
export async function prepareNode(ctx: KinaContext, node: ResolvedNode, prepScript: string): Promise<void> {
  const runtime = ctx.services.runtime;
  await waitFor(
    `containerd in ${node.name} (${CONTAINERD_SOCKET})`,
    async () => (await runtime.exec(node.name, ["test", "-S", CONTAINERD_SOCKET])).exitCode === 0,
    ctx.signal,
  );
  await runtime.writeFile(node.name, NODE_PREP_PATH, prepScript, 0o755);
  const result = await runtime.exec(node.name, ["/bin/sh", NODE_PREP_PATH]);
  if (result.exitCode !== 0) {
    throw new Error(`node prep failed in ${node.name} (exit ${result.exitCode}): ${result.stderr.trim().split("\n").at(-1) ?? ""}`);
  }
}
