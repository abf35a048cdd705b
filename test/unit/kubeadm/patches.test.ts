import { describe, expect, test } from "vitest";
import { KubeadmConfigError, renderKubeadmConfig, type KubeadmInput } from "../../../src/kubeadm/index.js";
import { flag, input, parseRendered } from "./fixtures.js";

const V1BETA3 = "v1.35.5";
const V1BETA4 = "v1.36.1";

function render(overrides: Partial<KubeadmInput>) {
  return parseRendered(renderKubeadmConfig(input(overrides)));
}

function renderError(overrides: Partial<KubeadmInput>): KubeadmConfigError {
  try {
    renderKubeadmConfig(input(overrides));
  } catch (err) {
    expect(err).toBeInstanceOf(KubeadmConfigError);
    return err as KubeadmConfigError;
  }
  throw new Error("expected rendering to fail");
}

describe("merge patches (RFC 7386)", () => {
  test("are applied in order, cluster-level before node-level", () => {
    const { byKind } = render({
      kubeadmConfigPatches: [
        "kind: KubeletConfiguration\nmaxPods: 50\nserializeImagePulls: false\n",
        "kind: KubeletConfiguration\nmaxPods: 60\n",
      ],
      nodeKubeadmConfigPatches: ["kind: KubeletConfiguration\nmaxPods: 70\n"],
    });
    const kubelet = byKind("KubeletConfiguration");
    expect(kubelet.maxPods).toBe(70);
    expect(kubelet.serializeImagePulls).toBe(false);
    // untouched settings survive
    expect(kubelet.cgroupDriver).toBe("systemd");
  });

  test("null removes a field", () => {
    const { byKind } = render({ kubeadmConfigPatches: ["kind: KubeletConfiguration\nevictionHard: null\n"] });
    expect(byKind("KubeletConfiguration").evictionHard).toBeUndefined();
  });

  test("a patch without apiVersion matches whatever version is generated; with one, it must agree", () => {
    const patch = "kind: ClusterConfiguration\nnetworking:\n  dnsDomain: dev.local\n";
    expect(render({ kubernetesVersion: V1BETA3, kubeadmConfigPatches: [patch] }).byKind("ClusterConfiguration").networking.dnsDomain).toBe("dev.local");
    expect(render({ kubernetesVersion: V1BETA4, kubeadmConfigPatches: [patch] }).byKind("ClusterConfiguration").networking.dnsDomain).toBe("dev.local");

    const groupOnly = "apiVersion: kubeadm.k8s.io/\nkind: ClusterConfiguration\nclusterName: other\n";
    const cluster = render({ kubernetesVersion: V1BETA4, kubeadmConfigPatches: [groupOnly] }).byKind("ClusterConfiguration");
    expect(cluster.clusterName).toBe("other");
    expect(cluster.apiVersion).toBe("kubeadm.k8s.io/v1beta4");

    const err = renderError({
      kubernetesVersion: V1BETA3,
      kubeadmConfigPatches: ["apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\nclusterName: x\n"],
    });
    expect(err.code).toBe("patch-no-match");
    expect(err.message).toMatch(/kubeadmConfigPatches\[0\] \(kind ClusterConfiguration, apiVersion kubeadm.k8s.io\/v1beta4\)/);
    expect(err.message).toMatch(/uses kubeadm.k8s.io\/v1beta3; omit apiVersion/);
  });

  test("kind's map-style extraArgs patches keep working on v1beta4, and null removes a flag", () => {
    const { byKind } = render({
      kubernetesVersion: V1BETA4,
      featureGates: { Foo: true },
      kubeadmConfigPatches: [
        "kind: ClusterConfiguration\napiServer:\n  extraArgs:\n    enable-admission-plugins: NodeRestriction\n    v: 4\n",
        "kind: ClusterConfiguration\ncontrollerManager:\n  extraArgs:\n    enable-hostpath-provisioner: null\n",
        "kind: InitConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n    - name: node-ip\n      value: 10.0.0.9\n",
      ],
    });
    const cluster = byKind("ClusterConfiguration");
    expect(cluster.apiServer.extraArgs).toEqual([
      { name: "feature-gates", value: "Foo=true" },
      { name: "enable-admission-plugins", value: "NodeRestriction" },
      { name: "v", value: "4" },
    ]);
    expect(cluster.controllerManager.extraArgs).toEqual([{ name: "feature-gates", value: "Foo=true" }]);
    expect(byKind("InitConfiguration").nodeRegistration.kubeletExtraArgs).toEqual([{ name: "node-ip", value: "10.0.0.9" }]);
  });

  test("list-style extraArgs patches are accepted on v1beta3 too", () => {
    const { byKind } = render({
      kubernetesVersion: V1BETA3,
      kubeadmConfigPatches: ["kind: ClusterConfiguration\nscheduler:\n  extraArgs:\n    - name: v\n      value: \"5\"\n"],
    });
    expect(byKind("ClusterConfiguration").scheduler.extraArgs).toEqual({ v: "5" });
  });

  test("certSANs from patches are added to kina's, never replacing them", () => {
    const cluster = render({
      kubeadmConfigPatches: ["kind: ClusterConfiguration\napiServer:\n  certSANs: [my.mac.local, localhost]\n"],
    }).byKind("ClusterConfiguration");
    expect(cluster.apiServer.certSANs).toEqual(["localhost", "127.0.0.1", "192.168.64.3", "dev-control-plane", "my.mac.local"]);
  });

  test("JoinConfiguration patches meant for other nodes match the first control plane's config too", () => {
    const join = render({
      kubeadmConfigPatches: ["kind: JoinConfiguration\nnodeRegistration:\n  kubeletExtraArgs:\n    max-pods: \"30\"\n"],
    }).byKind("JoinConfiguration");
    expect(flag(join.nodeRegistration.kubeletExtraArgs, "max-pods")).toBe("30");
  });

  test("a patch string may hold several documents; kind's metadata.name helper is dropped", () => {
    const { byKind } = render({
      kubeadmConfigPatches: [
        "kind: KubeletConfiguration\nmetadata:\n  name: config\nmaxPods: 33\n---\nkind: KubeProxyConfiguration\nmetadata:\n  name: config\nmode: nftables\n",
      ],
    });
    expect(byKind("KubeletConfiguration").maxPods).toBe(33);
    expect(byKind("KubeletConfiguration").metadata).toBeUndefined();
    expect(byKind("KubeProxyConfiguration").mode).toBe("nftables");
  });

  test("a patch that matches no document names its kind and lists what was generated", () => {
    const err = renderError({ kubeadmConfigPatches: ["kind: ClusterConfiguration\n", "kind: KubeSchedulerConfiguration\nfoo: 1\n"] });
    expect(err.code).toBe("patch-no-match");
    expect(err.message).toMatch(/^kubeadmConfigPatches\[1\] \(kind KubeSchedulerConfiguration\) matches no generated kubeadm document/);
    expect(err.message).toContain("KubeletConfiguration (kubelet.config.k8s.io/v1beta1)");
  });

  test("patching kube-proxy while it is disabled says why nothing matched", () => {
    const err = renderError({ kubeProxyMode: "none", kubeadmConfigPatches: ["kind: KubeProxyConfiguration\nmode: ipvs\n"] });
    expect(err.message).toMatch(/kubeProxyMode: none/);
  });

  test("a patch that is not YAML is reported with its index", () => {
    const err = renderError({ kubeadmConfigPatches: ["kind: KubeletConfiguration\n", "kind: [unclosed\n"] });
    expect(err.code).toBe("patch-not-yaml");
    expect(err.message).toMatch(/^kubeadmConfigPatches\[1\] is not valid YAML: /);
  });

  test("node-level patch errors say which node", () => {
    const err = renderError({ nodeKubeadmConfigPatches: ["a: b: c"] });
    expect(err.code).toBe("patch-not-yaml");
    expect(err.message).toMatch(/^node "dev-control-plane" kubeadmConfigPatches\[0\] is not valid YAML/);
  });

  test("a patch without kind, or an empty one, is refused", () => {
    expect(renderError({ kubeadmConfigPatches: ["maxPods: 3\n"] }).message).toMatch(/kubeadmConfigPatches\[0\] must be a YAML mapping with a "kind"/);
    expect(renderError({ kubeadmConfigPatches: ["just text"] }).code).toBe("patch-invalid");
    expect(renderError({ kubeadmConfigPatches: ["# nothing\n"] }).message).toMatch(/kubeadmConfigPatches\[0\] is empty/);
  });
});

describe("JSON 6902 patches", () => {
  test("apply after merge patches, selected by kind and group/version", () => {
    const cluster = render({
      kubernetesVersion: V1BETA3,
      kubeadmConfigPatches: ["kind: ClusterConfiguration\nclusterName: merged\n"],
      kubeadmConfigPatchesJSON6902: [
        {
          group: "kubeadm.k8s.io",
          version: "v1beta3",
          kind: "ClusterConfiguration",
          patch: "- op: add\n  path: /apiServer/certSANs/-\n  value: extra.test\n- op: test\n  path: /clusterName\n  value: merged\n",
        },
      ],
    }).byKind("ClusterConfiguration");
    expect(cluster.apiServer.certSANs.at(-1)).toBe("extra.test");
    expect(cluster.clusterName).toBe("merged");
  });

  test("node-level JSON 6902 patches come last", () => {
    const kubelet = render({
      kubeadmConfigPatches: ["kind: KubeletConfiguration\nmaxPods: 10\n"],
      nodeKubeadmConfigPatchesJSON6902: [
        { group: "kubelet.config.k8s.io", version: "v1beta1", kind: "KubeletConfiguration", patch: "[{op: replace, path: /maxPods, value: 11}]" },
      ],
    }).byKind("KubeletConfiguration");
    expect(kubelet.maxPods).toBe(11);
  });

  test("a failing operation or a wrong version is an error naming the patch", () => {
    const failing = renderError({
      kubeadmConfigPatchesJSON6902: [
        { group: "kubelet.config.k8s.io", version: "v1beta1", kind: "KubeletConfiguration", patch: "- op: remove\n  path: /nope\n" },
      ],
    });
    expect(failing.code).toBe("patch-failed");
    expect(failing.message).toMatch(/kubeadmConfigPatchesJSON6902\[0\] failed on KubeletConfiguration: operation 0 \(remove \/nope\)/);

    const wrongVersion = renderError({
      kubernetesVersion: V1BETA4,
      kubeadmConfigPatchesJSON6902: [{ group: "kubeadm.k8s.io", version: "v1beta3", kind: "InitConfiguration", patch: "[]" }],
    });
    expect(wrongVersion.code).toBe("patch-no-match");
  });
});
