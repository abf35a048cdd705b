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

/**
 * The name every kubeconfig, kube-proxy, kindnet and joining node use for the API server instead
 * of the first control plane's IP, which Apple `container` changes on every VM start. Each node
 * resolves it through a block kina keeps in its /etc/hosts (see writeHostsBlock), and it is in the
 * apiserver certificate's SANs, so a restart only has to update name resolution.
 */
export const CONTROL_PLANE_HOST = "kina-control-plane";
export const CONTROL_PLANE_ENDPOINT = `${CONTROL_PLANE_HOST}:6443`;

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
  await applyContainerdPatches(ctx, node);
}

const CONTAINERD_DROPIN_DIR = "/etc/containerd/conf.d";

/**
 * kind's `containerdConfigPatches`: each becomes a drop-in /etc/containerd/conf.d/kina-patch-N.toml
 * (containerd 2.x merges conf.d/*.toml into /etc/containerd/config.toml, as kind merges its
 * patches), then containerd restarts once and kina waits for its socket. A drop-in that is
 * already there unchanged restarts nothing, so a resume or a start does not bounce containerd.
 */
async function applyContainerdPatches(ctx: KinaContext, node: ResolvedNode): Promise<void> {
  const patches = ctx.config.containerdConfigPatches;
  if (patches.length === 0) return;
  const runtime = ctx.services.runtime;
  let changed = false;
  for (const [i, patch] of patches.entries()) {
    const path = `${CONTAINERD_DROPIN_DIR}/kina-patch-${i + 1}.toml`;
    const content = `# containerdConfigPatches[${i}], written by kina\n${patch.endsWith("\n") ? patch : `${patch}\n`}`;
    const current = await runtime.readFile(node.name, path).catch(() => undefined);
    if (current === content) continue;
    await runtime.exec(node.name, ["mkdir", "-p", CONTAINERD_DROPIN_DIR]);
    await runtime.writeFile(node.name, path, content, 0o644);
    changed = true;
  }
  if (!changed) return;
  ctx.progress(`restarting containerd in ${node.name} for containerdConfigPatches`);
  const restart = await runtime.exec(node.name, ["systemctl", "restart", "containerd"]);
  if (restart.exitCode !== 0) {
    throw new Error(
      `containerd did not restart in ${node.name} after applying containerdConfigPatches (exit ${restart.exitCode}): ` +
        `${restart.stderr.trim().split("\n").at(-1) ?? ""}; check the patches' TOML`,
    );
  }
  await waitFor(
    `containerd in ${node.name} (${CONTAINERD_SOCKET})`,
    async () => (await runtime.exec(node.name, ["test", "-S", CONTAINERD_SOCKET])).exitCode === 0,
    ctx.signal,
  );
}

const HOSTS_BEGIN = "# kina: begin (kept current by kina; Apple container rewrites this file at every boot)";
const HOSTS_END = "# kina: end";

/** /etc/hosts with kina's block (the control-plane name and every node) set to `nodes`' addresses. */
export function withHostsBlock(hosts: string, nodes: readonly { name: string; role: string; ip?: string }[]): string {
  const kept: string[] = [];
  let inside = false;
  for (const line of hosts.split("\n")) {
    if (line === HOSTS_BEGIN) inside = true;
    else if (line === HOSTS_END) inside = false;
    else if (!inside) kept.push(line);
  }
  while (kept.length && kept[kept.length - 1] === "") kept.pop();
  const cp = nodes.find((n) => n.role === "control-plane" && n.ip);
  const block = [HOSTS_BEGIN, ...(cp ? [`${cp.ip}\t${CONTROL_PLANE_HOST}`] : []), ...nodes.filter((n) => n.ip).map((n) => `${n.ip}\t${n.name}`), HOSTS_END];
  return `${[...kept, ...block].join("\n")}\n`;
}

/**
 * Writes kina's /etc/hosts block on every node, for all addresses at once: whatever permutation
 * of IPs the VMs came back with, one pass makes every name point at its node's address now.
 */
export async function writeHostsBlocks(ctx: KinaContext, nodes: readonly { name: string; role: string; ip?: string }[]): Promise<void> {
  const runtime = ctx.services.runtime;
  await Promise.all(
    nodes.map(async (node) => {
      const current = await runtime.readFile(node.name, "/etc/hosts");
      const wanted = withHostsBlock(current, nodes);
      if (wanted !== current) await runtime.writeFile(node.name, "/etc/hosts", wanted, 0o644);
    }),
  );
}

/** The first node whose /etc/hosts block does not match `nodes`, with why; undefined when all do. */
export async function staleHostsBlock(ctx: KinaContext, nodes: readonly { name: string; role: string; ip?: string }[]): Promise<string | undefined> {
  for (const node of nodes) {
    const current = await ctx.services.runtime.readFile(node.name, "/etc/hosts");
    if (withHostsBlock(current, nodes) !== current) return `${node.name}: /etc/hosts does not map ${CONTROL_PLANE_HOST} and the nodes to their addresses now`;
  }
  return undefined;
}
