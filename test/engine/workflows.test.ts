// The workflow engine beyond bootstrap, through the real CLI with fake steps
// (test/fixtures/fake-kina.mjs): stop and start chains, events refused by the state, state files
// from the previous schema and from before a step existed, dry-run agreeing with resume, hints
// printed once, the record a step sees as `previous`, Ctrl-C and SIGTERM.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chainSteps } from "../../machines/workflows.js";
import { FAKE_KINA, readJournal, run, start, tempDir, waitForOutput } from "../helpers/run.js";

const BOOTSTRAP = chainSteps("bootstrap").map((s) => s.id);

function setup() {
  const home = tempDir();
  const journal = join(home, "journal.log");
  const env = (steps: Record<string, unknown> = {}) => ({
    KINA_HOME: home,
    HOME: home,
    KINA_FAKE_JOURNAL: journal,
    KINA_FAKE_STEPS: JSON.stringify(steps),
  });
  const statePath = (name = "dev") => join(home, "clusters", name, "state.json");
  const kina = (args: string[], steps: Record<string, unknown> = {}, input?: string) => run(FAKE_KINA, args, env(steps), input);
  const status = async (name = "dev") => JSON.parse((await kina(["status", name, "--json"])).stdout);
  const lines = () => readJournal(journal).filter((l) => !/^(disk|previous) /.test(l));
  const runs = () => lines().filter((l) => l.startsWith("run ")).map((l) => l.split(" ")[1]);
  const clearJournal = () => writeFileSync(journal, "");
  return { home, journal, env, statePath, kina, status, lines, runs, clearJournal };
}

type Row = { id: string; chain: string; status: string; attempts: number };
const row = (doc: { steps: Row[] }, id: string, chain = "bootstrap") => doc.steps.find((s) => s.id === id && s.chain === chain)!;

describe("stop and start chains", () => {
  it("stop runs the stop chain to phase stopped; start runs the start chain back to ready", async () => {
    const t = setup();
    expect((await t.kina(["create", "dev"])).code).toBe(0);
    t.clearJournal();

    const stop = await t.kina(["stop", "dev"]);
    expect(stop.code).toBe(0);
    expect(stop.stderr).toContain('Cluster "dev" is stopped');
    expect(t.runs()).toEqual(chainSteps("stop").map((s) => s.id));
    const stopped = await t.status();
    expect(stopped.phase).toBe("stopped");
    expect(row(stopped, "vmsStopped", "stop")).toMatchObject({ status: "done", attempts: 1 });
    expect((await t.kina(["status", "dev"])).stderr).toContain("kina start dev");

    t.clearJournal();
    const startResult = await t.kina(["start", "dev"]);
    expect(startResult.code).toBe(0);
    expect(t.runs()).toEqual(chainSteps("start").map((s) => s.id));
    expect((await t.status()).phase).toBe("ready");
  });

  it("start --all starts every stopped cluster and leaves the others alone", async () => {
    const t = setup();
    for (const n of ["a", "b", "c"]) await t.kina(["create", n]);
    await t.kina(["stop", "a"]);
    await t.kina(["stop", "c"]);
    t.clearJournal();
    const r = await t.kina(["start", "--all"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Cluster "a" is ready.');
    expect(r.stderr).toContain('Cluster "c" is ready.');
    expect(r.stderr).not.toContain('Cluster "b"');
    for (const n of ["a", "b", "c"]) expect((await t.status(n)).phase).toBe("ready");
    expect(t.runs().filter((s) => s === "vmsStarted")).toHaveLength(2);
  });

  it("START to a running cluster, STOP to a stopped one and RESUME to a ready one exit 2 at once", async () => {
    const t = setup();
    await t.kina(["create", "dev"]);
    t.clearJournal();
    const startRunning = await t.kina(["start", "dev"]);
    expect(startRunning.code).toBe(2);
    expect(startRunning.stderr).toContain('cluster "dev" is ready (its VMs are running): it cannot start.');
    expect(startRunning.stderr).toContain("Possible now: kina retry STEP dev; kina stop dev; kina install ADDON dev; kina delete dev.");

    await t.kina(["stop", "dev"]);
    t.clearJournal();
    const stopStopped = await t.kina(["stop", "dev"]);
    expect(stopStopped.code).toBe(2);
    expect(stopStopped.stderr).toContain('cluster "dev" is stopped: it cannot stop.');
    expect(stopStopped.stderr).toContain("kina start dev");
    expect(t.lines()).toEqual([]);
  });

  it("a ready cluster whose VMs were found stopped (a Mac restart) takes start, and refuses stop", async () => {
    const t = setup();
    await t.kina(["create", "dev"]);
    t.clearJournal();
    const stop = await t.kina(["stop", "dev"], { vmsStopped: true });
    expect(stop.code).toBe(2);
    expect(stop.stderr).toContain('cluster "dev" is stopped: it cannot stop.');
    const r = await t.kina(["start", "dev"], { vmsStopped: true });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("stopped outside kina");
    expect(t.runs()).toEqual(chainSteps("start").map((s) => s.id));
    expect((await t.status()).phase).toBe("ready");
  });

  it("a failed bootstrap cannot be stopped or started as if it were a cluster", async () => {
    const t = setup();
    await t.kina(["create", "dev"], { cniInstalled: { failAttempts: 1 } });
    const r = await t.kina(["start", "dev"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("failed at cniInstalled (bootstrapping): it cannot start.");
    expect(r.stderr).toContain("kina resume dev");
  });

  it("kill -9 inside a start step, then start again finishes the start chain", async () => {
    const t = setup();
    await t.kina(["create", "dev"]);
    await t.kina(["stop", "dev"]);
    const { child, done } = start(FAKE_KINA, ["start", "dev"], t.env({ nodesReady: { hang: true } }));
    await waitForOutput(child, "RUNNING nodesReady");
    child.kill("SIGKILL");
    await done;
    expect((await t.status()).phase).toBe("starting");
    expect(row(await t.status(), "nodesReady", "start").status).toBe("interrupted");
    t.clearJournal();
    const again = await t.kina(["start", "dev"]);
    expect(again.code).toBe(0);
    expect(t.runs()).toEqual(["nodesReady"]);
    expect(t.lines()[0]).toBe("run nodesReady attempt=2 reason=the previous attempt was interrupted");
    expect((await t.status()).phase).toBe("ready");
  });

  it("a failed start is resumed by `kina start` or `kina resume`, retrying the failed step", async () => {
    const t = setup();
    await t.kina(["create", "dev"]);
    await t.kina(["stop", "dev"]);
    const failed = await t.kina(["start", "dev"], { vmsStarted: { failAttempts: 1, error: "VM dev-control-plane did not boot" } });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain("vmsStarted failed: VM dev-control-plane did not boot");
    expect((await t.status()).phase).toBe("failed");
    t.clearJournal();
    const resumed = await t.kina(["resume", "dev"]);
    expect(resumed.code).toBe(0);
    expect(t.runs()).toEqual(chainSteps("start").map((s) => s.id));
    expect((await t.status()).phase).toBe("ready");
  });
});

describe("state from earlier kinas", () => {
  const v1 = (machine: unknown, steps: Record<string, unknown>) =>
    JSON.stringify(
      {
        schemaVersion: 1,
        name: "dev",
        createdAt: "2026-11-01T10:00:00.000Z",
        updatedAt: "2026-11-01T10:05:00.000Z",
        config: null,
        machine,
        steps,
        outputs: { nodes: [{ name: "dev-control-plane", role: "control-plane", ip: "192.168.64.2" }] },
      },
      null,
      2,
    );
  const done = (n = 1) => ({
    status: "done",
    attempts: Array.from({ length: n }, (_, i) => ({ n: i + 1, startedAt: "2026-11-01T10:00:00.000Z", finishedAt: "2026-11-01T10:01:00.000Z", outcome: "done", log: "/x.log" })),
  });

  it("a version-1 state.json is migrated: status reads it untouched, the first write keeps a backup", async () => {
    const t = setup();
    // A real cluster's config, written by this kina, then the file rewritten as version 1 had it.
    await t.kina(["create", "dev"], { cniInstalled: { failAttempts: 1, error: "kindnet 0/1 ready" } });
    const config = JSON.parse(readFileSync(t.statePath(), "utf8")).config;
    const steps: Record<string, unknown> = {};
    for (const id of BOOTSTRAP) steps[id] = id === "cniInstalled" ? { status: "failed", error: "kindnet 0/1 ready", attempts: [{ n: 1, startedAt: "2026-11-01T10:02:00.000Z", finishedAt: "2026-11-01T10:03:00.000Z", outcome: "failed", error: "kindnet 0/1 ready", log: "/y.log" }] } : id === "addonsReady" ? { status: "pending", attempts: [] } : id === "nodesJoined" ? { status: "skipped", attempts: [], note: "one-node cluster" } : done();
    const old = JSON.parse(v1({ status: "active", value: "failed", context: { topology: { controlPlanes: 1, workers: 0, cni: "kindnet" }, skipped: ["nodesJoined"], failedStep: "cniInstalled", error: "kindnet 0/1 ready" }, children: {} }, steps));
    old.config = config;
    const text = `${JSON.stringify(old, null, 2)}\n`;
    writeFileSync(t.statePath(), text);

    const doc = await t.status();
    expect(doc.phase).toBe("failed");
    expect(row(doc, "cniInstalled")).toMatchObject({ status: "failed", attempts: 1 });
    expect(readFileSync(t.statePath(), "utf8")).toBe(text);
    expect(existsSync(`${t.statePath()}.v1.bak`)).toBe(false);

    t.clearJournal();
    const r = await t.kina(["resume", "dev"]);
    expect(r.code).toBe(0);
    expect(t.runs()).toEqual(["cniInstalled", "addonsReady"]);
    expect(readFileSync(`${t.statePath()}.v1.bak`, "utf8")).toBe(text);
    const migrated = JSON.parse(readFileSync(t.statePath(), "utf8"));
    expect(migrated.schemaVersion).toBe(2);
    expect(migrated.steps.bootstrap.cniInstalled.attempts).toHaveLength(2);
    expect((await t.status()).phase).toBe("ready");
  });

  it("a version-1 state interrupted inside a step resumes by re-running that step", async () => {
    const t = setup();
    await t.kina(["create", "dev"]);
    const state = JSON.parse(readFileSync(t.statePath(), "utf8"));
    const steps: Record<string, unknown> = {};
    for (const id of BOOTSTRAP) {
      const i = BOOTSTRAP.indexOf(id);
      steps[id] = i < 2 ? done() : id === "kubeadmInit" ? { status: "running", attempts: [{ n: 1, startedAt: "2026-11-01T10:02:00.000Z", log: "/z.log" }] } : { status: "pending", attempts: [] };
    }
    const old = JSON.parse(v1({ status: "active", value: "kubeadmInit", context: { topology: { controlPlanes: 1, workers: 0, cni: "kindnet" }, skipped: [] }, children: {} }, steps));
    old.config = state.config;
    writeFileSync(t.statePath(), JSON.stringify(old));
    expect(row(await t.status(), "kubeadmInit").status).toBe("interrupted");
    t.clearJournal();
    expect((await t.kina(["resume", "dev"])).code).toBe(0);
    expect(t.runs()).toEqual(["kubeadmInit", "kubeconfigExported", "untainted", "cniInstalled", "addonsReady"]);
    expect(t.lines()).toContain("run kubeadmInit attempt=2 reason=the previous attempt was interrupted");
  });

  it("a state file without a record for a step added later loads with that step pending", async () => {
    const t = setup();
    await t.kina(["create", "dev"], { cniInstalled: { failAttempts: 1 } });
    const state = JSON.parse(readFileSync(t.statePath(), "utf8"));
    delete state.steps.bootstrap.addonsReady;
    // Written under another shape of the workflow: kina must not trust the XState internals.
    state.workflowVersion = "00000000";
    writeFileSync(t.statePath(), JSON.stringify(state));
    const doc = await t.status();
    expect(row(doc, "addonsReady")).toMatchObject({ status: "pending", attempts: 0 });
    t.clearJournal();
    expect((await t.kina(["resume", "dev"])).code).toBe(0);
    expect(t.lines()).toContain("run addonsReady attempt=1 reason=first run");
    expect((await t.status()).phase).toBe("ready");
  });
});

describe("dry-run and resume agree", () => {
  // Each case: how the cluster got where it is, and which verifies fail at resume time.
  const cases: [string, (t: ReturnType<typeof setup>) => Promise<void>, Record<string, unknown>][] = [
    ["failed at cni, nothing vanished", async (t) => void (await t.kina(["create", "dev"], { cniInstalled: { failAttempts: 1 } })), {}],
    [
      "failed at cni, the VM and kubeconfig vanished",
      async (t) => void (await t.kina(["create", "dev"], { cniInstalled: { failAttempts: 1 } })),
      { vmRunning: { vanished: "VM gone" }, kubeconfigExported: { vanished: "kubeconfig gone" } },
    ],
    [
      "interrupted inside kubeadmInit",
      async (t) => {
        const { child, done } = start(FAKE_KINA, ["create", "dev"], t.env({ kubeadmInit: { hang: true } }));
        await waitForOutput(child, "RUNNING kubeadmInit");
        child.kill("SIGKILL");
        await done;
      },
      {},
    ],
    ["failed at the first step", async (t) => void (await t.kina(["create", "dev"], { imageBuilt: { failAttempts: 1 } })), {}],
  ];
  for (const [label, arrange, atResume] of cases) {
    it(label, async () => {
      const t = setup();
      await arrange(t);
      const dry = await t.kina(["resume", "dev", "--dry-run"], atResume);
      expect(dry.code).toBe(0);
      const planned = Object.fromEntries(
        dry.stdout
          .split("\n")
          .map((l) => /^\s+(run|skip)\s+(\w+)\s/.exec(l))
          .filter((m): m is RegExpExecArray => m !== null)
          .map((m) => [m[2], m[1]]),
      );
      expect(Object.keys(planned)).toEqual(BOOTSTRAP);
      t.clearJournal();
      expect((await t.kina(["resume", "dev"], atResume)).code).toBe(0);
      const ran = new Set(t.runs());
      const actual = Object.fromEntries(BOOTSTRAP.map((id) => [id, ran.has(id) ? "run" : "skip"]));
      expect(actual).toEqual(planned);
    });
  }
});

describe("what a failing step tells the user", () => {
  it("a hint on a failing step is printed exactly once", async () => {
    const t = setup();
    const hint = "disconnect the VPN that routes 192.168.64.0/24";
    const r = await t.kina(["create", "dev"], { kubeconfigExported: { failAttempts: 1, error: "API did not answer", hint } });
    expect(r.code).toBe(1);
    expect(r.stderr.split(hint).length - 1).toBe(1);
    expect(r.stderr).toContain(`hint: ${hint}`);
    const log = readFileSync(join(t.home, "clusters/dev/logs/kubeconfigExported-1.log"), "utf8");
    expect(log).toContain(hint);
  });

  it("ctx.previous is the record before this attempt", async () => {
    const t = setup();
    await t.kina(["create", "dev"], { cniInstalled: { failAttempts: 1 } });
    const first = readJournal(t.journal).filter((l) => l.startsWith("previous cniInstalled"));
    expect(first).toEqual(["previous cniInstalled status=pending attempts=0"]);
    t.clearJournal();
    await t.kina(["resume", "dev"]);
    expect(readJournal(t.journal).filter((l) => l.startsWith("previous cniInstalled"))).toEqual([
      "previous cniInstalled status=failed attempts=1",
    ]);
  });

  it("resume, retry, start and stop of a cluster that does not exist create nothing", async () => {
    const t = setup();
    for (const args of [["resume", "nope"], ["retry", "cni", "nope"], ["start", "nope"], ["stop", "nope"], ["resume", "nope", "--dry-run"]]) {
      const r = await t.kina(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toContain('no cluster "nope"');
    }
    expect(existsSync(join(t.home, "clusters", "nope"))).toBe(false);
  });
});

describe("Ctrl-C and SIGTERM", () => {
  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    it(`${signal} during a step records it interrupted, releases the lock, exits ${code}; resume continues`, async () => {
      const t = setup();
      const { child, done } = start(FAKE_KINA, ["create", "dev"], t.env({ kubeadmInit: { hang: true } }));
      await waitForOutput(child, "RUNNING kubeadmInit");
      child.kill(signal);
      const r = await done;
      expect(r.code).toBe(code);
      expect(r.stderr).toContain("kubeadmInit was interrupted");
      expect(existsSync(join(t.home, "clusters/dev/lock"))).toBe(false);
      const doc = await t.status();
      expect(row(doc, "kubeadmInit").status).toBe("interrupted");
      const graph = await t.kina(["status", "dev", "--graph"]);
      expect(graph.stdout).toMatch(/! kubeadmInit\s.*interrupted/);
      t.clearJournal();
      const resumed = await t.kina(["resume", "dev"]);
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).not.toContain("taking over the lock");
      expect(t.runs()[0]).toBe("kubeadmInit");
    });
  }
});
