// Waits that explain: a step that cannot succeed says why within seconds, instead of waiting out
// its timeout with "timed out".

import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";

const mac = useFakeMacs();

describe("a node image that is not one", () => {
  it("is refused within the step, naming the image and what is missing", async () => {
    const m = mac();
    m.container(["image", "pull", "docker.io/library/nginx:latest"]);
    const r = await m.kina(["create", "dev", "--image", "docker.io/library/nginx:latest"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("docker.io/library/nginx:latest is not a kind or kina node image: /kind/version is missing");
    expect(r.stderr).not.toContain("timed out");
    // The VM is kept, as after any failed step; status names the reason.
    const status = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(status.steps.find((s: { id: string }) => s.id === "vmRunning").error).toContain("/kind/version is missing");
  });
});

describe("a CNI that never becomes ready", () => {
  it("says which DaemonSet and how many pods are ready, in the error and in status", async () => {
    const m = mac();
    m.kubeFaults({ daemonSetsNeverReady: ["kindnet"] });
    const r = await m.kina(["create", "dev", "--timeout", "cni=3s"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DaemonSet kindnet: 0\/1 pods ready/);
    const status = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(status.steps.find((s: { id: string }) => s.id === "cniInstalled").error).toMatch(/DaemonSet kindnet: 0\/1 pods ready/);
  });
});
