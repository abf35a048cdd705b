// Whether Cilium can run on a node's kernel, read from the node's own /proc/config.gz (never
// assumed from the `container` version: an upgraded Mac keeps its old default kernel until
// `container system kernel set --recommended`; reference §13, kernel-cni.md). Cilium needs eBPF
// with the JIT and cgroup BPF, and a way to attach to devices: tc (cls_bpf + the ingress qdisc)
// or, from Linux 6.6 on, tcx.

import { parseKernelConfig, type KernelConfig } from "../doctor/ikconfig.js";
import type { KinaContext } from "./services.js";

const REQUIRED = ["CONFIG_BPF", "CONFIG_BPF_SYSCALL", "CONFIG_BPF_JIT", "CONFIG_CGROUP_BPF"];
const TC_ATTACH = ["CONFIG_NET_CLS_BPF", "CONFIG_NET_SCH_INGRESS"];

function atLeast(release: string | undefined, major: number, minor: number): boolean {
  const [ma, mi] = (release ?? "0.0").split(".").map(Number) as [number, number];
  return ma > major || (ma === major && mi >= minor);
}

/** The CONFIG_* options Cilium lacks on this kernel; empty when it can run. */
export function ciliumMissing(config: KernelConfig): string[] {
  const missing = REQUIRED.filter((o) => !config.has(o));
  const tc = TC_ATTACH.filter((o) => !config.has(o));
  // tcx (Linux >= 6.6) replaces tc attach, so without cls_bpf/ingress a new kernel still works.
  if (tc.length > 0 && !atLeast(config.release, 6, 6)) missing.push(...tc.map((o) => `${o} (or Linux 6.6+ for tcx)`));
  return missing;
}

/** The configuration of the kernel a node booted, from its /proc/config.gz. */
export async function nodeKernelConfig(ctx: KinaContext, node: string): Promise<KernelConfig> {
  const result = await ctx.services.runtime.exec(node, ["zcat", "/proc/config.gz"]);
  if (result.exitCode !== 0) {
    throw new Error(`cannot read the kernel config of ${node} (zcat /proc/config.gz exit ${result.exitCode}): ${result.stderr.trim()}`);
  }
  return parseKernelConfig(result.stdout);
}

export async function assertCiliumKernels(ctx: KinaContext): Promise<void> {
  for (const node of ctx.config.nodes) {
    const config = await nodeKernelConfig(ctx, node.name);
    const missing = ciliumMissing(config);
    ctx.log.line(`${node.name}: kernel ${config.release ?? "unknown"}, Cilium needs ${missing.length ? `missing: ${missing.join(", ")}` : "all present"}`);
    if (missing.length === 0) continue;
    throw Object.assign(
      new Error(`networking.cni: cilium cannot run on the kernel of ${node.name} (Linux ${config.release ?? "unknown"}): missing ${missing.join(", ")}`),
      {
        hint:
          "use a kernel that has them: `container system kernel set --recommended --force` (container 1.3.0+ ships one with BPF JIT), " +
          "or a kernel file of your own as nodes[].kernel in the config (passed to `container run --kernel`); " +
          `then create the cluster again (\`kina delete ${ctx.cluster}\`; VMs made before may keep the kernel they were made with), or use networking.cni: kindnet`,
      },
    );
  }
}
