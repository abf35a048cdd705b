// Pod and service subnets that kubeadm would refuse, or that would break routing, are refused at
// config time: found only at kubeadm init, they would cost a VM and minutes for a typo.

import { UsageError } from "./errors.js";

/** kubeadm's node CIDR mask for IPv4 (kube-controller-manager --node-cidr-mask-size). */
const NODE_MASK = 24;
/** kubeadm refuses an IPv4 service subnet larger than this (ValidateServiceSubnetSize). */
const MAX_SERVICE_MASK = 12;

/** [first, last] address of an IPv4 CIDR the schema has already checked, as unsigned integers. */
function range(cidr: string): [number, number] {
  const [addr, bits] = cidr.split("/") as [string, string];
  const ip = addr.split(".").reduce((n, o) => n * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  const first = ip - (ip % size);
  return [first, first + size - 1];
}

export function checkSubnets(pod: { value: string; given: boolean }, service: { value: string; given: boolean }): void {
  const named = (field: string, s: { value: string; given: boolean }) => `networking.${field} ${s.value}${s.given ? "" : " (the default)"}`;
  const podBits = Number(pod.value.split("/")[1]);
  if (podBits > NODE_MASK) {
    throw new UsageError(
      `invalid config: networking.podSubnet: ${pod.value} is smaller than one node's /${NODE_MASK} pod range; use a /${NODE_MASK} or larger, e.g. 10.244.0.0/16`,
    );
  }
  const serviceBits = Number(service.value.split("/")[1]);
  if (serviceBits < MAX_SERVICE_MASK) {
    throw new UsageError(
      `invalid config: networking.serviceSubnet: ${service.value} is too large; kubeadm needs a /${MAX_SERVICE_MASK} or smaller, e.g. 10.96.0.0/16`,
    );
  }
  const [p0, p1] = range(pod.value);
  const [s0, s1] = range(service.value);
  if (p0 <= s1 && s0 <= p1) {
    const [field, other] = service.given ? (["serviceSubnet", named("podSubnet", pod)] as const) : (["podSubnet", named("serviceSubnet", service)] as const);
    throw new UsageError(`invalid config: networking.${field}: ${field === "podSubnet" ? pod.value : service.value} overlaps ${other}; pod and service addresses must not overlap`);
  }
}
