// Whether each node's kubelet could post Ready, judged from the fake node it runs on (the
// `container` double's state, found through KINA_FAKE_CONTAINER_STATE): the VM must be running,
// kindest's entrypoint must not have died, kubelet's --node-ip must be the VM's address now, and
// the server in its kubelet.conf must resolve (an IP, or a name in the node's /etc/hosts) to a
// running control plane that advertises that address. This is what breaks on a real Mac when a
// VM comes back with a new IP and nobody heals the cluster. Nodes the double does not know (API
// tests without a `container` double) are taken as healthy.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { resolveHost } from "../container/node/hosts.mjs";

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, "utf8"));
  } catch {
    return null;
  }
}

function readText(file) {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

const ipOf = (record) => record?.networks?.[0]?.ipv4Address?.split("/")[0] ?? null;

/** The reason the node's kubelet cannot be Ready, or null when it can (or the node is unknown). */
export function kubeletProblem(nodeName, env = process.env) {
  const dir = env.KINA_FAKE_CONTAINER_STATE;
  if (!dir) return null;
  const state = readJson(join(dir, "state.json"));
  const containers = state?.containers ?? {};
  const record = containers[nodeName];
  if (!record) return null;
  if (record.state !== "running") return `kubelet stopped: VM ${nodeName} is ${record.state}`;
  const rootfs = join(dir, "containers", nodeName, "rootfs");
  const died = readText(join(rootfs, "kind/entrypoint-failed"));
  if (died) return `node ${nodeName} did not boot: ${died.trim()}`;
  const ip = ipOf(record);
  const flags = readText(join(rootfs, "var/lib/kubelet/kubeadm-flags.env")) ?? "";
  const nodeIp = /--node-ip=([0-9.]+)/.exec(flags)?.[1];
  if (nodeIp && nodeIp !== ip) return `kubelet --node-ip=${nodeIp} is not the address of ${nodeName} (${ip})`;
  const kubeletConf = readText(join(rootfs, "etc/kubernetes/kubelet.conf"));
  if (!kubeletConf) return null;
  const server = /server:\s*(\S+)/.exec(kubeletConf)?.[1] ?? "";
  const host = /^https:\/\/\[?([^\]/]+?)\]?:\d+/.exec(server)?.[1] ?? "";
  const target = resolveHost(readText(join(rootfs, "etc/hosts")), host);
  if (!target) return `kubelet cannot resolve ${host} (${server})`;
  const serving = Object.values(containers).some((c) => {
    if (c.state !== "running" || ipOf(c) !== target) return false;
    const manifest = readText(join(dir, "containers", c.id, "rootfs", "etc/kubernetes/manifests/kube-apiserver.yaml"));
    return manifest !== null && manifest.includes(`--advertise-address=${target}`) && !existsSync(join(dir, "containers", c.id, "rootfs", "kind/entrypoint-failed"));
  });
  return serving ? null : `kubelet cannot reach the API server at ${server} (${target}): connection refused`;
}

/**
 * The address kina's LoadBalancer loop (kina-lb.service in a node VM) would publish: the IP of a
 * running node whose unit file exists and whose fake systemd has the unit active; null otherwise.
 * The double does what the loop's `kubectl patch --subresource=status` would.
 */
export function loadBalancerAddress(env = process.env) {
  const dir = env.KINA_FAKE_CONTAINER_STATE;
  if (!dir) return null;
  const containers = readJson(join(dir, "state.json"))?.containers ?? {};
  for (const c of Object.values(containers)) {
    if (c.state !== "running") continue;
    const rootfs = join(dir, "containers", c.id, "rootfs");
    if (!existsSync(join(rootfs, "etc/systemd/system/kina-lb.service")) || !existsSync(join(rootfs, "usr/local/bin/kina-lb"))) continue;
    const units = readJson(join(rootfs, "var/lib/fake-node/systemd.json"))?.units ?? {};
    if (units["kina-lb.service"]?.active === "active") return ipOf(c);
  }
  return null;
}
