// Helpers the node steps share: names, labels, the first control plane, preparing a node.

import type { ResolvedConfig, ResolvedNode } from "../config/resolved.js";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { waitFor } from "../engine/wait.js";
import { nodeImageContextDir, NODE_PREP_PATH } from "../image/nodeImage.js";
import { renderKubeadmConfig } from "../kubeadm/index.js";
import { ipv4Of } from "../runtime/schemas.js";
import type { NodeOutput } from "../../state/schema.js";
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

/**
 * Each node's IPv4 now, from one `container list --all` (one round trip however many nodes); the
 * log says which ones moved.
 */
export async function currentAddresses(ctx: KinaContext): Promise<NodeOutput[]> {
  const listed = new Map((await ctx.services.runtime.list({ all: true })).map((c) => [c.configuration.id, c]));
  const recorded: NodeOutput[] = [];
  for (const node of ctx.config.nodes) {
    const c = listed.get(node.name);
    if (!c) throw new Error(`VM ${node.name} is gone: \`container list --all\` does not show it`);
    const ip = ipv4Of(c);
    if (!ip) throw new Error(`${node.name} is ${c.status.state === "running" ? "running but has no IPv4 address" : c.status.state}`);
    const before = ctx.outputs.nodes.find((n) => n.name === node.name)?.ip;
    if (before && before !== ip) ctx.log.line(`${node.name}: new address ${before} → ${ip}`);
    recorded.push({ name: node.name, role: node.role, ip });
  }
  return recorded;
}

/**
 * The kubeadm config for one node (/kind/kubeadm.conf): the cluster's settings and patches, the
 * node's own, and the stable endpoint every node resolves through kina's /etc/hosts block (it
 * survives the new IP Apple `container` gives a VM on every start).
 */
export function nodeKubeadmConfig(
  ctx: KinaContext,
  node: ResolvedNode,
  ip: string,
  extra: { kubernetesVersion: string; bootstrapToken?: string; certificateKey?: string },
): string {
  return renderKubeadmConfig({
    clusterName: ctx.cluster,
    kubernetesVersion: extra.kubernetesVersion,
    nodeName: node.name,
    nodeIp: ip,
    role: node.role,
    podSubnet: ctx.config.networking.podSubnet,
    serviceSubnet: ctx.config.networking.serviceSubnet,
    kubeProxyMode: ctx.config.networking.kubeProxyMode,
    featureGates: ctx.config.featureGates,
    runtimeConfig: ctx.config.runtimeConfig,
    controlPlaneEndpoint: CONTROL_PLANE_ENDPOINT,
    extraCertSANs: ["127.0.0.1", "localhost", ip, node.name, CONTROL_PLANE_HOST],
    ...(extra.bootstrapToken ? { bootstrapToken: extra.bootstrapToken } : {}),
    ...(extra.certificateKey ? { certificateKey: extra.certificateKey } : {}),
    kubeadmConfigPatches: ctx.config.kubeadmConfigPatches,
    kubeadmConfigPatchesJSON6902: ctx.config.kubeadmConfigPatchesJSON6902,
    nodeKubeadmConfigPatches: node.kubeadmConfigPatches,
    nodeKubeadmConfigPatchesJSON6902: node.kubeadmConfigPatchesJSON6902,
    nodeLabels: node.labels,
  });
}

/** The node's Kubernetes version from /kind/version; the configured one when it has none. */
export async function nodeKubernetesVersion(ctx: KinaContext, node: string): Promise<string> {
  const result = await ctx.services.runtime.exec(node, ["cat", "/kind/version"]);
  const version = result.stdout.trim();
  if (result.exitCode !== 0 || !/^v\d+\.\d+\.\d+/.test(version)) {
    ctx.log.line(`no usable /kind/version in ${node}; using the configured ${ctx.config.kubernetesVersion}`);
    return ctx.config.kubernetesVersion;
  }
  return version;
}

/** kina's node prep script, as shipped in images/node. */
export async function readPrepScript(): Promise<string> {
  return readFile(join(nodeImageContextDir(), "files", NODE_PREP_PATH), "utf8");
}

/**
 * Waits for containerd inside a node, then runs the node prep script there (sysctls, MSS clamp,
 * iptables backend, containerd snapshotter). The script ships in the kina image and runs at every
 * boot; writing it again covers nodes started from any other image (--image kindest/node:…) and
 * keeps one source for what "prepared" means. The wait is the script's own (`--wait-containerd`):
 * one blocking exec that polls inside the VM, instead of one `container exec` round trip per poll.
 */
export async function prepareNode(ctx: KinaContext, node: ResolvedNode, prepScript: string): Promise<void> {
  const runtime = ctx.services.runtime;
  await assertNodeImage(ctx, node);
  await runtime.writeFile(node.name, NODE_PREP_PATH, prepScript, 0o755);
  // Within the step's timeout, so that a containerd that never starts is reported by the script.
  const waitSeconds = Math.max(1, Math.floor((ctx.timeoutMs * 0.8) / 1000));
  const result = await runtime.exec(node.name, ["/bin/sh", NODE_PREP_PATH, "--wait-containerd", String(waitSeconds)]);
  if (result.exitCode === CONTAINERD_NOT_ACTIVE) {
    throw new Error(
      `gave up waiting for containerd in ${node.name} (${CONTAINERD_SOCKET}) after ${waitSeconds}s: the socket never appeared; ` +
        `${node.image} has /kind/version, so look at \`container logs ${node.name}\` for why systemd did not start containerd`,
    );
  }
  if (result.exitCode !== 0) {
    throw new Error(`node prep failed in ${node.name} (exit ${result.exitCode}): ${result.stderr.trim().split("\n").at(-1) ?? ""}`);
  }
  await applyContainerdPatches(ctx, node);
}

/** kina-node-prep's exit status when containerd was not active within --wait-containerd. */
const CONTAINERD_NOT_ACTIVE = 3;

/**
 * Every kind or kina node image carries /kind/version; an image without it (nginx, alpine) would
 * otherwise leave kina waiting the whole step timeout for a containerd that never starts.
 */
async function assertNodeImage(ctx: KinaContext, node: ResolvedNode): Promise<void> {
  const runtime = ctx.services.runtime;
  const c = await runtime.tryInspect(node.name);
  if (c && c.status.state !== "running") {
    throw Object.assign(new Error(`VM ${node.name} is ${c.status.state} right after it was started: ${node.image} exited`), {
      hint: `see \`container logs ${node.name}\`; node images are kindest/node or kina/node (kina build node-image)`,
    });
  }
  const probe = await runtime.exec(node.name, ["test", "-f", "/kind/version"]);
  if (probe.exitCode !== 0) {
    throw Object.assign(new Error(`${node.image} is not a kind or kina node image: /kind/version is missing in ${node.name}`), {
      hint: "use a kindest/node or kina/node image (kina build node-image), or leave out --image / nodes[].image",
    });
  }
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
