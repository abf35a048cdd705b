// The pretend app root's guest kernels and system configuration (reference §3.8 `kernel set`,
// `property list`; §7.1 kernel files; §13 1.3.0's new default kernel):
//   <appRoot>/kernels/<vmlinux-…>            one file per installed kernel
//   <appRoot>/kernels/default.kernel-<arch>  symlink to the default one
//   <appRoot>/config/config.toml             the user's config.toml, copied at `system start`
// A kernel file is a stand-in vmlinux: a short header, then the kernel's configuration embedded
// the way CONFIG_IKCONFIG does it (`IKCFG_ST` + gzip(.config) + `IKCFG_ED`, what the kernel's
// scripts/extract-ikconfig looks for), so a reader can judge features without booting a VM.
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { CzError } from "./errors.mjs";
import { HOST_ARCH, versionAtLeast } from "./platform.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
/** The Kata 3.28.0 stand-in config the fake nodes expose as /proc/config.gz. */
const K1_CONFIG = join(HERE, "..", "node-rootfs", "proc", "config.gz");

// ContainerSystemConfig.swift `KernelConfig` defaults: 0.12.0–1.2.2 (reference §7.1) and ≥ 1.3.0
// (§13, PR #2143). The 3.28.0 digest is abbreviated in the reference; the double's is a stand-in.
const KATA_3_28 = {
  binaryPath: "opt/kata/share/kata-containers/vmlinux-6.18.15-186",
  url: "https://github.com/kata-containers/kata-containers/releases/download/3.28.0/kata-static-3.28.0-arm64.tar.zst",
  digest: "sha256:f63d545000000000000000000000000000000000000000000000000000e66a91",
};
const KATA_3_32_DEBUG = {
  binaryPath: "opt/kata/share/kata-containers/vmlinux-6.18.35-197-debug",
  url: "https://github.com/kata-containers/kata-containers/releases/download/3.32.0/kata-static-3.32.0-arm64.tar.zst",
  digest: "sha256:8736c054d9223974735394f822000823baef509e1c33405ec798240fa9b6e4b5",
};

export function recommendedKernel(env) {
  return versionAtLeast(env, "1.3.0") ? KATA_3_32_DEBUG : KATA_3_28;
}

export function appRootOf(ctx) {
  return resolve(ctx.dir, "app-root");
}

function kernelsDir(ctx) {
  return join(appRootOf(ctx), "kernels");
}

/** The 3.32.0 debug build differs from 3.28.0 by the `fragments/debug/ebpf.conf` options (kernel-cni.md §1–2). */
function kernelConfigText(fileName) {
  const base = readFileSync(K1_CONFIG, "utf8");
  if (!fileName.includes("6.18.35-197")) return base;
  return base
    .replace("Linux/arm64 6.18.15 Kernel Configuration", "Linux/arm64 6.18.35 Kernel Configuration")
    .replace("# CONFIG_BPF_JIT is not set", "CONFIG_BPF_JIT=y")
    .replace("# CONFIG_DEBUG_INFO_BTF is not set", "CONFIG_DEBUG_INFO_BTF=y")
    .replace("# CONFIG_BPF_EVENTS is not set", "CONFIG_BPF_EVENTS=y")
    .replace("# CONFIG_KPROBES is not set", "CONFIG_KPROBES=y");
}

function fakeVmlinux(fileName) {
  return Buffer.concat([
    Buffer.from(`\x7fELF kina test double stand-in for ${fileName}\n`),
    Buffer.from("IKCFG_ST"),
    gzipSync(kernelConfigText(fileName)),
    Buffer.from("IKCFG_ED"),
  ]);
}

function setDefault(ctx, fileName) {
  const dir = kernelsDir(ctx);
  const link = join(dir, `default.kernel-${HOST_ARCH}`);
  rmSync(link, { force: true });
  symlinkSync(join(dir, fileName), link);
}

function installFile(ctx, fileName, content, force) {
  const dir = kernelsDir(ctx);
  mkdirSync(dir, { recursive: true });
  const target = join(dir, fileName);
  if (existsSync(target) && !force) {
    // KernelService refuses to overwrite an installed kernel file without --force.
    throw new CzError("exists", `kernel file ${target} already exists, use --force to overwrite`);
  }
  writeFileSync(target, content);
  setDefault(ctx, fileName);
}

/**
 * `system start` installs the recommended kernel when none is set (the double answers the
 * install prompt with yes, like `--enable-kernel-install`). The double's service is up from the
 * start, so every `system` command makes sure a default kernel is in place. An upgrade keeps
 * the kernel installed before it (apple/container #905).
 */
export function ensureDefaultKernel(ctx) {
  const link = join(kernelsDir(ctx), `default.kernel-${HOST_ARCH}`);
  if (existsSync(link)) return;
  const name = basename(recommendedKernel(ctx.env).binaryPath);
  installFile(ctx, name, fakeVmlinux(name), true);
}

/**
 * The configuration of the kernel a new VM boots (reference §7.1: `-k PATH`, else the default
 * kernel), as its /proc/config.gz shows it: read back from the stand-in vmlinux's embedded copy.
 * Undefined when that kernel is not one of the double's stand-ins.
 */
export function bootKernelConfig(ctx, kernelPath) {
  ensureDefaultKernel(ctx);
  const file = kernelPath ?? defaultKernelTarget(ctx);
  if (!file || !existsSync(file)) return undefined;
  const image = readFileSync(file);
  const start = image.indexOf("IKCFG_ST");
  const end = image.indexOf("IKCFG_ED");
  if (start < 0 || end < start) return undefined;
  try {
    return gunzipSync(image.subarray(start + 8, end)).toString("utf8");
  } catch {
    return undefined;
  }
}

export function defaultKernelTarget(ctx) {
  try {
    return readlinkSync(join(kernelsDir(ctx), `default.kernel-${HOST_ARCH}`));
  } catch {
    return undefined;
  }
}

/** `container system kernel set [--recommended | --binary PATH] [--force] [--arch A]` (KernelSet.swift). */
export function kernelSet(ctx, v) {
  if (v.arch !== undefined && v.arch !== HOST_ARCH) {
    throw new CzError("unsupported", `the container test double only models ${HOST_ARCH} kernels`);
  }
  if (v.tar !== undefined) throw new CzError("unsupported", "--tar is not implemented by the container test double");
  if (v.recommended) {
    const name = basename(recommendedKernel(ctx.env).binaryPath);
    installFile(ctx, name, fakeVmlinux(name), v.force === true);
    return 0;
  }
  if (v.binary !== undefined) {
    const source = resolve(v.binary);
    if (!existsSync(source)) throw new CzError("notFound", `kernel file not found at path ${source}`);
    mkdirSync(kernelsDir(ctx), { recursive: true });
    const target = join(kernelsDir(ctx), basename(source));
    if (existsSync(target) && !v.force) throw new CzError("exists", `kernel file ${target} already exists, use --force to overwrite`);
    copyFileSync(source, target);
    setDefault(ctx, basename(source));
    return 0;
  }
  throw new CzError("invalidArgument", "must specify --recommended, --binary or --tar");
}

/** `[network] subnet` from the config.toml the service was started with; only that key is read. */
function configuredSubnet(ctx) {
  const file = join(appRootOf(ctx), "config", "config.toml");
  if (!existsSync(file)) return undefined;
  let section = "";
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) section = header[1].trim();
    const kv = /^\s*subnet\s*=\s*"([^"]*)"\s*$/.exec(line);
    if (kv && section === "network") return kv[1];
  }
  return undefined;
}

/** `system start` copies ~/.config/container/config.toml to <appRoot>/config/ (reference §3.8). */
export function copyUserConfig(ctx) {
  const home = ctx.env.HOME || homedir();
  const user = join(home, ".config", "container", "config.toml");
  if (!existsSync(user)) return;
  mkdirSync(join(appRootOf(ctx), "config"), { recursive: true });
  copyFileSync(user, join(appRootOf(ctx), "config", "config.toml"));
}

/**
 * `system property list --format json`: the merged ContainerSystemConfig, one object per
 * config.toml section (ContainerSystemConfig.swift; optionals omitted when unset).
 */
export function propertyDocument(ctx) {
  const subnet = configuredSubnet(ctx);
  return {
    build: { cpus: 2, image: "ghcr.io/apple/container-builder-shim/builder:0.13.1", memory: "2048MB", rosetta: true },
    container: { cpus: 4, memory: "1g" },
    dns: {},
    kernel: recommendedKernel(ctx.env),
    network: subnet ? { subnet } : {},
    registry: { domain: "docker.io" },
    vminit: { image: "ghcr.io/apple/containerization/vminit:0.40.1" },
  };
}

export function propertyToml(doc) {
  const lines = [];
  for (const [section, values] of Object.entries(doc)) {
    lines.push(`[${section}]`);
    for (const [k, v] of Object.entries(values)) lines.push(`${k} = ${JSON.stringify(v)}`);
    lines.push("");
  }
  return lines.join("\n").trimEnd();
}
