// The guest kernel VMs boot (reference §7: `<appRoot>/kernels/default.kernel-<arch>`) and whether it
// has what the configured CNI needs (kernel-cni.md §2–3). Judged, best first, from a running node's
// /proc/config.gz, else the configuration embedded in the default kernel file, else only its file
// name against the kernels Apple has shipped; the last can only warn.
// Also: a kernel older than the one this `container` recommends — an upgrade keeps the old kernel
// until `container system kernel set --recommended --force` (apple/container #905, reference §13).

import { realpath } from "node:fs/promises";
import { basename, join } from "node:path";
import { isServiceRunning } from "../../runtime/schemas.js";
import { compareVersions, isVersionAtLeast } from "../../runtime/version.js";
import { fail, ok, warn, type Check, type Finding } from "../check.js";
import type { DoctorContext } from "../context.js";
import { embeddedKernelConfig, parseKernelConfig, type KernelConfig } from "../ikconfig.js";

const RECOMMEND = "container system kernel set --recommended --force";

/** Options without which the CNI cannot run (a fail), and ones it works around (a warn). */
const NEEDS: Record<"kindnet" | "cilium" | "none", { required: string[]; wanted: { option: string; why: string }[] }> = {
  // kindnetd: ptp veth pairs, iptables masquerade through nft; kube-proxy in iptables mode (kernel-cni.md §3.4).
  kindnet: {
    required: ["VETH", "BRIDGE", "NF_TABLES", "NF_NAT", "NETFILTER_XT_MATCH_COMMENT", "NETFILTER_XT_MATCH_ADDRTYPE", "NETFILTER_XT_TARGET_MASQUERADE"],
    wanted: [],
  },
  // Cilium: the agent refuses to start without the eBPF JIT; on Linux >= 6.6 it attaches with tcx
  // when clsact/cls_bpf are missing; 1.20+ type-checks against BTF (kernel-cni.md §3.1).
  cilium: {
    required: ["BPF", "BPF_SYSCALL", "BPF_JIT"],
    wanted: [
      { option: "NET_CLS_BPF", why: "tc attach falls back to tcx" },
      { option: "NET_SCH_INGRESS", why: "tc attach falls back to tcx" },
      { option: "DEBUG_INFO_BTF", why: "Cilium 1.20+ needs BTF; 1.19 runs without" },
    ],
  },
  none: { required: [], wanted: [] },
};

/** The kernels Apple's `container` has installed by default (kernel-cni.md §1), by file name. */
const KNOWN_KERNELS: { pattern: RegExp; label: string; has: string[] }[] = [
  { pattern: /^vmlinux-6\.12\.\d+-1[56]\d$/, label: "Kata 3.17/3.20 (container <= 0.8)", has: ["BPF", "BPF_SYSCALL", ...NEEDS.kindnet.required] },
  {
    pattern: /^vmlinux-6\.18\.(5-177|15-186)$/,
    label: "Kata 3.26/3.28 (container 0.9–1.2.2)",
    has: ["BPF", "BPF_SYSCALL", ...NEEDS.kindnet.required],
  },
  {
    pattern: /^vmlinux-6\.18\.35-197-debug$/,
    label: "Kata 3.32 debug (container >= 1.3.0)",
    has: ["BPF", "BPF_SYSCALL", "BPF_JIT", "DEBUG_INFO_BTF", ...NEEDS.kindnet.required],
  },
];

/** What each release installs by `kernel set --recommended` when `property list` cannot say. */
function recommendedFor(version: string | undefined): string | undefined {
  if (!version) return undefined;
  return isVersionAtLeast(version, "1.3.0") ? "vmlinux-6.18.35-197-debug" : "vmlinux-6.18.15-186";
}

/** "6.18.15-186" from "vmlinux-6.18.15-186(-debug)", for ordering kernels by release and build. */
function kernelRelease(file: string): string | undefined {
  return /vmlinux-(\d+\.\d+\.\d+)-(\d+)/.exec(file)?.slice(1, 3).join(".");
}

// `container` runs only on Apple silicon (reference §1), so VMs boot the arm64 kernel; an amd64
// image runs under Rosetta on that same kernel.
const KERNEL_ARCH = "arm64";

interface Judged {
  config?: KernelConfig;
  known?: (typeof KNOWN_KERNELS)[number];
  from: string;
}

async function runningNodeConfig(ctx: DoctorContext): Promise<Judged | undefined> {
  const list = await ctx.containers();
  if (!list.ok) return undefined;
  const node = list.value.find((c) => c.configuration.labels["io.kina.cluster"] === ctx.config.name && c.status.state === "running");
  if (!node) return undefined;
  try {
    const result = await ctx.cli.exec(node.id, ["zcat", "/proc/config.gz"]);
    if (result.exitCode !== 0 || !result.stdout.includes("CONFIG_")) return undefined;
    return { config: parseKernelConfig(result.stdout), from: `${node.id}'s /proc/config.gz` };
  } catch {
    return undefined;
  }
}

async function judge(ctx: DoctorContext, kernelFile: string | undefined): Promise<Judged | undefined> {
  const fromNode = await runningNodeConfig(ctx);
  if (fromNode) return fromNode;
  if (!kernelFile) return undefined;
  const name = basename(kernelFile);
  try {
    const text = await embeddedKernelConfig(kernelFile);
    if (text) return { config: parseKernelConfig(text), from: `the config embedded in ${name}` };
  } catch {
    // unreadable: fall back to the name
  }
  const known = KNOWN_KERNELS.find((k) => k.pattern.test(name));
  return known ? { known, from: `its file name only (${known.label}); no running node to read /proc/config.gz from` } : undefined;
}

export const kernelCheck: Check = {
  id: "kernel",
  async run(ctx) {
    const status = await ctx.status();
    if (!status.ok || !isServiceRunning(status.value)) return warn("cannot check: the `container` system service is not answering");
    const appRoot = status.value.appRoot;
    if (!appRoot) return warn("cannot check: `container system status` did not report the app root");
    const link = join(appRoot, "kernels", `default.kernel-${KERNEL_ARCH}`);
    let kernelFile: string | undefined;
    try {
      kernelFile = await realpath(link);
    } catch {
      return fail(`no default kernel at ${link}: \`container run\` refuses to start VMs`, "container system kernel set --recommended");
    }
    const name = basename(kernelFile);
    const props = await ctx.properties();
    const version = await ctx.version();
    const recommended =
      (props.ok && props.value.kernel?.binaryPath ? basename(props.value.kernel.binaryPath) : undefined) ??
      recommendedFor(version.ok ? version.value : undefined);
    const findings: Finding[] = [];

    const ours = kernelRelease(name);
    const theirs = recommended ? kernelRelease(recommended) : undefined;
    const stale = ours && theirs && recommended !== name && compareVersions(ours, theirs) < 0;
    if (stale) {
      findings.push(warn(`default kernel ${name} is older than ${recommended}, which this \`container\` recommends (an upgrade keeps the old kernel)`, RECOMMEND));
    }

    const cni = ctx.config.cni;
    const needs = NEEDS[cni];
    const judged = await judge(ctx, kernelFile);
    if (!judged) {
      findings.push(warn(`cannot tell what ${name} supports: no running node, no embedded config, and an unknown file name`));
    } else if (needs.required.length > 0) {
      const has = (o: string) => (judged.config ? judged.config.has(o) : judged.known!.has.includes(o));
      const missing = needs.required.filter((o) => !has(o));
      const lacking = needs.wanted.filter((w) => !has(w.option));
      const fixKernel = kernelFix(cni, Boolean(stale));
      const about = `${name} (judged from ${judged.from}, for ${cni})`;
      if (missing.length > 0) {
        const text = `${about} lacks ${missing.join(", ")}, without which ${cni} cannot run`;
        findings.push(judged.config ? fail(text, fixKernel) : warn(text, fixKernel));
      }
      if (lacking.length > 0) {
        findings.push(warn(`${missing.length > 0 ? "it also" : about} lacks ${lacking.map((w) => `${w.option} (${w.why})`).join(", ")}`));
      }
      if (missing.length === 0 && lacking.length === 0) findings.push(ok(`${about} has everything ${cni} needs`));
    } else {
      findings.push(ok(`${name} (networking.cni: none, nothing to judge)`));
    }
    return combine(findings, ctx.config.source);
  },
};

/** How to get a kernel the CNI can run on; when the recommended kernel is newer, that is the fix. */
function kernelFix(cni: "kindnet" | "cilium" | "none", stale: boolean): string {
  if (stale) return RECOMMEND;
  if (cni === "cilium") {
    return "use a kernel with CONFIG_BPF_JIT (container >= 1.3.0's default: `container system kernel set --recommended --force`, or your own with `--binary PATH --force`), or networking.cni: kindnet";
  }
  return `use a kernel Apple ships: ${RECOMMEND}`;
}

/** Worst level wins; findings joined; the first fix given (they all point at the kernel). */
function combine(findings: Finding[], source: string): Finding {
  const order = { ok: 0, warn: 1, fail: 2 } as const;
  const worst = findings.reduce((a, b) => (order[b.level] > order[a.level] ? b : a));
  const shown = worst.level === "ok" ? findings : findings.filter((f) => f.level !== "ok");
  const fix = shown.find((f) => f.level === "fail" && f.fix)?.fix ?? shown.find((f) => f.fix)?.fix;
  return { level: worst.level, finding: `${shown.map((f) => f.finding).join("; ")} [config: ${source}]`, ...(fix ? { fix } : {}) };
}
