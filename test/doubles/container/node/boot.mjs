// What happens inside a fake node when its VM boots (`container run` / `container start`):
//   - Apple's runtime writes /etc/hosts afresh: `127.0.0.1 localhost` and `<primary IPv4> <hostname>`
//     (reference §6, RuntimeService.bootstrap), so anything kina added is gone after a restart;
//   - kindest/node's entrypoint compares the address with /kind/old-ipv4 and, when it changed,
//     rewrites the old IP into the new one in the static pod manifests, kubeconfigs,
//     /kind/kubeadm.conf and kubeadm-flags.env, then regenerates the apiserver certificate from
//     /kind/kubeadm.conf. On a control plane without that file the regeneration fails and the node
//     never comes back (apple/container #2156); the double records that in /kind/entrypoint-failed.
import fs from "node:fs";
import path from "node:path";
import { existsNode, hostPath, readNodeText, removeNode, writeNodeFile } from "./rootfs.mjs";

const OLD_IPV4 = "/kind/old-ipv4";
export const ENTRYPOINT_FAILED = "/kind/entrypoint-failed";
const APISERVER_MANIFEST = "/etc/kubernetes/manifests/kube-apiserver.yaml";

/** Replaces whole IPv4 tokens only: 192.168.64.3 never touches 192.168.64.30. */
function replaceIp(text, oldIp, newIp) {
  const escaped = oldIp.replaceAll(".", "\\.");
  return text.replace(new RegExp(`(?<![0-9A-Za-z_.])${escaped}(?![0-9A-Za-z_.])`, "g"), newIp);
}

function filesWithIps(rootfs) {
  const out = [];
  const dirFiles = (dir, filter) => {
    try {
      return fs.readdirSync(hostPath(rootfs, dir)).filter(filter).map((f) => path.posix.join(dir, f));
    } catch {
      return [];
    }
  };
  out.push(...dirFiles("/etc/kubernetes/manifests", (f) => f.endsWith(".yaml")));
  out.push(...dirFiles("/etc/kubernetes", (f) => f.endsWith(".conf")));
  out.push("/kind/kubeadm.conf", "/var/lib/kubelet/kubeadm-flags.env");
  return out.filter((f) => existsNode(rootfs, f));
}

export function bootNode(rootfs, hostname, ip) {
  if (!fs.existsSync(rootfs)) return;
  writeNodeFile(rootfs, "/etc/hosts", `127.0.0.1\tlocalhost\n${ip ? `${ip}\t${hostname}\n` : ""}`);
  if (!existsNode(rootfs, "/kind")) return; // not a kindest/node image
  const old = existsNode(rootfs, OLD_IPV4) ? readNodeText(rootfs, OLD_IPV4).trim() : "";
  if (ip && old && old !== ip) {
    for (const file of filesWithIps(rootfs)) writeNodeFile(rootfs, file, replaceIp(readNodeText(rootfs, file), old, ip));
    if (existsNode(rootfs, APISERVER_MANIFEST)) {
      if (existsNode(rootfs, "/kind/kubeadm.conf")) removeNode(rootfs, ENTRYPOINT_FAILED);
      else writeNodeFile(rootfs, ENTRYPOINT_FAILED, "kubeadm init phase certs apiserver: open /kind/kubeadm.conf: no such file or directory\n");
    }
  }
  if (ip) writeNodeFile(rootfs, OLD_IPV4, `${ip}\n`);
}
