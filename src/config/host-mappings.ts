// kind's extraPortMappings and extraMounts, turned into what Apple `container run` can do:
// `--publish [ip:]host:ctr/proto` and `--volume host:ctr[:ro]` / `--mount type=bind,…`
// (reference apple-container.md §3.1). Checked here, before anything is created, so a mapping
// `container run` would refuse is a usage error naming the field, not a half-created cluster.

import { statSync } from "node:fs";
import { isIP } from "node:net";
import { resolve } from "node:path";
import { UsageError } from "./errors.js";
import type { z } from "zod";
import type { NodeConfig as NodeConfigSchema } from "./schema.js";
import type { HostMount, HostPort } from "./resolved.js";

type NodeConfig = z.infer<typeof NodeConfigSchema>;
type PortMapping = NonNullable<NodeConfig["extraPortMappings"]>[number];
type MountMapping = NonNullable<NodeConfig["extraMounts"]>[number];

export function hostPorts(where: string, mappings: PortMapping[] | undefined, warn: (m: string) => void): HostPort[] {
  return (mappings ?? []).map((m, j) => {
    const at = `${where}.extraPortMappings[${j}]`;
    const protocol = m.protocol ?? "TCP";
    if (protocol === "SCTP") {
      throw new UsageError(`invalid config: ${at}.protocol: SCTP is not supported by Apple container; allowed: TCP, UDP`);
    }
    if (m.containerPort < 1) throw new UsageError(`invalid config: ${at}.containerPort: ${m.containerPort}; allowed: 1-65535`);
    const hostAddress = m.listenAddress ?? "0.0.0.0";
    if (!isIP(hostAddress)) {
      throw new UsageError(`invalid config: ${at}.listenAddress: "${hostAddress}" is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)`);
    }
    // kind: an unset, 0 or -1 hostPort means "any free port"; kina picks it when the VM starts.
    const hostPort = m.hostPort === undefined || m.hostPort <= 0 ? 0 : m.hostPort;
    if (hostPort > 0 && hostPort < 1024) {
      warn(`${at}: host port ${hostPort} is below 1024; if \`container run\` reports "Permission denied", use a port of 1024 or more`);
    }
    return { hostAddress, hostPort, containerPort: m.containerPort, proto: protocol === "UDP" ? "udp" : "tcp" };
  });
}

/** Two mappings collide when they share a protocol and a host port on overlapping addresses. */
export function assertNoPortCollisions(nodes: { name: string; publish: HostPort[] }[], apiServerPort: number): void {
  const seen: { node: string; p: HostPort }[] = [];
  const overlaps = (a: string, b: string) => a === b || a === "0.0.0.0" || b === "0.0.0.0";
  for (const node of nodes) {
    for (const p of node.publish) {
      if (p.hostPort === 0) continue;
      if (p.proto === "tcp" && p.hostPort === apiServerPort && overlaps(p.hostAddress, "127.0.0.1")) {
        throw new UsageError(`invalid config: ${node.name} maps host port ${p.hostPort}, which networking.apiServerPort already uses`);
      }
      const clash = seen.find((s) => s.p.proto === p.proto && s.p.hostPort === p.hostPort && overlaps(s.p.hostAddress, p.hostAddress));
      if (clash) {
        throw new UsageError(
          `invalid config: host port ${p.hostAddress}:${p.hostPort}/${p.proto} is mapped twice (${clash.node} and ${node.name}); a host port can be published once`,
        );
      }
      seen.push({ node: node.name, p });
    }
  }
}

export function hostMounts(where: string, mounts: MountMapping[] | undefined, warn: (m: string) => void, cwd: string): HostMount[] {
  return (mounts ?? []).map((m, j) => {
    const at = `${where}.extraMounts[${j}]`;
    const hostPath = resolve(cwd, m.hostPath);
    // `:` splits `--volume` fields and `,` splits `--mount` keys; the CLI has no quoting for either.
    if (/[:,]/.test(hostPath) || /[:,]/.test(m.containerPath)) {
      throw new UsageError(`invalid config: ${at}: paths containing ":" or "," cannot be passed to container run (${hostPath} → ${m.containerPath})`);
    }
    if (!m.containerPath.startsWith("/")) {
      throw new UsageError(`invalid config: ${at}.containerPath: "${m.containerPath}" must be an absolute path`);
    }
    let kind: "directory" | "file";
    try {
      const s = statSync(hostPath);
      if (!s.isDirectory() && !s.isFile()) throw new Error("special");
      kind = s.isDirectory() ? "directory" : "file";
    } catch {
      throw new UsageError(`invalid config: ${at}.hostPath: ${hostPath} does not exist (or is not a file or directory)`);
    }
    if (m.propagation && m.propagation !== "None") {
      warn(`${at}.propagation: ${m.propagation} is not available with Apple container's virtiofs shares; the mount is private`);
    }
    if (m.selinuxRelabel) warn(`${at}.selinuxRelabel has no effect on Apple container`);
    return { hostPath, containerPath: m.containerPath, readOnly: m.readOnly ?? false, kind };
  });
}

/** `nodes[i].kernel`: an existing file, made absolute (relative to the working directory, like hostPath). */
export function nodeKernel(where: string, kernel: string | undefined, cwd: string): string | undefined {
  if (kernel === undefined) return undefined;
  const path = resolve(cwd, kernel);
  try {
    if (statSync(path).isFile()) return path;
  } catch {
    // reported below
  }
  throw new UsageError(`invalid config: ${where}.kernel: ${path} is not a kernel file (it must exist; e.g. a vmlinux with CONFIG_BPF_JIT for Cilium)`);
}
