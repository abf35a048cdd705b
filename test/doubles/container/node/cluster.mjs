// What a node knows about the other fake nodes on the same fake `container` host: their IPs (each
// exec records the node's current IP in its rootfs) and their kubeadm state.
import fs from "node:fs";
import path from "node:path";
import { readState, writeState } from "./fake-state.mjs";

const NODE_INFO = "node.json";

export function recordNodeInfo(node) {
  const current = readState(node.rootfs, NODE_INFO, null);
  if (current && current.id === node.id && current.ip === node.ip) return;
  writeState(node.rootfs, NODE_INFO, { id: node.id, ip: node.ip ?? null });
}

/** Every container on the fake host: { id, rootfs, ip }. */
export function listNodes(clusterStateDir) {
  const dir = path.join(clusterStateDir, "containers");
  let ids = [];
  try {
    ids = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const nodes = [];
  for (const id of ids) {
    const rootfs = path.join(dir, id, "rootfs");
    if (!fs.existsSync(rootfs)) continue;
    let info = null;
    try {
      info = readState(rootfs, NODE_INFO, null);
    } catch {
      info = null;
    }
    nodes.push({ id, rootfs, ip: info?.ip ?? null });
  }
  return nodes;
}

/** The node answering on `host` (an IP or a container name), excluding `selfId`. */
export function findNodeByHost(clusterStateDir, host, selfId) {
  return listNodes(clusterStateDir).find((n) => n.id !== selfId && (n.ip === host || n.id === host)) ?? null;
}
