// Node checks shared by the join and CNI steps.

import { nodesReady, type NodeLike } from "./kube-waits.js";

export function nodesReadyOrRegistered(nodes: NodeLike[], expected: string[], want: "registered" | "ready"): { done: boolean; reason: string } {
  if (want === "ready") return nodesReady(nodes, expected);
  const missing = expected.filter((n) => !nodes.some((node) => node.metadata.name === n));
  return missing.length ? { done: false, reason: `node(s) not registered: ${missing.join(", ")}` } : { done: true, reason: "all nodes registered" };
}
