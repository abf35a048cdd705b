// Builds a `ContainerConfiguration` (reference §4.1) from `run`/`create` flags, following
// Utility.containerConfigFromFlags and Parser in Apple container 1.2.2, with the same error texts.
import { existsSync, statSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { CzError, PlainError } from "./errors.mjs";
import { isoNow } from "./json.mjs";
import { imageDescription } from "./images.mjs";
import { HOST_ARCH, isTahoe } from "./platform.mjs";
import { DEFAULT_NETWORK } from "./ipam.mjs";

const MIB = 1024 * 1024;
const UNITS = { b: 1, k: 1024, m: MIB, g: MIB * 1024, t: MIB * MIB, p: MIB * MIB * 1024 };

/** Measurement.parse: number with optional b/k/m/g/t/p (+ "b"/"ib"), no suffix = bytes. */
export function parseSize(text) {
  const trimmed = text.trim().toLowerCase();
  if (!trimmed) throw new PlainError("invalid size");
  const m = /^([0-9.]*)\s*(.*)$/.exec(trimmed);
  const value = Number(m[1]);
  if (m[1] === "" || !Number.isFinite(value)) throw new PlainError("invalid size");
  const unit = m[2];
  const symbol = unit === "" ? "b" : unit[0];
  if (!["", "ib", "b"].includes(unit.slice(1)) || !(symbol in UNITS)) throw new PlainError(`invalid symbol: ${unit}`);
  return value * UNITS[symbol];
}

/** Memory flag → bytes with MiB granularity (Parser.memoryStringAsMiB). */
export function memoryBytes(text) {
  return Math.trunc(parseSize(text) / MIB) * MIB;
}

export function nameValid(id) {
  return id.length <= 63 && /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(id);
}

const CAPS = new Set(
  "CHOWN DAC_OVERRIDE DAC_READ_SEARCH FOWNER FSETID KILL SETGID SETUID SETPCAP LINUX_IMMUTABLE NET_BIND_SERVICE NET_BROADCAST NET_ADMIN NET_RAW IPC_LOCK IPC_OWNER SYS_MODULE SYS_RAWIO SYS_CHROOT SYS_PTRACE SYS_PACCT SYS_ADMIN SYS_BOOT SYS_NICE SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD LEASE AUDIT_WRITE AUDIT_CONTROL SETFCAP MAC_OVERRIDE MAC_ADMIN SYSLOG WAKE_ALARM BLOCK_SUSPEND AUDIT_READ PERFMON BPF CHECKPOINT_RESTORE".split(" "),
);

function capabilities(list) {
  return list.map((cap) => {
    const upper = cap.toUpperCase();
    if (upper === "ALL") return "ALL";
    const bare = upper.replace(/^CAP_/, "");
    if (!CAPS.has(bare)) throw new CzError("invalidArgument", `invalid capability name: ${cap}`);
    return `CAP_${bare}`;
  });
}

const DEFAULT_MASKED = [
  "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
  "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
];
const DEFAULT_READONLY = ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

/** --masked-path / --read-only-path: nil when absent, NONE clears the defaults. */
function pathOverrides(values, defaults, flagName) {
  if (values.length === 0) return undefined;
  let paths = [...defaults];
  for (const value of values) {
    const trimmed = value.trim();
    if (trimmed.toUpperCase() === "NONE") {
      paths = [];
      continue;
    }
    if (!trimmed.startsWith("/")) {
      throw new CzError("invalidArgument", `invalid path '${value}' for --${flagName}: path must be absolute, or the NONE sentinel`);
    }
    const normalized = trimmed.length > 1 ? trimmed.replace(/\/+$/, "") || "/" : trimmed;
    if (!paths.includes(normalized)) paths.push(normalized);
  }
  return paths;
}

function labels(raw) {
  const result = {};
  for (const label of raw) {
    if (label === "") throw new CzError("invalidArgument", "label cannot be an empty string");
    // Swift's split(separator: "=", maxSplits: 2) drops empty pieces and yields at most 3.
    const pieces = label.split("=").filter((p) => p !== "");
    const parts = pieces.length > 2 ? [pieces[0], pieces[1], pieces.slice(2).join("=")] : pieces;
    if (parts.length === 1) result[parts[0]] = "";
    else if (parts.length === 2) result[parts[0]] = parts[1];
    else throw new CzError("invalidArgument", `invalid label format ${label}`);
  }
  return result;
}

/** Parser.publishPort: `[host-ip:]host-port:container-port[/proto]`, ranges allowed. */
export function parsePublish(text) {
  const m = /^(?:(?:\[(?<ipv6>[^\]]*)\]|(?<ipv4>[^:].*)):)?(?<hostPort>[^:].*):(?<containerPort>[^:/]*)(?:\/(?<proto>.*))?$/.exec(text);
  if (!m) throw new CzError("invalidArgument", `invalid publish value: ${text}`);
  const { ipv6, ipv4, hostPort, containerPort } = m.groups;
  const proto = (m.groups.proto ?? "tcp").toLowerCase();
  if (proto !== "tcp" && proto !== "udp") throw new CzError("invalidArgument", `invalid publish protocol: ${proto}`);
  let hostAddress = "0.0.0.0";
  if (ipv6) hostAddress = ipv6;
  else if (ipv4) {
    if (!/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(ipv4) || ipv4.split(".").some((o) => Number(o) > 255)) {
      throw new CzError("invalidArgument", `invalid publish IPv4 address: ${text}`);
    }
    hostAddress = ipv4;
  }
  const range = (portText, what) => {
    const parts = portText.split("-").filter((p) => p !== "");
    const nums = parts.map((p) => (/^\d+$/.test(p) && Number(p) <= 65535 ? Number(p) : Number.NaN));
    if (parts.length < 1 || parts.length > 2 || nums.some(Number.isNaN)) {
      throw new CzError("invalidArgument", `invalid publish ${what} port: ${portText}`);
    }
    const [start, end = start] = nums;
    if (start <= 1 || start > end) throw new CzError("invalidArgument", `invalid publish ${what} port range: ${portText}`);
    return { start, count: end - start + 1 };
  };
  const host = range(hostPort, "host");
  const ctr = range(containerPort, "container");
  if (host.count !== ctr.count) {
    throw new CzError("invalidArgument", `publish host and container port counts are not equal: ${hostPort}:${containerPort}`);
  }
  return { containerPort: ctr.start, count: host.count, hostAddress, hostPort: host.start, proto };
}

function portsOverlap(ports) {
  for (let i = 0; i < ports.length; i++) {
    for (let j = i + 1; j < ports.length; j++) {
      const a = ports[i];
      const b = ports[j];
      if (a.proto !== b.proto || a.hostAddress !== b.hostAddress) continue;
      if (a.hostPort < b.hostPort + b.count && b.hostPort < a.hostPort + a.count) return true;
    }
  }
  return false;
}

function parseNetwork(spec) {
  if (!spec) throw new CzError("invalidArgument", "network specification cannot be empty");
  const [name, ...props] = spec.split(",");
  if (!name) throw new CzError("invalidArgument", "network name cannot be empty");
  const parsed = { name };
  for (const prop of props) {
    const eq = prop.indexOf("=");
    if (eq === -1) throw new CzError("invalidArgument", `invalid property format '${prop}' in network specification '${spec}'`);
    const key = prop.slice(0, eq);
    const value = prop.slice(eq + 1);
    if (key === "mac") {
      if (!value) throw new CzError("invalidArgument", "mac address value cannot be empty");
      if (!/^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$/.test(value)) {
        throw new CzError("invalidArgument", `invalid MAC address format ${value}, expected format: XX:XX:XX:XX:XX:XX`);
      }
      parsed.macAddress = value.toLowerCase().replaceAll("-", ":");
    } else if (key === "mtu") {
      const mtu = /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!(mtu >= 1280 && mtu <= 65535)) {
        throw new CzError("invalidArgument", `invalid mtu value '${value}': must be between 1280 and 65535`);
      }
      parsed.mtu = mtu;
    } else {
      throw new CzError("invalidArgument", `unknown network property '${key}'. Available properties: mac, mtu`);
    }
  }
  return parsed;
}

function platform(values, env) {
  const text = values.platform ?? env.CONTAINER_DEFAULT_PLATFORM;
  const canonical = (arch) => ({ x86_64: "amd64", aarch64: "arm64" })[arch] ?? arch;
  if (text) {
    const [os, arch, variant] = text.split("/");
    if (!os || !arch) throw new CzError("invalidArgument", `invalid platform ${text}`);
    const architecture = canonical(arch);
    return { architecture, os, variant: variant ?? (architecture === "arm64" ? "v8" : undefined) };
  }
  return { architecture: canonical(values.arch ?? HOST_ARCH), os: values.os ?? "linux" };
}

function envList(list, env) {
  const out = [];
  for (const entry of list) {
    if (entry.includes("=")) out.push(entry);
    else if (env[entry] !== undefined) out.push(`${entry}=${env[entry]}`);
  }
  return out;
}

function dedupeEnv(entries) {
  const byKey = new Map();
  for (const entry of entries) byKey.set(entry.split("=")[0], entry);
  return [...byKey.values()];
}

const RLIMITS = "core cpu data fsize locks memlock msgqueue nice nofile nproc rss rtprio rttime sigpending stack".split(" ");

function rlimits(list) {
  return list.map((text) => {
    const m = /^([a-z]+)=([^:]+)(?::(.+))?$/.exec(text);
    if (!m || !RLIMITS.includes(m[1])) throw new CzError("invalidArgument", `invalid ulimit ${text}`);
    const value = (v) => {
      if (v === "unlimited" || v === "-1") return 2 ** 64;
      if (!/^\d+$/.test(v)) throw new CzError("invalidArgument", `invalid ulimit value ${v} for ${m[1]}`);
      return Number(v);
    };
    const soft = value(m[2]);
    return { hard: m[3] === undefined ? soft : value(m[3]), limit: `RLIMIT_${m[1].toUpperCase()}`, soft };
  });
}

/** Parser.user: `-u` wins, then --uid/--gid, else the image/default user. */
export function processUser(values, defaultUser) {
  const groups = [];
  if (values.user) return { user: { raw: { userString: values.user } }, groups };
  if (values.uid !== undefined && values.gid !== undefined) return { user: { id: { gid: values.gid, uid: values.uid } }, groups };
  if (values.uid !== undefined) return { user: { raw: { userString: String(values.uid) } }, groups };
  if (values.gid !== undefined) groups.push(values.gid);
  return { user: defaultUser, groups };
}

function mounts(values, stateDir) {
  const result = values.tmpfs.map((destination) => ({ destination, options: [], source: "", type: { tmpfs: {} } }));
  const volumeType = (name) => ({
    volume: { cache: { auto: {} }, format: "ext4", name, sync: { full: {} } },
  });
  const volumeSource = (name) => resolve(stateDir, "volumes", name, "volume.img");
  for (const spec of values.volume) {
    const parts = spec.split(":");
    if (parts.length === 1) {
      const name = `anon-${randomUUID().toLowerCase()}`;
      result.push({ destination: parts[0], options: [], source: volumeSource(name), type: volumeType(name) });
      continue;
    }
    const [source, destination, opts] = parts;
    if (!destination) throw new CzError("invalidArgument", `invalid volume format ${spec}`);
    const options = opts ? opts.split(",") : [];
    if (source.includes("/") || source === "." || source === "..") {
      const abs = resolve(source);
      if (!existsSync(abs)) throw new CzError("invalidArgument", `path '${abs}' does not exist`);
      result.push({ destination, options, source: abs, type: { virtiofs: {} } });
    } else {
      result.push({ destination, options, source: volumeSource(source), type: volumeType(source) });
    }
  }
  for (const spec of values.mount) {
    const kv = Object.fromEntries(spec.split(",").map((p) => [p.split("=")[0], p.split("=").slice(1).join("=")]));
    const type = kv.type ?? "virtiofs";
    const source = kv.source ?? kv.src ?? "";
    const destination = kv.target ?? kv.destination ?? kv.dst;
    if (!destination) throw new CzError("invalidArgument", `mount target is required: ${spec}`);
    const options = "readonly" in kv || "ro" in kv ? ["ro"] : [];
    if (type === "bind" || type === "virtiofs") {
      const abs = resolve(source);
      if (!existsSync(abs) || !statSync(abs).isDirectory()) {
        throw new CzError("invalidArgument", `path '${abs}' is not a directory`);
      }
      result.push({ destination, options, source: abs, type: { virtiofs: {} } });
    } else if (type === "tmpfs") {
      result.push({ destination, options, source: "", type: { tmpfs: {} } });
    } else if (type === "volume") {
      result.push({ destination, options, source: volumeSource(source), type: volumeType(source) });
    } else {
      throw new CzError("invalidArgument", `unsupported mount type ${type}`);
    }
  }
  return result;
}

/**
 * Returns { configuration, requested } for a new container. `image` is the fetched image record;
 * `state` is only read (networks). Throws the CLI's errors in the CLI's order.
 */
export function buildConfiguration({ id, values, image, state, env, stateDir }) {
  const plat = platform(values, env);
  if (values.kernel !== undefined && !existsSync(resolve(values.kernel))) {
    throw new CzError("notFound", `kernel file not found at path ${resolve(values.kernel)}`);
  }
  const imageConfig = image.config;
  let command = [];
  const entrypointOverride = values.entrypoint !== undefined && values.entrypoint !== "";
  if (entrypointOverride) command = [values.entrypoint];
  else if (imageConfig.Entrypoint?.length) command = [...imageConfig.Entrypoint];
  if (values.arguments.length > 0) command.push(...values.arguments);
  else if (!entrypointOverride && imageConfig.Cmd?.length) command.push(...imageConfig.Cmd);
  if (command.length === 0) throw new CzError("invalidArgument", "command/entrypoint not specified for container process");

  const imageEnv = (imageConfig.Env ?? []).filter((e) => e.includes("="));
  const environment = dedupeEnv([...imageEnv, ...values.envFileEntries, ...envList(values.env, env)]);
  const defaultUser = imageConfig.User ? { raw: { userString: imageConfig.User } } : { id: { gid: 0, uid: 0 } };
  const { user, groups } = processUser(values, defaultUser);

  const memoryInBytes = values.memory !== undefined ? memoryBytes(values.memory) : 1024 * MIB;
  const resources = { cpuOverhead: 1, cpus: values.cpus ?? 4, memoryInBytes };

  const mountList = mounts(values, stateDir);
  let shmSize;
  if (values.shmSize !== undefined) shmSize = Math.trunc(parseSize(values.shmSize));

  const domain = env.KINA_FAKE_CONTAINER_DNS_DOMAIN || undefined;
  const fqdn = id.includes(".") ? `${id}.` : domain ? `${id}.${domain}.` : undefined;
  const parsedNetworks = values.network.map(parseNetwork);
  let networks;
  if (values.network.includes("none")) {
    if (values.network.length !== 1) {
      throw new CzError("unsupported", "no other networks may be created along with network none");
    }
    networks = [];
  } else if (parsedNetworks.length === 0) {
    networks = [{ network: DEFAULT_NETWORK, options: { hostname: fqdn ?? id, mtu: 1280 } }];
  } else {
    const onlyDefault = parsedNetworks.length === 1 && parsedNetworks[0].name === DEFAULT_NETWORK;
    if (!onlyDefault && !isTahoe(env)) {
      throw new CzError("invalidArgument", "non-default network configuration requires macOS 26 or newer");
    }
    networks = parsedNetworks.map((n, i) => ({
      network: n.name,
      options: { hostname: i === 0 ? (fqdn ?? id) : id, macAddress: n.macAddress, mtu: n.mtu ?? 1280 },
    }));
    for (const n of networks) {
      if (!state.networks[n.network]) throw new CzError("notFound", `network ${n.network} not found`);
    }
  }

  const dns = values.noDns
    ? undefined
    : {
        domain: values.dnsDomain ?? domain,
        nameservers: values.dns,
        options: values.dnsOption,
        searchDomains: values.dnsSearch,
      };

  const publishedPorts = values.publish.map(parsePublish);
  if (publishedPorts.length > 64) throw new CzError("invalidArgument", "cannot exceed more than 64 port publish descriptors");
  if (portsOverlap(publishedPorts)) throw new CzError("invalidArgument", "host ports for different publish port specs may not overlap");
  const publishedSockets = values.publishSocket.map((spec) => {
    const [hostPath, containerPath] = spec.split(":");
    if (!hostPath || !containerPath) throw new CzError("invalidArgument", `invalid publish-socket value: ${spec}`);
    return { containerPath, hostPath: resolve(hostPath), permissions: undefined };
  });

  const configuration = {
    capAdd: capabilities(values.capAdd),
    capDrop: capabilities(values.capDrop),
    creationDate: isoNow(),
    dns,
    id,
    image: imageDescription(image),
    initProcess: {
      arguments: command.slice(1),
      environment,
      executable: command[0],
      rlimits: rlimits(values.ulimit),
      supplementalGroups: groups,
      terminal: Boolean(values.tty),
      user,
      workingDirectory: values.cwd ?? imageConfig.WorkingDir ?? "/",
    },
    labels: labels(values.label),
    maskedPaths: pathOverrides(values.maskedPath, DEFAULT_MASKED, "masked-path"),
    mounts: mountList,
    networks,
    platform: plat,
    publishedPorts,
    publishedSockets,
    readOnly: Boolean(values.readOnly),
    readonlyPaths: pathOverrides(values.readOnlyPath, DEFAULT_READONLY, "read-only-path"),
    resources,
    rosetta: Boolean(values.rosetta) || (HOST_ARCH === "arm64" && plat.architecture === "amd64"),
    runtimeHandler: values.runtime ?? "container-runtime-linux",
    shmSize,
    ssh: Boolean(values.ssh),
    stopSignal: imageConfig.StopSignal,
    sysctls: {},
    useInit: Boolean(values.useInit),
    virtualization: Boolean(values.virtualization),
  };
  return configuration;
}

/** Parser.envFile: Docker-style env files (comments, blank lines, bare names inherit from the host). */
export function readEnvFiles(paths, env, readFile) {
  const out = [];
  for (const path of paths) {
    let content;
    try {
      content = readFile(path);
    } catch (error) {
      throw new CzError("invalidArgument", `failed to read envfile at ${path}`, new PlainError(error.message));
    }
    for (const rawLine of content.split(/\r?\n/)) {
      const line = rawLine.trimStart();
      if (!line || line.startsWith("#")) continue;
      const eq = line.indexOf("=");
      const name = (eq === -1 ? line : line.slice(0, eq)).replace(/^[ \t]+/, "");
      if (/[ \t]/.test(name)) throw new CzError("invalidArgument", `variable '${name}' contains whitespaces`);
      if (!name) throw new CzError("invalidArgument", `no variable name on line '${line}'`);
      if (eq !== -1) out.push(`${name}=${line.slice(eq + 1)}`);
      else if (env[name] !== undefined) out.push(`${name}=${env[name]}`);
    }
  }
  return out;
}
