// Builds the argv of `container run` for a kina node (reference §3.1 and §10). Pure, so the exact
// command line is unit-tested. Every option precedes the image: words after it go to the workload.
import { InvalidArgumentError } from "./errors.js";

export interface PublishSpec {
  hostAddress: string;
  hostPort: number;
  containerPort: number;
  proto?: "tcp" | "udp";
}

export interface NodeRunSpec {
  /** Becomes the container ID (Apple `container` has no separate name). */
  name: string;
  image: string;
  cpus?: number;
  /** `container` size syntax: `4g`, `2048m`, … */
  memory?: string;
  labels: Record<string, string>;
  publish?: PublishSpec[];
  network?: string;
  env?: Record<string, string>;
  /**
   * `--cap-add ALL --masked-path NONE --read-only-path NONE`, the closest thing to Docker's
   * `--privileged` (kubelet, kube-proxy and CNIs write sysctls). Default true.
   */
  privileged?: boolean;
  /** Per-node guest kernel (`-k`), e.g. one with BPF JIT for Cilium. */
  kernel?: string;
  /** Host paths shared into the VM (kind's extraMounts). */
  mounts?: MountSpec[];
}

export interface MountSpec {
  source: string;
  target: string;
  readOnly: boolean;
  /** `--mount type=bind` takes directories only; a single file goes through `--volume`. */
  kind: "directory" | "file";
}

function mountArgs(m: MountSpec): string[] {
  // Neither grammar can quote its separators (`:` for --volume, `,` for --mount).
  if (/[:,]/.test(m.source) || /[:,]/.test(m.target) || !m.source.startsWith("/") || !m.target.startsWith("/")) {
    throw new InvalidArgumentError(`invalid mount ${m.source} → ${m.target}`, "use absolute paths without ':' or ','");
  }
  if (m.kind === "directory") {
    return ["--mount", `type=bind,source=${m.source},target=${m.target}${m.readOnly ? ",readonly" : ""}`];
  }
  return ["--volume", `${m.source}:${m.target}${m.readOnly ? ":ro" : ""}`];
}

// ManagedContainer.nameValid: ^[a-zA-Z0-9][a-zA-Z0-9_.-]+$ and at most 63 characters.
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
// Lowercase DNS-ish keys: the 1.x typed label view drops other keys (reference §9.1).
const LABEL_KEY = /^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?$/;
const MEMORY = /^\d+[kKmMgGtTpP]?[bB]?$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function assertValidContainerName(name: string): void {
  if (!CONTAINER_ID.test(name) || name.length > 63) {
    throw new InvalidArgumentError(
      `${JSON.stringify(name)} is not a valid container name`,
      "use 2-63 characters: letters, digits, '_', '.', '-', starting with a letter or digit",
    );
  }
}

export function assertValidLabelKey(key: string): void {
  if (!LABEL_KEY.test(key)) {
    throw new InvalidArgumentError(
      `${JSON.stringify(key)} is not a valid label key`,
      "use lowercase letters, digits, '.', '_', '/', '-' (e.g. io.kina.cluster)",
    );
  }
}

export function assertValidEnvName(key: string): void {
  if (!ENV_KEY.test(key)) {
    throw new InvalidArgumentError(`${JSON.stringify(key)} is not a valid environment variable name`, "use [A-Za-z_][A-Za-z0-9_]*");
  }
}

function isPort(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && n <= 65535;
}

function publishArg(p: PublishSpec): string {
  if (!isPort(p.hostPort) || !isPort(p.containerPort)) {
    throw new InvalidArgumentError(`invalid port mapping ${p.hostPort}:${p.containerPort}`, "ports must be 1-65535");
  }
  const host = p.hostAddress.includes(":") ? `[${p.hostAddress}]` : p.hostAddress;
  return `${host}:${p.hostPort}:${p.containerPort}${p.proto ? `/${p.proto}` : ""}`;
}

/** `run -d --name N --cap-add ALL --masked-path NONE --read-only-path NONE -c C -m M -l k=v … [-e K=V …] [-p …] [--network X] [-k K] --progress none IMAGE` */
export function buildRunArgs(spec: NodeRunSpec): string[] {
  assertValidContainerName(spec.name);
  const args = ["run", "-d", "--name", spec.name];
  if (spec.privileged ?? true) {
    args.push("--cap-add", "ALL", "--masked-path", "NONE", "--read-only-path", "NONE");
  }
  if (spec.cpus !== undefined) {
    if (!Number.isInteger(spec.cpus) || spec.cpus < 1) {
      throw new InvalidArgumentError(`invalid CPU count ${spec.cpus}`, "use a whole number of at least 1");
    }
    args.push("-c", String(spec.cpus));
  }
  if (spec.memory !== undefined) {
    if (!MEMORY.test(spec.memory)) {
      throw new InvalidArgumentError(`invalid memory size ${JSON.stringify(spec.memory)}`, "use e.g. 4g or 2048m");
    }
    args.push("-m", spec.memory);
  }
  for (const [key, value] of Object.entries(spec.labels)) {
    assertValidLabelKey(key);
    args.push("-l", `${key}=${value}`);
  }
  for (const [key, value] of Object.entries(spec.env ?? {})) {
    assertValidEnvName(key);
    args.push("-e", `${key}=${value}`);
  }
  for (const p of spec.publish ?? []) args.push("-p", publishArg(p));
  for (const m of spec.mounts ?? []) args.push(...mountArgs(m));
  if (spec.network !== undefined) args.push("--network", spec.network);
  if (spec.kernel !== undefined) args.push("-k", spec.kernel);
  args.push("--progress", "none");
  if (!spec.image || spec.image.startsWith("-")) {
    throw new InvalidArgumentError(`invalid image reference ${JSON.stringify(spec.image)}`, "give an image reference");
  }
  args.push(spec.image);
  return args;
}
