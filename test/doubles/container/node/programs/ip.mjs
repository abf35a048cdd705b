// `ip addr` (iproute2, in kindest/node's base image: reference/kind.md §5 "Node image"): the node's
// loopback and its one vmnet interface, eth0, with the address Apple's runtime gave the VM
// (reference/apple-container.md §1: the default network is a /24; §3.1: default MTU 1280). Other
// `ip` objects are refused.
import { fail, ok } from "../result.mjs";

function mac(ip) {
  const [a = 0, b = 0, c = 0, d = 0] = String(ip ?? "").split(".").map(Number);
  return ["2a", "be", a, b, c, d].map((x) => (typeof x === "number" ? x.toString(16).padStart(2, "0") : x)).join(":");
}

function render(node, dev) {
  const lo = [
    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN group default qlen 1000",
    "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00",
    "    inet 127.0.0.1/8 scope host lo",
    "       valid_lft forever preferred_lft forever",
  ];
  const eth0 = [
    "2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1280 qdisc pfifo_fast state UP group default qlen 1000",
    `    link/ether ${mac(node.ip)} brd ff:ff:ff:ff:ff:ff`,
    ...(node.ip
      ? [`    inet ${node.ip}/24 brd ${node.ip.split(".").slice(0, 3).join(".")}.255 scope global eth0`, "       valid_lft forever preferred_lft forever"]
      : []),
  ];
  if (dev === "lo") return lo;
  if (dev === "eth0") return eth0;
  return [...lo, ...eth0];
}

export function ip(ctx, args) {
  const [object, ...rest] = args;
  if (object === undefined) return fail(255, 'Usage: ip [ OPTIONS ] OBJECT { COMMAND | help }');
  if (!["a", "addr", "address"].includes(object)) {
    if (["link", "route", "r", "neigh", "rule"].includes(object)) return fail(2, `fake ip: unsupported object '${object}' (only addr)`);
    return fail(255, `Object "${object}" is unknown, try "ip help".`);
  }
  let words = rest;
  if (["show", "list", "ls", "lst", "sh"].includes(words[0])) words = words.slice(1);
  let dev;
  if (words[0] === "dev") {
    dev = words[1];
    words = words.slice(2);
  } else if (words.length === 1) {
    [dev] = words;
    words = [];
  }
  if (words.length > 0) return fail(2, `fake ip: unsupported arguments '${rest.join(" ")}'`);
  if (dev !== undefined && dev !== "lo" && dev !== "eth0") return fail(1, `Device "${dev}" does not exist.`);
  return ok(`${render(ctx.node, dev).join("\n")}\n`);
}
