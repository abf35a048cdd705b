// kina exec NODE [-- CMD…]: a command (default: a shell) in one node VM, attached to this terminal,
// like `minikube ssh`. The exit code is the command's own.

import { listClusterNames } from "../../../state/list.js";
import { UsageError } from "../../config/resolve.js";
import type { CommandContext } from "../context.js";

interface KnownNode {
  cluster: string;
  name: string;
}

// Node names come from state (what vmRunning recorded, else the planned names), for every cluster,
// so `dev-worker` works whatever --name says.
async function knownNodes(env: NodeJS.ProcessEnv): Promise<KnownNode[]> {
  const { openCluster } = await import("../../cluster/open.js");
  const out: KnownNode[] = [];
  for (const cluster of await listClusterNames(env)) {
    const data = (await openCluster(cluster, env)).data;
    const planned = (data.config as { nodes?: { name: string }[] } | undefined)?.nodes ?? [];
    const nodes = data.outputs.nodes.length > 0 ? data.outputs.nodes : planned;
    for (const n of nodes) out.push({ cluster, name: n.name });
  }
  return out;
}

/** The node VM `node` names: a full node name, or a role name (`worker2`) in the current cluster. */
export function resolveNode(nodes: readonly KnownNode[], node: string, currentCluster: string): KnownNode | undefined {
  return nodes.find((n) => n.name === node) ?? nodes.find((n) => n.cluster === currentCluster && n.name === `${currentCluster}-${node}`);
}

export async function execCommand(c: CommandContext, node: string, argv: string[], name: string | undefined): Promise<number> {
  const { pickClusterName } = await import("../../config/resolve.js");
  const current = pickClusterName(undefined, name, c.io.env);
  const nodes = await knownNodes(c.io.env);
  const target = resolveNode(nodes, node, current);
  if (!target) {
    const listed = nodes.length > 0 ? nodes.map((n) => n.name).join(", ") : "none (no kina clusters; `kina create` makes one)";
    throw new UsageError(`unknown node "${node}"; nodes: ${listed}`);
  }
  const { ContainerCli } = await import("../../runtime/container.js");
  const { containerBinary } = await import("../../runtime/live.js");
  const runtime = new ContainerCli({ binary: containerBinary(c.io.env), env: c.io.env });
  const command = argv.length > 0 ? argv : await defaultShell(runtime, target.name);
  const tty = Boolean((c.io.stdin as NodeJS.ReadStream).isTTY);
  return runtime.execAttached(target.name, command, { tty });
}

// kindest/node ships bash (kind.md §5); a user's own node image may only have sh.
async function defaultShell(runtime: import("../../runtime/container.js").ContainerCli, node: string): Promise<string[]> {
  const probe = await runtime.exec(node, ["test", "-x", "/bin/bash"]);
  return probe.exitCode === 0 ? ["bash"] : ["sh"];
}
