// The config file: kind's files load unchanged, kina's extra fields validate, and every error
// names the field path and what is allowed.

import { describe, expect, it } from "vitest";
import { parseConfigText } from "../../../src/config/load.js";
import { parseTimeoutFlags, pickClusterName, resolveConfig, UsageError } from "../../../src/config/resolve.js";
import { parseDuration } from "../../../src/config/duration.js";

const KIND_FILE = `# a kind config as kind users write it
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: app
featureGates:
  "InPlacePodVerticalScaling": true
runtimeConfig:
  "api/alpha": "false"
networking:
  ipFamily: ipv4
  apiServerAddress: "127.0.0.1"
  apiServerPort: 6443
  podSubnet: "10.244.0.0/16"
  serviceSubnet: "10.96.0.0/12"
  disableDefaultCNI: false
  kubeProxyMode: "iptables"
kubeadmConfigPatches:
- |
  kind: ClusterConfiguration
  apiServer:
    extraArgs:
      enable-admission-plugins: NodeRestriction
containerdConfigPatches:
- |-
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "/etc/containerd/certs.d"
nodes:
- role: control-plane
  labels:
    ingress-ready: "true"
  extraPortMappings:
  - containerPort: 80
    hostPort: 8080
    protocol: TCP
  kubeadmConfigPatches:
  - |
    kind: InitConfiguration
    nodeRegistration:
      kubeletExtraArgs:
        node-labels: "ingress-ready=true"
- role: worker
  image: kindest/node:v1.35.5
`;

const opts = {
  name: "app",
  defaultImage: "kina/node:v1.35.5-kina.1",
  defaultKubernetesVersion: "v1.35.5",
  switchContext: true,
  warn: () => {},
};

function errorOf(text: string): string {
  try {
    parseConfigText(text, "cluster.yaml");
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected the config to be refused");
}

describe("config files", () => {
  it("accepts a typical kind file unchanged and resolves it", () => {
    const warnings: string[] = [];
    const file = parseConfigText(KIND_FILE, "kind.yaml");
    const config = resolveConfig(file, { ...opts, warn: (m) => warnings.push(m) });
    expect(config.nodes.map((n) => [n.name, n.role, n.image])).toEqual([
      ["app-control-plane", "control-plane", "kina/node:v1.35.5-kina.1"],
      ["app-worker", "worker", "kindest/node:v1.35.5"],
    ]);
    expect(config.networking).toMatchObject({ apiServerPort: 6443, serviceSubnet: "10.96.0.0/12", cni: "kindnet" });
    expect(config.featureGates).toEqual({ InPlacePodVerticalScaling: true });
    expect(config.kubeadmConfigPatches).toHaveLength(1);
    expect(config.nodes[0]!.kubeadmConfigPatches).toHaveLength(1);
    // kind's ingress guide mapping becomes a published port on the node VM.
    expect(config.nodes[0]!.publish).toEqual([{ hostAddress: "0.0.0.0", hostPort: 8080, containerPort: 80, proto: "tcp" }]);
    expect(warnings.join("\n")).not.toContain("not applied");
  });

  it("names control planes first and numbers repeats like kind", () => {
    const file = parseConfigText(
      "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: worker\n- role: control-plane\n- role: worker\n- role: control-plane\n",
      "x",
    );
    expect(resolveConfig(file, opts).nodes.map((n) => n.name)).toEqual([
      "app-control-plane",
      "app-control-plane2",
      "app-worker",
      "app-worker2",
    ]);
  });

  it("kina fields: cni, addons, timeouts by short name or step id", () => {
    const file = parseConfigText(
      "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnetworking:\n  cni: none\naddons: [storage]\ntimeouts:\n  cni: 10s\n  kubeadmInit: 5m\n",
      "x",
    );
    const config = resolveConfig(file, { ...opts, timeoutFlags: parseTimeoutFlags(["addons=1h"]) });
    expect(config.networking.cni).toBe("none");
    expect(config.timeoutsMs.cniInstalled).toBe(10_000);
    expect(config.timeoutsMs.kubeadmInit).toBe(300_000);
    expect(config.timeoutsMs.addonsReady).toBe(3_600_000);
  });

  it.each([
    ["apiVersion: v1\nkind: Cluster\n", 'apiVersion: invalid value "v1"; allowed: kina.x-k8s.io/v1alpha4, kind.x-k8s.io/v1alpha4'],
    ["apiVersion: kind.x-k8s.io/v1alpha4\nkind: Pod\n", "kind:"],
    ["apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: master\n", 'nodes[0].role: invalid value "master"; allowed: control-plane, worker'],
    ["apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: worker\n  constraints: {}\n", "nodes[0].constraints: unknown field; allowed: role, image"],
    ["apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnetworking:\n  podSubnet: 10.244.0.0\n", "networking.podSubnet: must be an IPv4 CIDR such as 10.244.0.0/16 (got \"10.244.0.0\")"],
    ["apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnetworking:\n  kubeProxyMode: ipvs\n", 'networking.kubeProxyMode: invalid value "ipvs"; allowed: iptables, nftables, none'],
    ["apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnetworking:\n  cni: calico\n", 'networking.cni: invalid value "calico"; allowed: kindnet, cilium, none'],
    ["apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\ntimeouts:\n  cnii: 10s\n", "timeouts.cnii: unknown step; allowed: image, vm"],
    ["apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\ntimeouts:\n  cni: soon\n", 'timeouts.cni: must be a duration such as "90s"'],
    ["apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\naddons: [traefik]\n", 'addons[0]: unknown addon "traefik"; allowed: storage, metrics-server'],
    ["apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes: [\n", "not valid YAML"],
    ['apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n  memory: "4096"\n', 'nodes[0].memory: must be a size with a unit: "512m", "4g" or "1.5g"'],
    ["apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n  memory: 4096\n", "nodes[0].memory: must be a size with a unit"],
    ["apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n  memory: 4 gigs\n", "nodes[0].memory: must be a size with a unit"],
    ["apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n  memory: 100m\n", "nodes[0].memory: must be at least 200m"],
  ])("refuses %j naming the field", (text, message) => {
    expect(errorOf(text)).toContain(message);
  });

  it("memory sizes share one grammar and reach `container` as whole MiB", () => {
    const file = parseConfigText(
      "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n  memory: 1.5g\n- role: worker\n  memory: 512M\n- role: worker\n  memory: 2GiB\n",
      "x",
    );
    expect(resolveConfig(file, opts).nodes.map((n) => n.memory)).toEqual(["1536m", "512m", "2048m"]);
  });

  it("a config with only workers is refused", () => {
    const file = parseConfigText("apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: worker\n", "x");
    expect(() => resolveConfig(file, opts)).toThrow("must have at least one control-plane node");
  });
});

describe("names and durations", () => {
  it("picks positional, then --name, then $KINA_CLUSTER, then the config's, then kina", () => {
    expect(pickClusterName("a", undefined, { KINA_CLUSTER: "c" }, "d")).toBe("a");
    expect(pickClusterName(undefined, "b", { KINA_CLUSTER: "c" }, "d")).toBe("b");
    expect(pickClusterName(undefined, undefined, { KINA_CLUSTER: "c" }, "d")).toBe("c");
    expect(pickClusterName(undefined, undefined, {}, "d")).toBe("d");
    expect(pickClusterName(undefined, undefined, {})).toBe("kina");
  });

  it("refuses names that are not DNS labels or too long for <name>-control-plane2", () => {
    expect(() => pickClusterName("My_Cluster", undefined, {})).toThrow("DNS-1123");
    expect(() => pickClusterName("a".repeat(49), undefined, {})).toThrow("at most 48 characters");
    expect(pickClusterName("a".repeat(48), undefined, {})).toHaveLength(48);
  });

  it("parses durations and rejects junk", () => {
    expect(parseDuration("90s")).toBe(90_000);
    expect(parseDuration("1m30s")).toBe(90_000);
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("1h")).toBe(3_600_000);
    for (const bad of ["", "5", "5x", "m5", "-1s", "0s"]) expect(parseDuration(bad)).toBeUndefined();
    expect(() => parseTimeoutFlags(["cni=soon"])).toThrow('"soon" is not a duration');
    expect(() => parseTimeoutFlags(["dns=1m"])).toThrow('unknown step "dns"');
  });
});
