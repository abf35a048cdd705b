// Clusters that survive restarts: Apple `container` gives every VM a new IP on each start. The
// `container` double does too, runs kindest's entrypoint logic on boot and lets the API double
// judge each kubelet from its node's files, so a cluster that is not healed shows NotReady nodes.

import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";

const mac = useFakeMacs();
const kubeadmInits = (m: FakeMac) => m.execLog().filter((e) => e.argv[0] === "kubeadm" && e.argv[1] === "init" && !e.via).length;
const nodes = (m: FakeMac) =>
  execFileSync("/usr/bin/kubectl", ["--kubeconfig", join(m.home, ".kube", "config"), "get", "nodes", "--no-headers"], { encoding: "utf8" });
const ONE_PLUS_TWO = "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n- role: worker\n- role: worker\n";

describe("restart with new addresses", () => {
  it("a 1+2 cluster whose nodes come back with permuted addresses heals completely", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--config", "-"], { input: ONE_PLUS_TWO });
    expect(r.code, r.stderr).toBe(0);
    const before = new Map(m.containers().map((c) => [c.id, c.ip]));
    expect((await m.kina(["stop", "dev"])).code).toBe(0);
    // Started behind kina's back in reverse order: the addresses rotate among the nodes.
    for (const id of ["dev-worker2", "dev-worker", "dev-control-plane"]) m.container(["start", id]);
    const after = new Map(m.containers().map((c) => [c.id, c.ip]));
    expect([...after.values()].every((ip) => ip)).toBe(true);
    expect([...after].some(([id, ip]) => before.get(id) !== ip)).toBe(true);

    const started = await m.kina(["start", "dev", "--timeout", "ready=20s"]);
    expect(started.code, started.stderr).toBe(0);
    const listed = nodes(m);
    for (const n of ["dev-control-plane", "dev-worker", "dev-worker2"]) expect(listed).toMatch(new RegExp(`${n}\\s+Ready`));
    expect(kubeadmInits(m)).toBe(1);
    expect(m.containers()).toHaveLength(3);
  });

  it("a control plane without /kind/kubeadm.conf does not come back (apple/container #2156), and kina says why", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    m.container(["exec", "dev-control-plane", "rm", "-f", "/kind/kubeadm.conf"]);
    expect((await m.kina(["stop", "dev"])).code).toBe(0);
    const r = await m.kina(["start", "dev", "--timeout", "ready=3s"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/nodesReady (failed|timed out)/);
    expect(r.stderr).toContain("kubeadm.conf");
  });

  for (const [label, rule] of [
    ["right after the first `container start`", { argv: ["start"], crashCaller: true, after: true, times: 1 }],
    ["right after the first heal exec", { argv: ["exec", "*", "cat", "/etc/hosts"], crashCaller: true, after: true, times: 1 }],
  ] as const) {
    it(`kill -9 ${label}, then \`kina start\` again completes with the same VMs`, async () => {
      const m = mac();
      expect((await m.kina(["create", "dev", "--config", "-"], { input: ONE_PLUS_TWO })).code).toBe(0);
      expect((await m.kina(["stop", "dev"])).code).toBe(0);
      m.faults([rule]);
      const crashed = await m.kina(["start", "dev"]);
      expect(crashed.signal).toBe("SIGKILL");
      const again = await m.kina(["start", "dev", "--timeout", "ready=20s"]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain("taking over the lock");
      expect(m.containers().map((c) => [c.id, c.state]).sort()).toEqual([
        ["dev-control-plane", "running"],
        ["dev-worker", "running"],
        ["dev-worker2", "running"],
      ]);
      const listed = nodes(m);
      for (const n of ["dev-control-plane", "dev-worker", "dev-worker2"]) expect(listed).toMatch(new RegExp(`${n}\\s+Ready`));
      expect(kubeadmInits(m)).toBe(1);
    });
  }
});
