// Cilium, installed with the user's `helm` from the pinned upstream chart. Its settings come from
// what the nodes' kernels have (each node's /proc/config.gz, read as the kernel gate in vmRunning
// reads it) and from the bootstrap trap the owner hit: Cilium's agent and its init container are
// hostNetwork pods that would otherwise reach the API through the kubernetes Service IP, which
// nothing programs before a CNI runs (kernel-cni.md §4). So k8sServiceHost is the control plane's
// stable name kina keeps in every node's /etc/hosts, and k8sServicePort the apiserver's own 6443.

import type { KernelConfig } from "../../doctor/ikconfig.js";
import { nodeKernelConfig } from "../cilium-kernel.js";
import { CONTROL_PLANE_HOST } from "../nodes.js";
import type { KinaContext } from "../services.js";
import { HELM_INSTALL_HINT, HELM_VERSION_ARGS, judgeHelmVersion } from "./helm.js";
import { verifyAgentAndNodes, waitForAgentAndNodes, type CniStrategy } from "./strategy.js";

export const CILIUM_CHART = { repo: "https://helm.cilium.io", chart: "cilium", release: "cilium", namespace: "kube-system" } as const;
/** The release Apple installed on container 1.3.0's default kernel (apple/container PR #2254). */
export const CILIUM_VERSION = "1.20.1";
/**
 * Cilium 1.20 type-checks its datapath against the kernel's BTF (kernel-cni.md §3.1); on a kernel
 * without CONFIG_DEBUG_INFO_BTF (a JIT-enabled custom kernel) kina installs the 1.19 release that
 * ran on such kernels (apple/containerization PR #914).
 */
export const CILIUM_VERSION_WITHOUT_BTF = "1.19.4";
const AGENT = { namespace: CILIUM_CHART.namespace, name: "cilium" };
const SERVICE_PORT = 6443;

export interface NodeKernel {
  node: string;
  config: KernelConfig;
}

export interface CiliumPlan {
  version: string;
  datapath: "tunnel" | "native";
  kubeProxyReplacement: boolean;
  /** One line for the progress display: what was chosen and why. */
  summary: string;
  /** The reasons behind each choice, for the attempt log. */
  reasons: string[];
  /** Helm values, in the order they are passed as `--set key=value`. */
  values: [string, string][];
}

function without(kernels: NodeKernel[], option: string): string[] {
  return kernels.filter((k) => !k.config.has(option)).map((k) => `${k.node} (Linux ${k.config.release ?? "unknown"})`);
}

/**
 * The chart version and values for these nodes' kernels. Datapath: VXLAN tunnelling when every
 * node's kernel has CONFIG_VXLAN (Apple's kernels have no GENEVE, so the tunnel is always vxlan),
 * else native routing between the nodes, which share one L2 network (autoDirectNodeRoutes).
 * kube-proxy replacement stays off while kubeadm's kube-proxy runs (the default); only with
 * networking.kubeProxyMode: none, where nothing else would serve Services, does Cilium take over.
 */
export function ciliumPlan(kernels: NodeKernel[], opts: { podSubnet: string; kubeProxyMode: string }): CiliumPlan {
  const reasons: string[] = [];
  const noBtf = without(kernels, "CONFIG_DEBUG_INFO_BTF");
  const version = noBtf.length === 0 ? CILIUM_VERSION : CILIUM_VERSION_WITHOUT_BTF;
  reasons.push(
    noBtf.length === 0
      ? `Cilium ${version}: every node's kernel has BTF (CONFIG_DEBUG_INFO_BTF)`
      : `Cilium ${version}, not ${CILIUM_VERSION}: no CONFIG_DEBUG_INFO_BTF (which Cilium 1.20 needs) on ${noBtf.join(", ")}`,
  );

  const noVxlan = without(kernels, "CONFIG_VXLAN");
  const datapath = noVxlan.length === 0 ? "tunnel" : "native";
  const datapathWhy =
    datapath === "tunnel"
      ? "tunnel (vxlan) datapath: every node's kernel has CONFIG_VXLAN"
      : `native routing datapath (autoDirectNodeRoutes, ipv4NativeRoutingCIDR=${opts.podSubnet}): no CONFIG_VXLAN on ${noVxlan.join(", ")}`;
  reasons.push(datapathWhy);

  const noTc = kernels.filter((k) => !k.config.has("CONFIG_NET_CLS_BPF") || !k.config.has("CONFIG_NET_SCH_INGRESS")).map((k) => k.node);
  const attach = noTc.length === 0 ? "tc (cls_bpf, ingress qdisc)" : `tcx (no tc cls_bpf/ingress qdisc on ${noTc.join(", ")})`;
  const kubeProxyReplacement = opts.kubeProxyMode === "none";
  const kprWhy = kubeProxyReplacement
    ? `kube-proxy replacement on: networking.kubeProxyMode is none, so Cilium serves Services; it attaches with ${attach}`
    : `kube-proxy replacement off: kina keeps kubeadm's kube-proxy (${opts.kubeProxyMode} mode); Cilium attaches with ${attach}`;
  reasons.push(kprWhy);

  const values: [string, string][] = [
    ["k8sServiceHost", CONTROL_PLANE_HOST],
    ["k8sServicePort", String(SERVICE_PORT)],
    // Pod CIDRs: with ipam.mode=kubernetes each node's agent takes the node's spec.podCIDR, which
    // kube-controller-manager carves out of kubeadm's podSubnet (networking.podSubnet), so the
    // config's pod CIDR reaches Cilium through kubeadm; clusterPoolIPv4PodCIDRList belongs to the
    // cluster-pool IPAM and is not used. Native routing additionally needs the whole pod CIDR as
    // ipv4NativeRoutingCIDR: traffic to it is routed between nodes and never masqueraded.
    ["ipam.mode", "kubernetes"],
    ["kubeProxyReplacement", String(kubeProxyReplacement)],
    // One operator replica: a local cluster has one or a few nodes, and the second replica's
    // anti-affinity would leave it Pending on a single node.
    ["operator.replicas", "1"],
    ...(datapath === "tunnel"
      ? ([
          ["routingMode", "tunnel"],
          ["tunnelProtocol", "vxlan"],
        ] as [string, string][])
      : ([
          ["routingMode", "native"],
          ["autoDirectNodeRoutes", "true"],
          ["ipv4NativeRoutingCIDR", opts.podSubnet],
        ] as [string, string][])),
  ];
  const summary =
    `Cilium ${version}: ${datapath === "tunnel" ? "tunnel (vxlan) datapath, every node has CONFIG_VXLAN" : `native routing datapath, no CONFIG_VXLAN on ${noVxlan.join(", ")}`}; ` +
    `kube-proxy replacement ${kubeProxyReplacement ? "on (networking.kubeProxyMode: none)" : "off (kina keeps kube-proxy)"}`;
  return { version, datapath, kubeProxyReplacement, summary, reasons, values };
}

/** `helm upgrade --install` for the plan: idempotent, so a retry after a failed install goes on from there. */
export function ciliumHelmArgs(plan: CiliumPlan, kubeconfig: string): string[] {
  const sets = plan.values.flatMap(([k, v]) => {
    // helm's --set splits on commas; no value kina sets may hold one (podSubnet is one IPv4 CIDR).
    if (v.includes(",")) throw new Error(`cannot pass ${k}=${v} to helm --set: it holds a comma`);
    return ["--set", `${k}=${v}`];
  });
  return [
    "upgrade", "--install", CILIUM_CHART.release, CILIUM_CHART.chart,
    "--repo", CILIUM_CHART.repo,
    "--version", plan.version,
    "--namespace", CILIUM_CHART.namespace,
    "--kubeconfig", kubeconfig,
    ...sets,
  ];
}

function lastLine(text: string): string {
  return text.trim().split("\n").filter(Boolean).at(-1) ?? "";
}

async function assertHelm(ctx: KinaContext): Promise<string> {
  const verdict = judgeHelmVersion(await ctx.services.host("helm", HELM_VERSION_ARGS));
  if (verdict.ok) return verdict.version;
  throw Object.assign(new Error(`networking.cni: cilium is installed with helm, and ${verdict.problem}`), {
    hint: `${HELM_INSTALL_HINT}, then \`kina retry cni ${ctx.cluster}\` (the cluster is kept as it is)`,
  });
}

export const cilium: CniStrategy = {
  async install(ctx) {
    const helm = await assertHelm(ctx);
    ctx.log.line(`helm ${helm}`);
    const kernels: NodeKernel[] = [];
    for (const node of ctx.config.nodes) kernels.push({ node: node.name, config: await nodeKernelConfig(ctx, node.name) });
    const plan = ciliumPlan(kernels, { podSubnet: ctx.config.networking.podSubnet, kubeProxyMode: ctx.config.networking.kubeProxyMode });
    for (const reason of plan.reasons) ctx.log.line(reason);
    ctx.progress(plan.summary);
    const result = await ctx.services.host("helm", ciliumHelmArgs(plan, ctx.paths.kubeconfig));
    if (result.exitCode !== 0) {
      throw Object.assign(
        new Error(`helm upgrade --install ${CILIUM_CHART.release} (chart ${CILIUM_CHART.chart} ${plan.version}) failed (exit ${result.exitCode ?? result.spawnErrorCode ?? "?"}): ${lastLine(result.stderr || result.stdout)}`),
        { hint: `helm's full output is in the step log; once the cause is fixed, \`kina retry cni ${ctx.cluster}\` runs the install again` },
      );
    }
  },
  waitReady: (ctx, kube) => waitForAgentAndNodes(ctx, kube, AGENT),
  verify: (ctx, kube) => verifyAgentAndNodes(ctx, kube, AGENT),
};
