// Networks and IP allocation like Apple container's network helper: the builtin `default` network
// (192.168.64.0/24, gateway .1), custom networks on distinct /24s, and a *rotating* allocator that
// starts at .2 and always moves on to the next free address, so a restarted container gets a new IP.
import { randomBytes } from "node:crypto";
import { CzError } from "./errors.mjs";
import { isoNow } from "./json.mjs";
import { isTahoe } from "./platform.mjs";

export const DEFAULT_NETWORK = "default";
export const BUILTIN_LABEL = "com.apple.container.resource.role";

function ipToInt(ip) {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

function intToIp(n) {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join(".");
}

/** Parses `A.B.C.D/N`; returns { base, prefix, size, text } normalized to the network address. */
export function parseCidr(text) {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) throw new Error(`invalid CIDR ${text}`);
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw new Error(`invalid CIDR ${text}`);
  const size = 2 ** (32 - prefix);
  const base = Math.floor(ipToInt(octets.join(".")) / size) * size;
  return { base, prefix, size, text: `${intToIp(base)}/${prefix}` };
}

function overlaps(a, b) {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

function ipv6Prefix(index) {
  return index === 0 ? "fd6b:696e:6100:" : `fd6b:696e:6100:${index.toString(16)}:`;
}

function newNetwork(name, subnetText, index, extra = {}) {
  const subnet = parseCidr(subnetText);
  return {
    name,
    creationDate: isoNow(),
    mode: "nat",
    labels: {},
    options: {},
    plugin: "container-network-vmnet",
    ipv4Subnet: subnet.text,
    ipv4Gateway: intToIp(subnet.base + 1),
    index,
    ...extra,
  };
}

/** The builtin network exists as soon as the apiserver does. */
export function ensureDefaultNetwork(state) {
  if (!state.networks[DEFAULT_NETWORK]) {
    state.networks[DEFAULT_NETWORK] = newNetwork(DEFAULT_NETWORK, "192.168.64.0/24", 0, {
      labels: { [BUILTIN_LABEL]: "builtin" },
      builtin: true,
    });
  }
  return state.networks[DEFAULT_NETWORK];
}

/** Creates a custom network (macOS 26); picks the next free 192.168.x.0/24 unless `subnet` is given. */
export function createNetwork(state, { name, subnet, hostOnly, labels, options, plugin }) {
  ensureDefaultNetwork(state);
  if (state.networks[name]) throw new CzError("exists", `network ${name} already exists`);
  const existing = Object.values(state.networks).map((n) => parseCidr(n.ipv4Subnet));
  let chosen;
  if (subnet) {
    const wanted = parseCidr(subnet);
    const clash = Object.values(state.networks).find((n) => overlaps(parseCidr(n.ipv4Subnet), wanted));
    if (clash) {
      throw new CzError("exists", `IPv4 subnet ${wanted.text} overlaps an existing network with subnet ${clash.ipv4Subnet}`);
    }
    chosen = wanted.text;
  } else {
    for (let third = 65; third < 256 && !chosen; third++) {
      const candidate = parseCidr(`192.168.${third}.0/24`);
      if (!existing.some((e) => overlaps(e, candidate))) chosen = candidate.text;
    }
    if (!chosen) throw new CzError("internalError", "no free subnet for a new network");
  }
  const index = Math.max(...Object.values(state.networks).map((n) => n.index)) + 1;
  state.networks[name] = newNetwork(name, chosen, index, {
    mode: hostOnly ? "hostOnly" : "nat",
    labels,
    options,
    plugin,
    requestedIpv4Subnet: subnet ? chosen : undefined,
  });
  return state.networks[name];
}

/** `NetworkResource` JSON (reference §4.4). */
export function networkResource(network, env) {
  return {
    configuration: {
      creationDate: network.creationDate,
      ipv4Subnet: network.requestedIpv4Subnet,
      labels: network.labels,
      mode: network.mode,
      name: network.name,
      options: network.options,
      plugin: network.plugin,
    },
    id: network.name,
    status: {
      ipv4Gateway: network.ipv4Gateway,
      ipv4Subnet: network.ipv4Subnet,
      ipv6Subnet: isTahoe(env) ? `${ipv6Prefix(network.index)}:/64` : undefined,
    },
  };
}

function randomMac() {
  const bytes = randomBytes(6);
  bytes[0] = [0xf2, 0xf6, 0xfa, 0xfe][bytes[0] % 4];
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

function eui64(mac) {
  const b = mac.split(":").map((h) => Number.parseInt(h, 16));
  b[0] ^= 0x02;
  const words = [(b[0] << 8) | b[1], (b[2] << 8) | 0xff, (0xfe << 8) | b[3], (b[4] << 8) | b[5]];
  return words.map((w) => w.toString(16)).join(":");
}

/** Leases the next free address after the last one handed out on `networkName` (wrapping around). */
export function allocate(state, networkName, { containerId, hostname, macAddress, mtu }, env) {
  const network = state.networks[networkName];
  const subnet = parseCidr(network.ipv4Subnet);
  const pool = (state.ipam[networkName] ??= { cursor: 1, leases: {} });
  const first = 2;
  const last = subnet.size - 2;
  let chosen = null;
  for (let step = 1; step <= last - first + 1; step++) {
    const offset = ((pool.cursor - first + step) % (last - first + 1)) + first;
    const ip = intToIp(subnet.base + offset);
    if (!pool.leases[ip]) {
      chosen = { ip, offset };
      break;
    }
  }
  if (!chosen) throw new CzError("internalError", `no free IPv4 address on network ${networkName}`);
  pool.cursor = chosen.offset;
  pool.leases[chosen.ip] = containerId;
  const mac = macAddress ?? randomMac();
  const tahoe = isTahoe(env);
  return {
    hostname,
    ipv4Address: `${chosen.ip}/${subnet.prefix}`,
    ipv4Gateway: network.ipv4Gateway,
    ipv6Address: tahoe ? `${ipv6Prefix(network.index)}${network.index === 0 ? ":" : ""}${eui64(mac)}/64` : undefined,
    macAddress: mac,
    mtu: mtu ?? 1280,
    network: networkName,
    variant: tahoe ? "reserved" : "allocationOnly",
  };
}

/** Returns every address `containerId` holds (the runtime helper disconnecting on stop). */
export function releaseAll(state, containerId) {
  for (const pool of Object.values(state.ipam)) {
    for (const [ip, owner] of Object.entries(pool.leases)) if (owner === containerId) delete pool.leases[ip];
  }
}

export function hasLeases(state, networkName) {
  return Object.keys(state.ipam[networkName]?.leases ?? {}).length > 0;
}
