// What kina asks helm for, from the node kernels' configuration: the chart version (BTF), the
// datapath (VXLAN or native routing), kube-proxy replacement (only without kube-proxy), and the
// exact argument array; and how `helm version --short` is judged (shared with kina doctor).

import { describe, expect, it } from "vitest";
import { parseKernelConfig } from "../../../src/doctor/ikconfig.js";
import { ciliumHelmArgs, ciliumPlan, type NodeKernel } from "../../../src/steps/cni/cilium.js";
import { judgeHelmVersion } from "../../../src/steps/cni/helm.js";

/** A kernel config like container 1.3.0's default (Kata 3.32 debug): JIT, BTF, VXLAN, no tc cls_bpf. */
function kernel(node: string, changes: Record<string, "y" | "n"> = {}, release = "6.18.35"): NodeKernel {
  const options: Record<string, "y" | "n"> = {
    BPF: "y", BPF_SYSCALL: "y", BPF_JIT: "y", CGROUP_BPF: "y", DEBUG_INFO_BTF: "y", VXLAN: "y",
    GENEVE: "n", NET_CLS_BPF: "n", NET_SCH_INGRESS: "n", ...changes,
  };
  const text = [
    `# Linux/arm64 ${release} Kernel Configuration`,
    ...Object.entries(options).map(([k, v]) => (v === "y" ? `CONFIG_${k}=y` : `# CONFIG_${k} is not set`)),
  ].join("\n");
  return { node, config: parseKernelConfig(text) };
}

const opts = { podSubnet: "10.244.0.0/16", kubeProxyMode: "iptables" };

describe("ciliumPlan", () => {
  it("every kernel has VXLAN and BTF: Cilium 1.20.1, vxlan tunnel, kube-proxy replacement off, attaching with tcx", () => {
    const plan = ciliumPlan([kernel("dev-control-plane"), kernel("dev-worker")], opts);
    expect(plan.version).toBe("1.20.1");
    expect(plan.datapath).toBe("tunnel");
    expect(plan.kubeProxyReplacement).toBe(false);
    expect(plan.values).toEqual([
      ["k8sServiceHost", "kina-control-plane"],
      ["k8sServicePort", "6443"],
      ["ipam.mode", "kubernetes"],
      ["kubeProxyReplacement", "false"],
      ["operator.replicas", "1"],
      ["routingMode", "tunnel"],
      ["tunnelProtocol", "vxlan"],
    ]);
    expect(plan.summary).toBe("Cilium 1.20.1: tunnel (vxlan) datapath, every node has CONFIG_VXLAN; kube-proxy replacement off (kina keeps kube-proxy)");
    expect(plan.reasons.join("\n")).toContain("tcx (no tc cls_bpf/ingress qdisc on dev-control-plane, dev-worker)");
  });

  it("one node without VXLAN: native routing over the pod CIDR for the whole cluster, naming that node", () => {
    const plan = ciliumPlan([kernel("dev-control-plane"), kernel("dev-worker", { VXLAN: "n" }, "6.18.5")], opts);
    expect(plan.datapath).toBe("native");
    expect(plan.values).toEqual(
      expect.arrayContaining([
        ["routingMode", "native"],
        ["autoDirectNodeRoutes", "true"],
        ["ipv4NativeRoutingCIDR", "10.244.0.0/16"],
      ]),
    );
    expect(plan.values.map(([k]) => k)).not.toContain("tunnelProtocol");
    expect(plan.summary).toContain("native routing datapath, no CONFIG_VXLAN on dev-worker (Linux 6.18.5)");
  });

  it("a kernel with tc cls_bpf and the ingress qdisc says it attaches with tc", () => {
    const plan = ciliumPlan([kernel("dev-control-plane", { NET_CLS_BPF: "y", NET_SCH_INGRESS: "y" })], opts);
    expect(plan.reasons.join("\n")).toContain("attaches with tc (cls_bpf, ingress qdisc)");
  });

  it("a kernel without BTF gets Cilium 1.19.4, which runs without it", () => {
    const plan = ciliumPlan([kernel("dev-control-plane", { DEBUG_INFO_BTF: "n" })], opts);
    expect(plan.version).toBe("1.19.4");
    expect(plan.reasons[0]).toContain("no CONFIG_DEBUG_INFO_BTF (which Cilium 1.20 needs) on dev-control-plane");
  });

  it("kubeProxyMode none: nothing else serves Services, so kube-proxy replacement is on", () => {
    const plan = ciliumPlan([kernel("dev-control-plane")], { ...opts, kubeProxyMode: "none" });
    expect(plan.kubeProxyReplacement).toBe(true);
    expect(plan.values).toContainEqual(["kubeProxyReplacement", "true"]);
    expect(plan.summary).toContain("kube-proxy replacement on (networking.kubeProxyMode: none)");
  });
});

describe("ciliumHelmArgs", () => {
  it("is one argument array: upgrade --install of the pinned chart, every value its own --set", () => {
    const plan = ciliumPlan([kernel("dev-control-plane")], opts);
    expect(ciliumHelmArgs(plan, "/home/me/.kina/clusters/dev/kubeconfig")).toEqual([
      "upgrade", "--install", "cilium", "cilium",
      "--repo", "https://helm.cilium.io",
      "--version", "1.20.1",
      "--namespace", "kube-system",
      "--kubeconfig", "/home/me/.kina/clusters/dev/kubeconfig",
      "--set", "k8sServiceHost=kina-control-plane",
      "--set", "k8sServicePort=6443",
      "--set", "ipam.mode=kubernetes",
      "--set", "kubeProxyReplacement=false",
      "--set", "operator.replicas=1",
      "--set", "routingMode=tunnel",
      "--set", "tunnelProtocol=vxlan",
    ]);
  });

  it("refuses a value helm's --set would split", () => {
    const plan = ciliumPlan([kernel("dev-control-plane", { VXLAN: "n" })], { ...opts, podSubnet: "10.244.0.0/16,10.245.0.0/16" });
    expect(() => ciliumHelmArgs(plan, "/k")).toThrow("cannot pass ipv4NativeRoutingCIDR=10.244.0.0/16,10.245.0.0/16 to helm --set");
  });
});

describe("judgeHelmVersion", () => {
  const result = (r: Partial<{ exitCode: number; stdout: string; stderr: string; spawnErrorCode: string }>) => ({
    argv: ["helm", "version", "--short"],
    exitCode: undefined as number | undefined,
    stdout: "",
    stderr: "",
    ...r,
  });
  it("Helm 3 and 4 are fine", () => {
    expect(judgeHelmVersion(result({ exitCode: 0, stdout: "v3.19.0+g3d8990f\n" }))).toEqual({ ok: true, version: "v3.19.0+g3d8990f" });
    expect(judgeHelmVersion(result({ exitCode: 0, stdout: "v4.0.1+g12500dd\n" })).ok).toBe(true);
  });
  it("missing, failing, Helm 2 and garbage are problems that say which", () => {
    expect(judgeHelmVersion(result({ spawnErrorCode: "ENOENT" }))).toEqual({ ok: false, problem: "helm was not found on PATH" });
    expect(judgeHelmVersion(result({ exitCode: 1, stderr: "Error: boom\n" }))).toMatchObject({ problem: expect.stringContaining("failed (exit 1): Error: boom") });
    expect(judgeHelmVersion(result({ exitCode: 0, stdout: "Client: v2.17.0+ga690bad\n" }))).toMatchObject({ problem: expect.stringContaining("Helm 3 or newer") });
    expect(judgeHelmVersion(result({ exitCode: 0, stdout: "hello\n" }))).toMatchObject({ problem: expect.stringContaining("printed no version") });
  });
});
