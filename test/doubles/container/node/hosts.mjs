// Name resolution inside a fake node: an IPv4 literal, or a name in the node's /etc/hosts (Apple
// `container` VMs have no other name service unless a DNS domain is configured). Shared by the
// fake kubeadm (joins) and the API double's kubelet model.

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** The address `host` resolves to given the text of /etc/hosts; null when it does not. */
export function resolveHost(hostsText, host) {
  if (IPV4.test(host)) return host;
  for (const line of String(hostsText ?? "").split("\n")) {
    const [ip, ...names] = line.replace(/#.*/, "").trim().split(/\s+/);
    if (ip && names.includes(host)) return ip;
  }
  return null;
}
