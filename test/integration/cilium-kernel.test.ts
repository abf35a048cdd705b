// `networking.cni: cilium` is judged on the node's real kernel, read from its /proc/config.gz as
// soon as the VM runs: on Apple's pre-1.3.0 default kernel (no BPF JIT) the create stops before
// kubeadm init, naming the missing options and the remedies; on the 1.3.0+ kernel it goes on.

import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";

const mac = useFakeMacs();
const CILIUM = "kind: Cluster\napiVersion: kina.x-k8s.io/v1alpha4\nnetworking:\n  cni: cilium\n";

function kubeadmInits(m: ReturnType<typeof mac>): number {
  return m.execLog().filter((e) => e.argv[0] === "kubeadm" && e.argv[1] === "init" && e.argv.length > 2 && e.argv[2] !== "phase").length;
}

describe("cni: cilium and the node kernel", () => {
  it("on a kernel without BPF JIT: refused in vmRunning, before kubeadm init, naming the options and both remedies", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--config", "-"], { input: CILIUM });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("vmRunning failed: networking.cni: cilium cannot run on the kernel of dev-control-plane (Linux 6.18.15): missing CONFIG_BPF_JIT");
    expect(r.stderr).toContain("container system kernel set --recommended");
    expect(r.stderr).toContain("nodes[].kernel");
    expect(kubeadmInits(m)).toBe(0);
    const status = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(status.steps.find((s: { id: string }) => s.id === "vmRunning").status).toBe("failed");
    expect(status.steps.find((s: { id: string }) => s.id === "kubeadmInit").status).toBe("pending");
  });

  it("on container 1.3.0+'s default kernel (BPF JIT, Linux 6.18.35): the kernel check passes and kubeadm init runs", async () => {
    const m = mac({ KINA_FAKE_CONTAINER_VERSION: "1.4.1" });
    const r = await m.kina(["create", "dev", "--config", "-"], { input: CILIUM });
    expect(r.stderr).not.toContain("cannot run on the kernel");
    expect(m.state().steps.bootstrap.vmRunning.status).toBe("done");
    expect(kubeadmInits(m)).toBe(1);
  });

  it("a nodes[].kernel that does not exist is a usage error and nothing is created", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--config", "-"], {
      input: `${CILIUM}nodes:\n- role: control-plane\n  kernel: /nope/vmlinux\n`,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("nodes[0].kernel: /nope/vmlinux is not a kernel file");
    expect(m.containers()).toEqual([]);
  });
});
