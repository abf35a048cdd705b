// kind's kubeadmConfigPatchesJSON6902 (cluster-wide and per node) reach the kubeadm config kina
// writes to /kind/kubeadm.conf, as kind applies them.

import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { useFakeMacs } from "../helpers/fake-mac.js";

const mac = useFakeMacs();

const CONFIG = `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
kubeadmConfigPatchesJSON6902:
- group: kubeadm.k8s.io
  version: v1beta4
  kind: ClusterConfiguration
  patch: |
    - op: add
      path: /apiServer/certSANs/-
      value: my-hostname.example
nodes:
- role: control-plane
  kubeadmConfigPatchesJSON6902:
  - group: kubeadm.k8s.io
    version: v1beta4
    kind: InitConfiguration
    patch: |
      - op: add
        path: /nodeRegistration/kubeletExtraArgs/-
        value: { name: v, value: "4" }
`;

describe("kubeadmConfigPatchesJSON6902", () => {
  it("cluster and node patches are applied to the kubeadm config on the node", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--config", "-"], { input: CONFIG });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain("not applied yet");
    const text = m.container(["exec", "dev-control-plane", "cat", "/kind/kubeadm.conf"]);
    const docs = parseAllDocuments(text).map((d) => d.toJS());
    const cluster = docs.find((d) => d?.kind === "ClusterConfiguration");
    expect(cluster.apiServer.certSANs).toContain("my-hostname.example");
    const init = docs.find((d) => d?.kind === "InitConfiguration");
    expect(JSON.stringify(init.nodeRegistration.kubeletExtraArgs)).toContain('"4"');
  });
});
