// `networking.cni: none` (kind's disableDefaultCNI): kina installs no CNI, does not wait for pods
// that cannot start without one, ends ready, and says the nodes stay NotReady until the user's CNI.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";

const mac = useFakeMacs();

describe.each([
  ["kina.x-k8s.io/v1alpha4", "networking:\n  cni: none\n"],
  ["kind.x-k8s.io/v1alpha4", "networking:\n  disableDefaultCNI: true\n"],
])("%s with no CNI", (apiVersion, networking) => {
  it("ends ready without kindnet, says the nodes stay NotReady, and records the addons as waiting", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--config", "-"], { input: `kind: Cluster\napiVersion: ${apiVersion}\n${networking}` });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("the nodes stay NotReady");
    const status = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(status.phase).toBe("ready");
    expect(status.steps.find((s: { id: string }) => s.id === "cniInstalled").status).toBe("skipped");
    expect(status.addons.coredns.status).toBe("pending");
    const kubeconfig = join(m.home, ".kube", "config");
    const ds = execFileSync("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, "-n", "kube-system", "get", "daemonsets", "-o", "name"], {
      encoding: "utf8",
    });
    expect(ds).not.toContain("kindnet");
    const nodes = execFileSync("/usr/bin/kubectl", ["--kubeconfig", kubeconfig, "get", "nodes", "--no-headers"], { encoding: "utf8" });
    expect(nodes).toMatch(/dev-control-plane\s+NotReady/);
    // A resume has nothing to do: the addons step's verify holds without a CNI.
    const again = await m.kina(["resume", "dev"]);
    expect(again.code).toBe(2);
  });
});
