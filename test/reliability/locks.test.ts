// One writer per cluster: two commands on the same cluster at once, one wins and the other fails
// at once naming the holder (pid and command); `kina status` never waits. The holder is held in
// place deterministically, by a fake step or a `container` call that hangs; the tests wait for the
// lock file to name it, never for a while.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";
import { fakeKina, FAKE_KINA, start, waitForOutput, type Result } from "../helpers/run.js";
import { faultsTaken, until } from "./helpers.js";

function expectRefused(r: Result, holderPid: number, holderCommand: string) {
  expect(r.code, r.stderr).toBe(1);
  expect(r.stderr).toContain('cluster "dev" is in use by another kina process');
  expect(r.stderr).toContain(`pid ${holderPid}`);
  expect(r.stderr).toContain(`running "${holderCommand}"`);
  expect(r.stderr).toContain(`kill ${holderPid}`);
}

// Each case: what is set up, the command that holds the lock (with the step it hangs in), the
// command that loses, and what the loser does once the holder is gone.
const cases: { label: string; before: string[][]; holder: string[]; hang: string; loser: string[]; after: { args: string[]; phase: string } }[] = [
  { label: "create / create", before: [], holder: ["create", "dev"], hang: "kubeadmInit", loser: ["create", "dev"], after: { args: ["resume", "dev"], phase: "ready" } },
  { label: "resume / delete", before: [["create", "dev"]], holder: ["retry", "cni", "dev"], hang: "cniInstalled", loser: ["delete", "dev"], after: { args: ["delete", "dev"], phase: "gone" } },
  { label: "start / stop", before: [["create", "dev"], ["stop", "dev"]], holder: ["start", "dev"], hang: "nodesReady", loser: ["stop", "dev"], after: { args: ["resume", "dev"], phase: "ready" } },
  { label: "stop / start", before: [["create", "dev"]], holder: ["stop", "dev"], hang: "vmsStopped", loser: ["start", "dev"], after: { args: ["stop", "dev"], phase: "stopped" } },
  { label: "install during create", before: [], holder: ["create", "dev"], hang: "addonsReady", loser: ["install", "storage", "dev"], after: { args: ["resume", "dev"], phase: "ready" } },
  { label: "resume / resume", before: [["create", "dev"]], holder: ["retry", "cni", "dev"], hang: "cniInstalled", loser: ["resume", "dev"], after: { args: ["resume", "dev"], phase: "ready" } },
];

describe("two commands on one cluster (fake steps)", () => {
  for (const { label, before, holder, hang, loser, after } of cases) {
    it(`${label}: the second fails at once naming the first; status answers; the lock is free after`, async () => {
      const plain = fakeKina();
      const hanging = { ...plain.env, KINA_FAKE_STEPS: JSON.stringify({ [hang]: { hang: true } }) };
      for (const args of before) expect((await plain.kina(args)).code).toBe(0);
      const { child, done } = start(FAKE_KINA, holder, hanging);
      await waitForOutput(child, `RUNNING ${hang}`);
      const lock = join(plain.home, "clusters/dev/lock");
      expect(JSON.parse(readFileSync(lock, "utf8"))).toMatchObject({ pid: child.pid, command: `kina ${holder.join(" ")}` });

      const lost = await plain.kina(loser);
      expectRefused(lost, child.pid!, `kina ${holder.join(" ")}`);
      // The loser changed nothing: the holder still runs and holds the lock.
      expect(child.exitCode).toBeNull();
      expect(JSON.parse(readFileSync(lock, "utf8")).pid).toBe(child.pid);
      const status = await plain.kina(["status", "dev", "--json"]);
      expect(status.code, status.stderr).toBe(0);
      expect(JSON.parse(status.stdout).steps.find((s: { id: string }) => s.id === hang).status).toBe("running");

      child.kill("SIGINT");
      expect((await done).code).toBe(130);
      expect(existsSync(lock)).toBe(false);
      const r = await plain.kina(after.args);
      expect(r.code, r.stderr).toBe(0);
      if (after.phase === "gone") expect(existsSync(join(plain.home, "clusters/dev"))).toBe(false);
      else expect(JSON.parse((await plain.kina(["status", "dev", "--json"])).stdout).phase).toBe(after.phase);
    });
  }

  it("a lock left by a process that is gone (kill -9) is taken over with a notice", async () => {
    const plain = fakeKina();
    const { child, done } = start(FAKE_KINA, ["create", "dev"], { ...plain.env, KINA_FAKE_STEPS: JSON.stringify({ untainted: { hang: true } }) });
    await waitForOutput(child, "RUNNING untainted");
    child.kill("SIGKILL");
    await done;
    expect(existsSync(join(plain.home, "clusters/dev/lock"))).toBe(true);
    const r = await plain.kina(["resume", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`taking over the lock of cluster "dev" left by pid ${child.pid} (kina create dev`);
    expect(existsSync(join(plain.home, "clusters/dev/lock"))).toBe(false);
  });
});

describe("two commands on one cluster (the real binary, the doubles)", () => {
  const mac = useFakeMacs();

  it("while a create waits on kubeadm init: create, delete, stop and install fail at once naming it; status and get answer", { timeout: 180_000 }, async () => {
    const m = mac();
    m.faults([{ argv: ["exec", "dev-control-plane", "kubeadm", "init"], times: 1, hang: true }]);
    const { child, done } = m.startKina(["create", "dev"]);
    await until(() => faultsTaken(m.fake));
    const lock = join(m.env.KINA_HOME!, "clusters/dev/lock");
    await until(() => existsSync(lock));
    for (const args of [["create", "dev"], ["delete", "dev"], ["stop", "dev"], ["install", "storage", "dev"], ["resume", "dev"]]) {
      const r = await m.kina(args);
      expectRefused(r, child.pid!, "kina create dev");
    }
    for (const args of [["status", "dev", "--json"], ["status", "dev", "--graph"], ["get", "clusters"], ["get", "nodes", "--name", "dev"]]) {
      const r = await m.kina(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
    }
    expect(child.exitCode).toBeNull();
    // Nothing the losers did reached `container`: one VM, still waiting in kubeadm init.
    expect(m.containers().map((c) => c.id)).toEqual(["dev-control-plane"]);
    child.kill("SIGTERM");
    expect((await done).code).toBe(143);
    const resumed = await m.kina(["resume", "dev"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(m.containers().map((c) => c.id)).toEqual(["dev-control-plane"]);
  });
});
