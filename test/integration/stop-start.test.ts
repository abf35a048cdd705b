// kina stop / kina start against both doubles, with the real steps: the VMs stop and start again
// (the `container` double gives a new IP on every start, as Apple's does), no VM is created and
// kubeadm init does not run again, and the same kubeconfig reaches the API afterwards.

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";

const mac = useFakeMacs();
const kubeadmInits = (m: FakeMac) => m.execLog().filter((e) => e.argv[0] === "kubeadm" && e.argv[1] === "init" && !e.via).length;
const status = async (m: FakeMac) => JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);

describe("stop and start with the real steps", () => {
  it("stop leaves the VM stopped and phase stopped; start boots the same VM and the API answers", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    const before = m.containers();
    expect(before).toHaveLength(1);

    const stop = await m.kina(["stop", "dev"]);
    expect(stop.code, stop.stderr).toBe(0);
    expect(m.containers().map((c) => c.state)).toEqual(["stopped"]);
    const stopped = await status(m);
    expect(stopped.phase).toBe("stopped");
    expect(stopped.steps.find((s: { id: string }) => s.id === "vmsStopped")).toMatchObject({ chain: "stop", status: "done" });

    const startResult = await m.kina(["start", "dev"]);
    expect(startResult.code, startResult.stderr).toBe(0);
    const after = m.containers();
    expect(after.map((c) => [c.id, c.state])).toEqual([[before[0]!.id, "running"]]);
    expect(after[0]!.raw.configuration.creationDate ?? "").toBe(before[0]!.raw.configuration.creationDate ?? "");
    expect(kubeadmInits(m)).toBe(1);
    const ready = await status(m);
    expect(ready.phase).toBe("ready");
    // Apple `container` (and its double) gives the VM a new address; state records the new one.
    expect(after[0]!.ip).not.toBe(before[0]!.ip);
    expect(ready.nodes[0].ip).toBe(after[0]!.ip);

    const nodes = execFileSync("/usr/bin/kubectl", ["--context", "kina-dev", "get", "nodes", "--no-headers"], {
      env: { ...process.env, HOME: m.home, KUBECONFIG: "" },
      encoding: "utf8",
    });
    expect(nodes).toMatch(/^dev-control-plane\s+Ready/);
  });

  it("VMs stopped behind kina's back (`container system stop`/`start`) show as stopped, and `kina start` brings them back", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    m.container(["system", "stop"]);
    m.container(["system", "start"]);
    expect(m.containers().map((c) => c.state)).toEqual(["stopped"]);

    const seen = await m.kina(["status", "dev"]);
    expect(seen.stdout).toMatch(/^dev: stopped/);
    expect(seen.stderr).toContain("kina start dev");
    const doc = await status(m);
    expect(doc.phase).toBe("stopped");
    expect(doc.nodes[0]).toMatchObject({ name: "dev-control-plane", state: "stopped" });

    const started = await m.kina(["start", "dev"]);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain("stopped outside kina");
    expect(m.containers().map((c) => c.state)).toEqual(["running"]);
    expect(kubeadmInits(m)).toBe(1);
    const ready = await status(m);
    expect(ready.phase).toBe("ready");
    expect(ready.nodes[0]).toMatchObject({ state: "running", ip: m.containers()[0]!.ip });
  });

  it("`kina resume` of a cluster stopped behind kina's back starts it instead of re-running bootstrap", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    m.container(["system", "stop"]);
    m.container(["system", "start"]);
    const r = await m.kina(["resume", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('Starting cluster "dev"');
    expect(r.stderr).not.toContain("Bootstrapping");
    expect((await status(m)).phase).toBe("ready");
  });

  it("`kina start` of a running cluster is refused with exit 2 and leaves the VM alone", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    const r = await m.kina(["start", "dev"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("it cannot start");
    expect(m.containers().map((c) => c.state)).toEqual(["running"]);
  });
});
