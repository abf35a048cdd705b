import { describe, expect, test } from "vitest";
import {
  KubeadmConfigError,
  MIN_KUBERNETES_VERSION,
  kubeadmApiVersion,
  renderKubeadmConfig,
} from "../../../src/kubeadm/index.js";
import { NODE_IP, flag, input, parseRendered } from "./fixtures.js";

describe("kubeadm API version (kind's cut-over)", () => {
  test.each([
    ["v1.23.0", "kubeadm.k8s.io/v1beta3"],
    ["v1.35.5", "kubeadm.k8s.io/v1beta3"],
    ["v1.36.0", "kubeadm.k8s.io/v1beta4"],
    ["v1.37.0-rc.1", "kubeadm.k8s.io/v1beta4"],
    ["1.36.1", "kubeadm.k8s.io/v1beta4"],
  ])("%s uses %s", (version, api) => {
    expect(kubeadmApiVersion(version)).toBe(api);
  });

  test("versions older than kina supports are refused with the floor in the message", () => {
    expect(() => renderKubeadmConfig(input({ kubernetesVersion: "v1.22.17" }))).toThrow(KubeadmConfigError);
    expect(() => renderKubeadmConfig(input({ kubernetesVersion: "v1.22.17" }))).toThrow(
      new RegExp(`v1\\.22\\.17 is too old.*${MIN_KUBERNETES_VERSION.replace(/\./g, "\\.")}`),
    );
  });

  test("a non-version is refused", () => {
    expect(() => renderKubeadmConfig(input({ kubernetesVersion: "latest" }))).toThrow(/not a Kubernetes version/);
  });
});

describe.each([
  { version: "v1.35.5", api: "kubeadm.k8s.io/v1beta3", shape: "map" },
  { version: "v1.36.1", api: "kubeadm.k8s.io/v1beta4", shape: "list" },
])("rendering for $version ($api)", ({ version, api, shape }) => {
  const rendered = () =>
    parseRendered(
      renderKubeadmConfig(
        input({
          kubernetesVersion: version,
          featureGates: { InPlacePodVerticalScaling: true, Foo: false },
          nodeLabels: { tier: "frontend", "kina.dev/pool": "a" },
          extraCertSANs: ["api.dev.test"],
        }),
      ),
    );

  test("emits kind's documents, all kubeadm ones in the expected API version, without helper metadata", () => {
    const { kinds, byKind } = rendered();
    expect(kinds).toEqual([
      "ClusterConfiguration",
      "InitConfiguration",
      "JoinConfiguration",
      "KubeletConfiguration",
      "KubeProxyConfiguration",
    ]);
    for (const kind of ["ClusterConfiguration", "InitConfiguration", "JoinConfiguration"]) {
      expect(byKind(kind).apiVersion).toBe(api);
    }
    expect(byKind("KubeletConfiguration").apiVersion).toBe("kubelet.config.k8s.io/v1beta1");
    expect(byKind("KubeProxyConfiguration").apiVersion).toBe("kubeproxy.config.k8s.io/v1alpha1");
    for (const kind of kinds) expect(byKind(kind).metadata).toBeUndefined();
  });

  test("advertises the VM IP on 6443 and registers the node by name on containerd", () => {
    const init = rendered().byKind("InitConfiguration");
    expect(init.localAPIEndpoint).toEqual({ advertiseAddress: NODE_IP, bindPort: 6443 });
    expect(init.nodeRegistration.name).toBe("dev-control-plane");
    expect(init.nodeRegistration.criSocket).toBe("unix:///run/containerd/containerd.sock");
    expect(init.skipPhases).toEqual(["preflight"]);
  });

  test(`kubelet and component flags use the ${shape} shape`, () => {
    const { byKind } = rendered();
    const kubeletArgs = byKind("InitConfiguration").nodeRegistration.kubeletExtraArgs;
    const apiArgs = byKind("ClusterConfiguration").apiServer.extraArgs;
    if (shape === "list") {
      expect(kubeletArgs).toEqual([
        { name: "node-ip", value: NODE_IP },
        { name: "node-labels", value: "kina.dev/pool=a,tier=frontend" },
      ]);
      expect(Array.isArray(apiArgs)).toBe(true);
    } else {
      expect(kubeletArgs).toEqual({ "node-ip": NODE_IP, "node-labels": "kina.dev/pool=a,tier=frontend" });
      expect(Array.isArray(apiArgs)).toBe(false);
    }
  });

  test("the apiserver certificate is valid for the host endpoint, the VM IP and the node name", () => {
    const cluster = rendered().byKind("ClusterConfiguration");
    expect(cluster.apiServer.certSANs).toEqual(["localhost", "127.0.0.1", NODE_IP, "dev-control-plane", "api.dev.test"]);
    expect(cluster.controlPlaneEndpoint).toBe(`${NODE_IP}:6443`);
    expect(cluster.kubernetesVersion).toBe(version);
    expect(cluster.clusterName).toBe("dev");
  });

  test("subnets come from the config", () => {
    expect(rendered().byKind("ClusterConfiguration").networking).toEqual({
      podSubnet: "10.244.0.0/16",
      serviceSubnet: "10.96.0.0/16",
    });
  });

  test("feature gates reach every component, sorted as kind writes them", () => {
    const { byKind } = rendered();
    const cluster = byKind("ClusterConfiguration");
    for (const component of ["apiServer", "controllerManager", "scheduler"]) {
      expect(flag(cluster[component].extraArgs, "feature-gates"), component).toBe("Foo=false,InPlacePodVerticalScaling=true");
    }
    expect(flag(cluster.controllerManager.extraArgs, "enable-hostpath-provisioner")).toBe("true");
    const gates = { Foo: false, InPlacePodVerticalScaling: true };
    expect(byKind("KubeletConfiguration").featureGates).toEqual(gates);
    expect(byKind("KubeProxyConfiguration").featureGates).toEqual(gates);
  });

  test("kubelet settings suit a node whose disk is the Mac's", () => {
    const kubelet = rendered().byKind("KubeletConfiguration");
    expect(kubelet.cgroupDriver).toBe("systemd");
    expect(kubelet.cgroupRoot).toBe("/kubelet");
    expect(kubelet.failSwapOn).toBe(false);
    expect(kubelet.imageGCHighThresholdPercent).toBe(100);
    expect(kubelet.evictionHard).toEqual({ "nodefs.available": "0%", "nodefs.inodesFree": "0%", "imagefs.available": "0%" });
  });

  test("kube-proxy runs in the configured mode without touching nf_conntrack_max", () => {
    const proxy = rendered().byKind("KubeProxyConfiguration");
    expect(proxy.mode).toBe("iptables");
    expect(proxy.conntrack).toEqual({ maxPerCore: 0 });
    expect(proxy.iptables).toEqual({ minSyncPeriod: "1s" });
  });
});

describe("rendering options", () => {
  test("without feature gates no component gets a feature-gates flag or field", () => {
    const { byKind } = parseRendered(renderKubeadmConfig(input()));
    const cluster = byKind("ClusterConfiguration");
    expect(flag(cluster.apiServer.extraArgs, "feature-gates")).toBeUndefined();
    expect(cluster.scheduler.extraArgs).toBeUndefined();
    expect(byKind("KubeletConfiguration").featureGates).toBeUndefined();
  });

  test("kubeProxyMode none drops KubeProxyConfiguration and skips the kube-proxy addon", () => {
    const { kinds, byKind } = parseRendered(renderKubeadmConfig(input({ kubeProxyMode: "none" })));
    expect(kinds).not.toContain("KubeProxyConfiguration");
    expect(byKind("InitConfiguration").skipPhases).toEqual(["preflight", "addon/kube-proxy"]);
  });

  test("nftables mode makes conntrack liberal, as kind does", () => {
    const proxy = parseRendered(renderKubeadmConfig(input({ kubeProxyMode: "nftables" }))).byKind("KubeProxyConfiguration");
    expect(proxy.mode).toBe("nftables");
    expect(proxy.conntrack).toEqual({ maxPerCore: 0, tcpBeLiberal: true });
  });

  test("Kubernetes 1.23 images get the cgroupfs kubelet driver their containerd uses", () => {
    const kubelet = parseRendered(renderKubeadmConfig(input({ kubernetesVersion: "v1.23.17" }))).byKind("KubeletConfiguration");
    expect(kubelet.cgroupDriver).toBe("cgroupfs");
  });

  test("a bootstrap token, when given, is used for init and for the join discovery", () => {
    const token = "abcdef.0123456789abcdef";
    const { byKind } = parseRendered(renderKubeadmConfig(input({ bootstrapToken: token })));
    expect(byKind("InitConfiguration").bootstrapTokens).toEqual([{ token }]);
    expect(byKind("JoinConfiguration").discovery.bootstrapToken).toEqual({
      apiServerEndpoint: `${NODE_IP}:6443`,
      token,
      unsafeSkipCAVerification: true,
    });
  });

  test("without a token kubeadm picks its own", () => {
    const { byKind } = parseRendered(renderKubeadmConfig(input()));
    expect(byKind("InitConfiguration").bootstrapTokens).toBeUndefined();
  });

  test("strings Go would read as booleans stay strings", () => {
    const { byKind } = parseRendered(renderKubeadmConfig(input({ nodeLabels: {}, runtimeConfig: { "api/all": "true" }, clusterName: "on" })));
    expect(byKind("ClusterConfiguration").clusterName).toBe("on");
    expect(flag(byKind("ClusterConfiguration").apiServer.extraArgs, "runtime-config")).toBe("api/all=true");
  });

  test("bad inputs are reported together", () => {
    expect(() =>
      renderKubeadmConfig(input({ nodeIp: "not-an-ip", bootstrapToken: "short", bindPort: 0 })),
    ).toThrow(/nodeIp "not-an-ip" is not an IPv4 address; bindPort 0 is not a port; bootstrapToken/);
  });
});
