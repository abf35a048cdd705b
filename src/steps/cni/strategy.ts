// The shape every CNI kina installs has (cniInstalled picks one by networking.cni): put the CNI in
// place (idempotent, so `kina retry cni` re-applies), wait until it runs, and verify it still does.
// Readiness is the same for all of them: the CNI's agent DaemonSet rolled out, then every node Ready.

import type { KubeAccess } from "../../kube/access.js";
import { daemonSetRolledOut, nodesReady, type DaemonSetLike, type NodeLike } from "../kube-waits.js";
import type { KinaContext } from "../services.js";
import type { Verification } from "../step.js";

export interface CniStrategy {
  /** Installs or re-applies the CNI. */
  install(ctx: KinaContext, kube: KubeAccess): Promise<void>;
  /** Waits until the CNI runs and every node is Ready. */
  waitReady(ctx: KinaContext, kube: KubeAccess): Promise<void>;
  /** Whether the CNI still runs and every node is Ready (cheap; no install). */
  verify(ctx: KinaContext, kube: KubeAccess): Promise<Verification>;
}

export interface AgentRef {
  namespace: string;
  name: string;
}

export async function waitForAgentAndNodes(ctx: KinaContext, kube: KubeAccess, agent: AgentRef): Promise<void> {
  ctx.progress(`waiting for DaemonSet ${agent.name} to roll out`);
  await kube.waitUntil(
    `DaemonSet ${agent.namespace}/${agent.name}`,
    () => kube.list<DaemonSetLike>("apps/v1", "DaemonSet", agent.namespace),
    `/apis/apps/v1/namespaces/${agent.namespace}/daemonsets`,
    (items) => daemonSetRolledOut(items.find((d) => d.metadata.name === agent.name), agent.name),
  );
  ctx.progress("waiting for every node to be Ready");
  const names = ctx.config.nodes.map((n) => n.name);
  await kube.waitUntil("nodes Ready", () => kube.list<NodeLike>("v1", "Node"), "/api/v1/nodes", (nodes) => nodesReady(nodes, names));
}

export async function verifyAgentAndNodes(ctx: KinaContext, kube: KubeAccess, agent: AgentRef): Promise<Verification> {
  const ds = daemonSetRolledOut(await kube.read<DaemonSetLike>("apps/v1", "DaemonSet", agent.name, agent.namespace), agent.name);
  if (!ds.done) return { ok: false, reason: ds.reason };
  const nodes = nodesReady((await kube.list<NodeLike>("v1", "Node")).items, ctx.config.nodes.map((n) => n.name));
  return nodes.done ? { ok: true } : { ok: false, reason: nodes.reason };
}
