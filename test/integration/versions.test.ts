// The Kubernetes versions kina pins: v1.37.0 by default, the others by --kubernetes-version or
// kubernetesVersion:, each its own kina image built from its pinned kindest/node, with the kubeadm
// API version that Kubernetes version takes.

import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";

const mac = useFakeMacs();
const kubeadmConf = (m: FakeMac) =>
  parseAllDocuments(m.container(["exec", "dev-control-plane", "cat", "/kind/kubeadm.conf"])).map((d) => d.toJS());

describe("Kubernetes versions", () => {
  it("v1.37.0 by default, built from its pinned kindest/node, with kubeadm v1beta4", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    expect(m.containers()[0]!.raw.configuration.image.reference).toContain("kina/node:v1.37.0-kina.1");
    expect(m.builds().at(-1).buildArgs).toMatchObject({
      KUBERNETES_VERSION: "v1.37.0",
      BASE_DIGEST: "sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5",
    });
    const cluster = kubeadmConf(m).find((d) => d?.kind === "ClusterConfiguration");
    expect(cluster.apiVersion).toBe("kubeadm.k8s.io/v1beta4");
    expect(cluster.kubernetesVersion).toBe("v1.37.0");
    // kubeadm 1.37 wants pause:3.10.1; kindest/node preloads 3.10, which node prep re-tagged.
    const images = m.container(["exec", "dev-control-plane", "ctr", "-n", "k8s.io", "images", "ls", "-q"]);
    expect(images).toContain("registry.k8s.io/pause:3.10.1");
  });

  it("--kubernetes-version v1.35.5 runs that pin's image, with kubeadm v1beta3", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--kubernetes-version", "v1.35.5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(m.containers()[0]!.raw.configuration.image.reference).toContain("kina/node:v1.35.5-kina.1");
    expect(m.builds().at(-1).buildArgs).toMatchObject({
      KUBERNETES_VERSION: "v1.35.5",
      BASE_DIGEST: "sha256:ce977ae6d65918d0b58a5f8b5e940429c2ce42fa3a5619ec2bbc60b949c0ac95",
    });
    expect(kubeadmConf(m).find((d) => d?.kind === "ClusterConfiguration").apiVersion).toBe("kubeadm.k8s.io/v1beta3");
  });

  it("kubernetesVersion: v1.36.4 in the config selects that pin", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--config", "-"], { input: "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nkubernetesVersion: v1.36.4\n" });
    expect(r.code, r.stderr).toBe(0);
    expect(m.containers()[0]!.raw.configuration.image.reference).toContain("kina/node:v1.36.4-kina.1");
  });

  it("a version kina does not pin exits 2 naming the offered ones, and creates nothing", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--kubernetes-version", "v1.30.0"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("v1.30.0 is not a version kina pins; offered: v1.37.0, v1.36.4, v1.35.8, v1.35.5");
    expect(m.containers()).toEqual([]);
  });
});
