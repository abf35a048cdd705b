// Conditions the Kubernetes-side steps wait for, as pure checks over API objects.

export interface NodeLike {
  metadata: { name: string };
  spec?: { taints?: { key: string; effect: string }[] };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

export interface DaemonSetLike {
  metadata: { name: string; generation?: number };
  status?: {
    desiredNumberScheduled?: number;
    numberReady?: number;
    updatedNumberScheduled?: number;
    numberAvailable?: number;
    observedGeneration?: number;
  };
}

export interface DeploymentLike {
  metadata: { name: string; namespace?: string; generation?: number };
  spec?: { replicas?: number };
  status?: { observedGeneration?: number; availableReplicas?: number; conditions?: { type: string; status: string }[] };
}

export function nodesReady(nodes: NodeLike[], expected: string[]): { done: boolean; reason: string } {
  const missing = expected.filter((n) => !nodes.some((node) => node.metadata.name === n));
  if (missing.length) return { done: false, reason: `node(s) not registered: ${missing.join(", ")}` };
  const notReady = nodes
    .filter((n) => expected.includes(n.metadata.name))
    .filter((n) => n.status?.conditions?.find((c) => c.type === "Ready")?.status !== "True");
  if (notReady.length) {
    const first = notReady[0]!.status?.conditions?.find((c) => c.type === "Ready");
    return { done: false, reason: `node(s) NotReady: ${notReady.map((n) => n.metadata.name).join(", ")}${first?.message ? ` (${first.message})` : ""}` };
  }
  return { done: true, reason: "all nodes Ready" };
}

export function daemonSetRolledOut(ds: DaemonSetLike | undefined, name: string): { done: boolean; reason: string } {
  if (!ds) return { done: false, reason: `DaemonSet ${name} not found` };
  const s = ds.status ?? {};
  const desired = s.desiredNumberScheduled ?? 0;
  if ((s.observedGeneration ?? 0) < (ds.metadata.generation ?? 0)) return { done: false, reason: `DaemonSet ${name}: update not observed yet` };
  if (desired === 0) return { done: false, reason: `DaemonSet ${name}: no pods scheduled yet` };
  const ready = s.numberReady ?? 0;
  const updated = s.updatedNumberScheduled ?? 0;
  if (ready < desired || updated < desired) return { done: false, reason: `DaemonSet ${name}: ${ready}/${desired} pods ready` };
  return { done: true, reason: `DaemonSet ${name} rolled out` };
}

export function deploymentAvailable(d: DeploymentLike | undefined, name: string): { done: boolean; reason: string } {
  if (!d) return { done: false, reason: `Deployment ${name} not found` };
  const available = d.status?.conditions?.find((c) => c.type === "Available")?.status === "True";
  if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) return { done: false, reason: `Deployment ${name}: update not observed yet` };
  if (!available) return { done: false, reason: `Deployment ${name}: ${d.status?.availableReplicas ?? 0}/${d.spec?.replicas ?? 1} available` };
  return { done: true, reason: `Deployment ${name} available` };
}

export const CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane";
