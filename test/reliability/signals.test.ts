// Ctrl-C and SIGTERM as a user meets them: inside every step of every chain (fake steps), inside
// real steps against the doubles (the `container run` of vmRunning, the kubeadm init wait), a
// second Ctrl-C while kina is still cleaning up, and `kina status` while a create holds the lock.
// Every interruption must end kina's children, record the step as interrupted (with the reason),
// release the lock, exit 130 / 143 and leave a state `kina resume` (or `kina start`) continues.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ADDON_NAMES, CHAIN_IDS, chainSteps, type ChainId } from "../../machines/workflows.js";
import { useFakeMacs } from "../helpers/fake-mac.js";
import { fakeKina, FAKE_KINA, start, waitForOutput } from "../helpers/run.js";
import { faultsTaken, processesOf, until } from "./helpers.js";

const CODE = { SIGINT: 130, SIGTERM: 143 } as const;
const REASON = { SIGINT: "interrupted by Ctrl-C", SIGTERM: "interrupted by SIGTERM" } as const;
// One worker for nodesJoined (a one-node cluster skips it); one node for untainted (which a cluster with workers skips).
const ONE_WORKER = "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n- role: worker\n";
const ONE_NODE = "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\n";

type Row = { id: string; chain: string; status: string; error?: string };
const row = (doc: { steps: Row[] }, chain: string, id: string) => doc.steps.find((s) => s.chain === chain && s.id === id)!;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a signal inside any step of any chain (fake steps)", () => {
  // Which command enters each chain, what brings the cluster there first, and what continues it.
  const chains: { chain: ChainId; command: string[]; before: string[][]; resume: string[] }[] = [
    { chain: "bootstrap", command: ["create", "dev", "--config", "-"], before: [], resume: ["resume", "dev"] },
    { chain: "stop", command: ["stop", "dev"], before: [["create", "dev", "--config", "-"]], resume: ["stop", "dev"] },
    { chain: "start", command: ["start", "dev"], before: [["create", "dev", "--config", "-"], ["stop", "dev"]], resume: ["resume", "dev"] },
    ...ADDON_NAMES.flatMap((addon) => [
      { chain: `install-${addon}` as ChainId, command: ["install", addon, "dev"], before: [["create", "dev", "--config", "-"]], resume: ["resume", "dev"] },
      // Installed first (storage is from the create), so the uninstall has something to remove.
      {
        chain: `uninstall-${addon}` as ChainId,
        command: ["uninstall", addon, "dev"],
        before: [["create", "dev", "--config", "-"], ...(addon === "storage" ? [] : [["install", addon, "dev"]])],
        resume: ["resume", "dev"],
      },
    ]),
  ];
  it("covers every chain of the workflow registry", () => {
    expect(chains.map((c) => c.chain).sort()).toEqual([...CHAIN_IDS].sort());
  });
  let n = 0;
  for (const { chain, command, before, resume } of chains) {
    for (const { id } of chainSteps(chain)) {
      // Alternate the signals over the steps so both are seen in every chain.
      const signal = n++ % 2 === 0 ? "SIGINT" : "SIGTERM";
      it(`${signal} in ${chain}/${id}: interrupted with the reason, lock released, exit ${CODE[signal]}; ${resume[0]} continues`, async () => {
        const t = fakeKina({ [id]: { hang: true } });
        const plain = fakeKina(); // the same steps without the hang, in the same home
        const env = (hang: boolean) => ({ ...(hang ? t.env : { ...t.env, KINA_FAKE_STEPS: plain.env.KINA_FAKE_STEPS }) });
        const config = id === "nodesJoined" ? ONE_WORKER : ONE_NODE;
        for (const args of before) {
          const r = await start(FAKE_KINA, args, env(false), config).done;
          expect(r.code, r.stderr).toBe(0);
        }
        const { child, done } = start(FAKE_KINA, command, env(true), config);
        await waitForOutput(child, `RUNNING ${id}`);
        child.kill(signal);
        const r = await done;
        expect([r.code, r.signal]).toEqual([CODE[signal], null]);
        expect(r.stderr).toContain(`ERROR: ${id} was interrupted: ${REASON[signal]}`);
        expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
        expect(existsSync(join(t.home, "clusters/dev/lock"))).toBe(false);

        const doc = JSON.parse((await start(FAKE_KINA, ["status", "dev", "--json"], env(false)).done).stdout);
        expect(row(doc, chain, id)).toMatchObject({ status: "interrupted", error: REASON[signal] });
        const graph = await start(FAKE_KINA, ["status", "dev", "--graph"], env(false)).done;
        expect(graph.stdout).toMatch(new RegExp(`! ${id}\\s.*interrupted: ${REASON[signal]}`));

        const resumed = await start(FAKE_KINA, resume, env(false)).done;
        expect(resumed.code, resumed.stderr).toBe(0);
        const after = JSON.parse((await start(FAKE_KINA, ["status", "dev", "--json"], env(false)).done).stdout);
        expect(after.phase).toBe(chain === "stop" ? "stopped" : "ready");
        expect(row(after, chain, id).status).toBe("done");
        // The interrupted step ran again, with that reason.
        expect(t.runs()).toContain(`run ${id} attempt=2 reason=the previous attempt was interrupted`);
      });
    }
  }
});

describe("a second Ctrl-C while kina is cleaning up", () => {
  it("exits 130 at once and the state is still resumable", async () => {
    // kubeadmInit's child ignores SIGTERM: after the first Ctrl-C kina has recorded the interruption
    // but waits for that child to end. The second Ctrl-C must not wait.
    const t = fakeKina({ kubeadmInit: { hang: true, stuckCleanup: true } });
    const { child, done } = start(FAKE_KINA, ["create", "dev"], t.env);
    await waitForOutput(child, "RUNNING kubeadmInit");
    const grandchild = Number(readFileSync(`${t.env.KINA_FAKE_JOURNAL}.child-pid`, "utf8"));
    let stderr = "";
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.kill("SIGINT");
    await until(() => stderr.includes("kubeadmInit was interrupted"));
    // Still cleaning up: kina waits for its child, which is still there.
    expect(child.exitCode).toBeNull();
    expect(alive(grandchild)).toBe(true);
    child.kill("SIGINT");
    const r = await done;
    expect([r.code, r.signal]).toEqual([130, null]);
    try {
      process.kill(grandchild, "SIGKILL"); // it ignores everything else; not kina's to outlive
    } catch {
      // already ended
    }

    expect(existsSync(join(t.home, "clusters/dev/lock"))).toBe(false);
    const doc = JSON.parse((await t.kina(["status", "dev", "--json"])).stdout);
    expect(row(doc, "bootstrap", "kubeadmInit").status).toBe("interrupted");
    const plain = { ...t.env, KINA_FAKE_STEPS: "{}" };
    const resumed = await start(FAKE_KINA, ["resume", "dev"], plain).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse((await t.kina(["status", "dev", "--json"])).stdout).phase).toBe("ready");
  });
});

describe("status while a create holds the lock", () => {
  it("answers at once with the running step, and the create goes on", async () => {
    const t = fakeKina({ cniInstalled: { hang: true } });
    const { child, done } = start(FAKE_KINA, ["create", "dev"], t.env);
    await waitForOutput(child, "RUNNING cniInstalled");
    const lock = join(t.home, "clusters/dev/lock");
    expect(JSON.parse(readFileSync(lock, "utf8")).pid).toBe(child.pid);
    for (const args of [["status", "dev", "--json"], ["status", "dev"], ["status", "dev", "--graph"], ["get", "clusters"]]) {
      const r = await t.kina(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
      // It did not wait for the lock: the create still holds it.
      expect(child.exitCode, args.join(" ")).toBeNull();
      expect(existsSync(lock)).toBe(true);
    }
    const doc = JSON.parse((await t.kina(["status", "dev", "--json"])).stdout);
    expect(row(doc, "bootstrap", "cniInstalled").status).toBe("running");
    expect(doc.phase).toBe("bootstrapping");
    child.kill("SIGINT");
    expect((await done).code).toBe(130);
  });
});

// Whole creates against the doubles: bounded generously, since a loaded CI machine runs them slowly.
describe("a signal inside real steps (the doubles)", () => {
  const mac = useFakeMacs();

  it("Ctrl-C during the kubeadm init wait ends the `container exec`, records kubeadmInit interrupted; resume resets and inits once", { timeout: 180_000 }, async () => {
    const m = mac();
    m.faults([{ argv: ["exec", "dev-control-plane", "kubeadm", "init"], times: 1, hang: true }]);
    const { child, done } = m.startKina(["create", "dev"]);
    await until(() => faultsTaken(m.fake));
    expect(processesOf(m.fake).length).toBeGreaterThan(0); // the hanging `container exec … kubeadm init`
    child.kill("SIGINT");
    const r = await done;
    expect([r.code, r.signal]).toEqual([130, null]);
    expect(r.stderr).toContain("ERROR: kubeadmInit was interrupted: interrupted by Ctrl-C");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    // kina's children ended with it.
    expect(processesOf(m.fake)).toEqual([]);
    expect(existsSync(join(m.env.KINA_HOME!, "clusters/dev/lock"))).toBe(false);
    const rec = m.state().steps.bootstrap.kubeadmInit;
    expect(rec.status).toBe("interrupted");
    expect(rec.attempts.at(-1).outcome).toBe("interrupted");
    // The step log says what was running when it was cut.
    expect(readFileSync(rec.attempts.at(-1).log, "utf8")).toContain("kina: kubeadmInit interrupted: interrupted by Ctrl-C");
    const graph = await m.kina(["status", "dev", "--graph"]);
    expect(graph.stdout).toMatch(/! kubeadmInit\s.*interrupted: interrupted by Ctrl-C/);

    const resumed = await m.kina(["resume", "dev"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(m.containers().map((c) => c.id)).toEqual(["dev-control-plane"]);
    // The cut init may have half-run: kina resets before it inits again, and inits once.
    const kubeadm = m.execLog().filter((e) => e.argv[0] === "kubeadm" && !e.via && e.exitCode === 0).map((e) => e.argv.slice(0, 2).join(" "));
    expect(kubeadm).toEqual(["kubeadm reset", "kubeadm init"]);
    expect(m.state().steps.bootstrap.kubeadmInit.status).toBe("done");
  });

  it("SIGTERM during `container run` ends it, exits 143; resume ends with exactly one VM", { timeout: 180_000 }, async () => {
    const m = mac();
    m.faults([{ argv: ["run"], times: 1, hang: true }]);
    const { child, done } = m.startKina(["create", "dev"]);
    await until(() => faultsTaken(m.fake));
    child.kill("SIGTERM");
    const r = await done;
    expect([r.code, r.signal]).toEqual([143, null]);
    expect(r.stderr).toContain("ERROR: vmRunning was interrupted: interrupted by SIGTERM");
    expect(processesOf(m.fake)).toEqual([]);
    expect(m.state().steps.bootstrap.vmRunning.status).toBe("interrupted");
    const doc = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(row(doc, "bootstrap", "vmRunning")).toMatchObject({ status: "interrupted", error: "interrupted by SIGTERM" });

    const resumed = await m.kina(["resume", "dev"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(m.containers().map((c) => c.id)).toEqual(["dev-control-plane"]);
    expect(m.state().steps.bootstrap.addonsReady.status).toBe("done");
  });
});
