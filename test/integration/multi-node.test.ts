// Multi-node as kind does it, against both doubles: one network for the cluster, a kubeadm config
// per node in /kind/kubeadm.conf, `kubeadm join --config` with preflight skipped, workers with their
// labels, extra control planes with the certificates the first one uploads.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";

const mac = useFakeMacs();
const kubectlJson = (m: FakeMac, args: string[]) =>
  JSON.parse(execFileSync("/usr/bin/kubectl", ["--kubeconfig", join(m.home, ".kube", "config"), ...args, "-o", "json"], { encoding: "utf8" }));
const ready = (node: { status: { conditions: { type: string; status: string }[] } }) =>
  node.status.conditions.some((c) => c.type === "Ready" && c.status === "True");

describe("multi-node clusters", () => {
  it("1+2: three VMs on kina-dev, workers joined with their labels through --config, three nodes Ready", async () => {
    const m = mac();
    const config = [
      "apiVersion: kind.x-k8s.io/v1alpha4",
      "kind: Cluster",
      "nodes:",
      "- role: control-plane",
      "- role: worker",
      "  labels: { tier: frontend }",
      "- role: worker",
      "  labels: { tier: backend, disk: ssd }",
      "",
    ].join("\n");
    const r = await m.kina(["create", "dev", "--config", "-"], { input: config });
    expect(r.code, r.stderr).toBe(0);
    const vms = m.containers();
    expect(vms.map((c) => c.id).sort()).toEqual(["dev-control-plane", "dev-worker", "dev-worker2"]);
    expect(vms.map((c) => c.raw.configuration.networks[0].network)).toEqual(["kina-dev", "kina-dev", "kina-dev"]);

    const joins = m.execLog().filter((e) => e.argv[0] === "kubeadm" && e.argv[1] === "join" && !e.via);
    expect(joins.map((e) => [e.node, e.argv.slice(2)]).sort()).toEqual([
      ["dev-worker", ["--config", "/kind/kubeadm.conf", "--skip-phases=preflight"]],
      ["dev-worker2", ["--config", "/kind/kubeadm.conf", "--skip-phases=preflight"]],
    ]);
    for (const node of ["dev-control-plane", "dev-worker", "dev-worker2"]) {
      const docs = parseAllDocuments(m.container(["exec", node, "cat", "/kind/kubeadm.conf"])).map((d) => d.toJS());
      expect(docs.find((d) => d?.kind === "ClusterConfiguration").controlPlaneEndpoint).toBe("kina-control-plane:6443");
    }
    const workerJoin = parseAllDocuments(m.container(["exec", "dev-worker2", "cat", "/kind/kubeadm.conf"]))
      .map((d) => d.toJS())
      .find((d) => d?.kind === "JoinConfiguration");
    expect(workerJoin.controlPlane).toBeUndefined();
    expect(workerJoin.skipPhases).toEqual(["preflight"]);

    // Node prep turned TCP segmentation offload off on every node's NIC (apple/container #2245).
    for (const node of ["dev-control-plane", "dev-worker", "dev-worker2"]) {
      expect(m.container(["exec", node, "ethtool", "-k", "eth0"])).toContain("tcp-segmentation-offload: off");
    }
    const nodes = kubectlJson(m, ["get", "nodes"]).items;
    expect(nodes.map((n: { metadata: { name: string } }) => n.metadata.name).sort()).toEqual(["dev-control-plane", "dev-worker", "dev-worker2"]);
    expect(nodes.every(ready)).toBe(true);
    const labels = (name: string) => nodes.find((n: { metadata: { name: string } }) => n.metadata.name === name).metadata.labels;
    expect(labels("dev-worker")).toMatchObject({ tier: "frontend" });
    expect(labels("dev-worker2")).toMatchObject({ tier: "backend", disk: "ssd" });
  });

  it("3 control planes: the others join as control planes, one at a time, with uploaded certificates", async () => {
    const m = mac();
    const config = "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n- role: control-plane\n- role: control-plane\n";
    const r = await m.kina(["create", "dev", "--config", "-"], { input: config });
    expect(r.code, r.stderr).toBe(0);
    const uploads = m.execLog().filter((e) => e.argv.join(" ") === "kubeadm init phase upload-certs --upload-certs");
    expect(uploads).toHaveLength(2);
    for (const node of ["dev-control-plane2", "dev-control-plane3"]) {
      const join = parseAllDocuments(m.container(["exec", node, "cat", "/kind/kubeadm.conf"]))
        .map((d) => d.toJS())
        .find((d) => d?.kind === "JoinConfiguration");
      expect(join.controlPlane.certificateKey).toMatch(/^[0-9a-f]{64}$/);
      expect(m.container(["exec", node, "test", "-f", "/etc/kubernetes/manifests/kube-apiserver.yaml"])).toBe("");
    }
    const nodes = kubectlJson(m, ["get", "nodes"]).items;
    expect(nodes).toHaveLength(3);
    expect(nodes.every(ready)).toBe(true);
    expect(
      nodes.every((n: { metadata: { labels: Record<string, string> } }) => "node-role.kubernetes.io/control-plane" in n.metadata.labels),
    ).toBe(true);
  });
});

describe("containerdConfigPatches", () => {
  it("are written as containerd drop-ins on every node, and containerd is restarted once", async () => {
    const m = mac();
    const patch = '[plugins."io.containerd.cri.v1.images".registry]\n  config_path = "/etc/containerd/certs.d"';
    const config = `apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\ncontainerdConfigPatches:\n- |-\n${patch.split("\n").map((l) => `  ${l}`).join("\n")}\n`;
    const r = await m.kina(["create", "dev", "--config", "-"], { input: config });
    expect(r.code, r.stderr).toBe(0);
    expect(m.container(["exec", "dev-control-plane", "cat", "/etc/containerd/conf.d/kina-patch-1.toml"])).toContain('config_path = "/etc/containerd/certs.d"');
    const restarts = m.execLog().filter((e) => e.argv.join(" ") === "systemctl restart containerd" && !e.via);
    expect(restarts).toHaveLength(1);
  });
});
