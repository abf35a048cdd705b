// The crash matrix: a scenario (create, multi-node create, start after stop) is first recorded, numbering every
// `container` invocation (the double's calls.log) and every API write kina makes (the API double's
// kube-api-writes.log); then, for each number n and for "before" and "after", the scenario is run again and kina is
// SIGKILLed exactly there by the double, and the recovery command a user would type must bring the cluster to the
// same end: one VM per node, a readable state.json, kubeadm init never repeated without a reset, kina's kubeconfig
// entries exactly once in both files, every node Ready.

import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { parse, stringify } from "yaml";
import { fakeMac, type FakeMac } from "../helpers/fake-mac.js";
import { REPO, type Result } from "../helpers/run.js";

export type Kind = "call" | "write";
export interface CrashPoint {
  kind: Kind;
  n: number;
  after: boolean;
  /** What was recorded at that number, for the test name. */
  what: string;
}

export interface Scenario {
  name: string;
  /** The VMs the finished cluster has. */
  nodes: string[];
  /** The command that is killed. */
  command: string[];
  input?: string;
  /** Brings a fresh Mac to the scenario's starting point (e.g. create, then stop). */
  prepare?: (mac: CrashMac) => Promise<void>;
  /** How a user recovers when state.json exists ("resume" for create, "start" for start). */
  recover: string[];
}

const CLUSTER = "dev";
const CONTEXT = `kina-${CLUSTER}`;
const KUBE_API_START = join(REPO, "test/doubles/kube-api/start.mjs");

/** A fake Mac whose kina runs leave their pid where the API double can find it, with a user kubeconfig. */
export interface CrashMac {
  mac: FakeMac;
  userKubeconfig: string;
  kina(args: string[], input?: string): Promise<Result>;
  clusterDir: string;
}

const FOREIGN = {
  apiVersion: "v1",
  kind: "Config",
  clusters: [{ name: "work", cluster: { server: "https://work.example:6443" } }],
  users: [{ name: "work-admin", user: { token: "not-a-real-token" } }],
  contexts: [{ name: "work", context: { cluster: "work", user: "work-admin" } }],
  "current-context": "work",
  preferences: {},
};

function crashMac(): CrashMac {
  const mac = fakeMac({ KINA_FAKE_KUBE_API_IDLE_SECONDS: "300" });
  // kina merges into the first file of $KUBECONFIG, which already holds the user's own entries.
  const userKubeconfig = join(mac.home, "kube", "user-config");
  mac.env.KUBECONFIG = userKubeconfig;
  const pidFile = join(mac.fake, "kina.pid");
  return {
    mac,
    userKubeconfig,
    clusterDir: join(mac.env.KINA_HOME!, "clusters", CLUSTER),
    async kina(args, input) {
      const { child, done } = mac.startKina(args, input === undefined ? {} : { input });
      // The API double kills whoever this names (kina cannot be asked for its own pid).
      writeFileSync(pidFile, String(child.pid));
      return done;
    },
  };
}

function seedUserKubeconfig(m: CrashMac): void {
  mkdirSync(join(m.mac.home, "kube"), { recursive: true, mode: 0o700 });
  writeFileSync(m.userKubeconfig, stringify(FOREIGN), { mode: 0o600 });
}

function readLines(file: string): any[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
}

function setFaults(m: CrashMac, container: Record<string, unknown> | null, api: Record<string, unknown> | null): void {
  const cf = join(m.mac.fake, "faults.json");
  const af = join(m.mac.fake, "kube-api-faults.json");
  for (const f of ["calls.count", "kube-api-writes.count"]) rmSync(join(m.mac.fake, f), { force: true });
  if (container) writeFileSync(cf, JSON.stringify({ rules: [], ...container }));
  else rmSync(cf, { force: true });
  if (api) writeFileSync(af, JSON.stringify(api));
  else rmSync(af, { force: true });
}

/** Processes whose environment names this Mac's double state (orphaned `container` calls, fake node helpers). */
function processesOf(m: CrashMac, except: Set<number>): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid || except.has(pid)) continue;
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (environ.includes(`KINA_FAKE_CONTAINER_STATE=${m.mac.fake}\0`)) pids.push(pid);
    } catch {
      // gone, or not ours
    }
  }
  return pids;
}

function apiServerPids(m: CrashMac): Set<number> {
  const pids = new Set<number>();
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name === "apiserver.pid") pids.add(Number(readFileSync(p, "utf8")));
    }
  };
  walk(join(m.mac.fake, "containers"));
  return pids;
}

/**
 * Waits until no `container` call the killed kina left behind is still running (they go on after their parent
 * dies, as real ones do), so the next run starts from a settled double. Bounded; the API servers are not waited for.
 */
async function settle(m: CrashMac): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (processesOf(m, apiServerPids(m)).length > 0) {
    if (Date.now() > deadline) throw new Error(`orphaned processes of ${m.mac.fake} did not finish`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stopApiServers(m: CrashMac): void {
  for (const pid of apiServerPids(m)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone
    }
  }
}

/**
 * One Mac per scenario and worker, reset to the scenario's starting point before each run: `prepare` runs once and
 * its folder is kept as a snapshot that is copied back to the same absolute paths (state, kubeconfigs and the
 * double's files name them). The API double a prepared cluster had running is started again from its own files.
 */
export class ScenarioRunner {
  readonly m: CrashMac;
  private snapshot: string;
  private apiArgs: string[] | null = null;

  private constructor(readonly scenario: Scenario, m: CrashMac) {
    this.m = m;
    this.snapshot = `${m.mac.root}.snapshot`;
  }

  static async create(scenario: Scenario): Promise<ScenarioRunner> {
    const runner = new ScenarioRunner(scenario, crashMac());
    await runner.prepare();
    return runner;
  }

  private async prepare(): Promise<void> {
    const { m } = this;
    seedUserKubeconfig(m);
    if (this.scenario.prepare) {
      await this.scenario.prepare(m);
      await settle(m);
      // The running API double: remember how it was started, stop it, start it again after each restore.
      const [pid] = [...apiServerPids(m)];
      if (pid) {
        const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
        const flags = argv.slice(argv.findIndex((a) => a.endsWith("server.mjs")) + 1);
        const stateDir = flags[flags.indexOf("--state-dir") + 1]!;
        const rootfs = join(stateDir, "..", "rootfs");
        this.apiArgs = [...flags, "--admin-conf", join(rootfs, "etc/kubernetes/admin.conf")];
        process.kill(pid, "SIGTERM");
        const deadline = Date.now() + 10_000;
        while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      }
    }
    rmSync(this.snapshot, { recursive: true, force: true });
    cpSync(m.mac.root, this.snapshot, { recursive: true });
  }

  /** Back to the starting point: nothing of the previous run left running or on disk. */
  async reset(): Promise<void> {
    const { m } = this;
    stopApiServers(m);
    await settle(m);
    rmSync(m.mac.root, { recursive: true, force: true });
    cpSync(this.snapshot, m.mac.root, { recursive: true });
    if (this.apiArgs) {
      const r = await new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [KUBE_API_START, ...this.apiArgs!], { stdio: "ignore" });
        child.on("exit", (code) => resolve(code));
      });
      if (r !== 0) throw new Error(`could not restart the API double (${this.apiArgs.join(" ")})`);
    }
  }

  /** The recorded run: every container call and API write of the scenario, numbered. */
  async record(): Promise<CrashPoint[]> {
    const { m } = this;
    await this.reset();
    setFaults(m, { recordCalls: true }, { recordWrites: true });
    const r = await m.kina(this.scenario.command, this.scenario.input);
    expect(r.code, `recording ${this.scenario.name}: ${r.stderr}`).toBe(0);
    await settle(m);
    // Read and stop recording before the checks, whose own `container list` must not become crash points.
    const calls = readLines(join(m.mac.fake, "calls.log"));
    const writes = readLines(join(m.mac.fake, "kube-api-writes.log"));
    setFaults(m, null, null);
    await this.check();
    const points: CrashPoint[] = [];
    for (const c of calls) for (const after of [false, true]) points.push({ kind: "call", n: c.n, after, what: c.argv.slice(0, 4).join(" ") });
    for (const w of writes) for (const after of [false, true]) points.push({ kind: "write", n: w.n, after, what: `${w.method} ${w.url.split("?")[0]}` });
    return points;
  }

  /** Kills the scenario's command at `point`, recovers as a user would, and checks the cluster. */
  async crashAndRecover(point: CrashPoint): Promise<{ recovery: string[] }> {
    const { m } = this;
    await this.reset();
    const pidFile = join(m.mac.fake, "kina.pid");
    if (point.kind === "call") setFaults(m, { crashAtCall: { n: point.n, after: point.after } }, null);
    else setFaults(m, null, { crashAtWrite: { n: point.n, after: point.after, pidFile } });
    const crashed = await m.kina(this.scenario.command, this.scenario.input);
    expect(crashed.signal, `${describePoint(point)} did not kill kina: exit ${crashed.code}\n${crashed.stderr}`).toBe("SIGKILL");
    setFaults(m, null, null);
    await settle(m);

    // What a user does next: resume (or start) when kina wrote state, create again when it did not.
    const hasState = existsSync(join(m.clusterDir, "state.json"));
    const recovery = hasState ? [...this.scenario.recover] : [...this.scenario.command];
    const r = await m.kina(recovery, hasState ? undefined : this.scenario.input);
    expect(r.code, `after ${describePoint(point)}, kina ${recovery.join(" ")} failed:\n${r.stderr}`).toBe(0);
    await settle(m);
    await this.check();
    return { recovery };
  }

  /** What must hold when the scenario (or its recovery) completed. */
  async check(): Promise<void> {
    const { m } = this;
    // Exactly one VM per node, all running.
    const vms = m.mac.containers();
    expect(vms.map((v) => v.id).sort()).toEqual([...this.scenario.nodes].sort());
    expect(vms.every((v) => v.state === "running"), JSON.stringify(vms.map((v) => [v.id, v.state]))).toBe(true);

    // state.json parses and says ready.
    const state = JSON.parse(readFileSync(join(m.clusterDir, "state.json"), "utf8"));
    expect(state).toBeTypeOf("object");
    const status = await m.kina(["status", CLUSTER, "--json"]);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout).phase).toBe("ready");

    // kubeadm init on the first control plane: never a second time without a reset in between.
    const kubeadm = m.mac.execLog().filter((e) => e.argv[0] === "kubeadm" && !e.via && ["init", "reset"].includes(e.argv[1]!));
    let initsSinceReset = 0;
    for (const e of kubeadm) {
      if (e.argv[1] === "reset") initsSinceReset = 0;
      else if (++initsSinceReset > 1) throw new Error(`kubeadm init ran twice without a reset: ${JSON.stringify(kubeadm)}`);
    }
    expect(kubeadm.filter((e) => e.argv[1] === "init" && e.exitCode === 0).length).toBeGreaterThanOrEqual(1);

    // Both kubeconfigs parse and hold kina's cluster, user and context exactly once; the user's keeps its own.
    const own = parse(readFileSync(join(m.clusterDir, "kubeconfig"), "utf8"));
    const user = parse(readFileSync(m.userKubeconfig, "utf8"));
    for (const doc of [own, user]) {
      for (const list of ["clusters", "users", "contexts"]) {
        expect((doc[list] as { name: string }[]).filter((e) => e.name === CONTEXT), `${list} named ${CONTEXT}`).toHaveLength(1);
      }
    }
    for (const list of ["clusters", "users", "contexts"] as const) {
      expect((user[list] as { name: string }[]).map((e) => e.name)).toContain((FOREIGN[list][0] as { name: string }).name);
    }

    // Every node Ready, as kubectl sees it through kina's kubeconfig.
    const nodes = JSON.parse(
      execFileSync("/usr/bin/kubectl", ["--kubeconfig", join(m.clusterDir, "kubeconfig"), "get", "nodes", "-o", "json"], {
        encoding: "utf8",
        env: { PATH: process.env.PATH, HOME: m.mac.home },
      }),
    ).items as { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[];
    expect(nodes.map((n) => n.metadata.name).sort()).toEqual([...this.scenario.nodes].sort());
    for (const n of nodes) {
      expect(n.status.conditions.some((c) => c.type === "Ready" && c.status === "True"), `${n.metadata.name} Ready`).toBe(true);
    }
  }

  cleanup(): void {
    stopApiServers(this.m);
    rmSync(this.snapshot, { recursive: true, force: true });
  }
}

export function describePoint(p: CrashPoint): string {
  return `SIGKILL ${p.after ? "after" : "before"} ${p.kind === "call" ? "container call" : "API write"} #${p.n} (${p.what})`;
}

export const SINGLE: Scenario = {
  name: "single-node create",
  nodes: [`${CLUSTER}-control-plane`],
  command: ["create", CLUSTER],
  recover: ["resume", CLUSTER],
};

export const MULTI: Scenario = {
  name: "1+1 create",
  nodes: [`${CLUSTER}-control-plane`, `${CLUSTER}-worker`],
  command: ["create", CLUSTER, "--config", "-"],
  input: "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n- role: worker\n",
  recover: ["resume", CLUSTER],
};

export const START: Scenario = {
  name: "start after stop",
  nodes: [`${CLUSTER}-control-plane`],
  command: ["start", CLUSTER],
  recover: ["start", CLUSTER],
  async prepare(m) {
    const created = await m.kina(["create", CLUSTER]);
    if (created.code !== 0) throw new Error(`create for the start scenario failed:\n${created.stderr}`);
    const stopped = await m.kina(["stop", CLUSTER]);
    if (stopped.code !== 0) throw new Error(`stop for the start scenario failed:\n${stopped.stderr}`);
  },
};

export interface Selection {
  /** This file takes the points with index % count === index (so vitest can run a scenario's shards in parallel). */
  shard?: { index: number; count: number };
  /**
   * Keep only every `every`-th point (a deterministic sample, for a scenario too long to run whole on every CI
   * run); KINA_CRASH_FULL=1 runs them all.
   */
  every?: number;
}

/** Registers one test per selected crash point of `scenario`; the scenario is recorded while the file is collected. */
export async function defineMatrix(scenario: Scenario, selection: Selection = {}): Promise<void> {
  const { afterAll, describe, it } = await import("vitest");
  const shard = selection.shard ?? { index: 0, count: 1 };
  const every = process.env.KINA_CRASH_FULL === "1" ? 1 : (selection.every ?? 1);
  const runner = await ScenarioRunner.create(scenario);
  const recorded = await runner.record();
  const points = recorded.filter((_, i) => i % shard.count === shard.index).filter((_, i) => i % every === 0);
  const covered: CrashPoint[] = [];
  afterAll(() => {
    runner.cleanup();
    const calls = covered.filter((p) => p.kind === "call").length;
    const total = recorded.filter((_, i) => i % shard.count === shard.index).length;
    console.log(
      `crash matrix, ${scenario.name} (shard ${shard.index + 1}/${shard.count}): ${covered.length} crash points recovered ` +
        `(${calls} at container calls, ${covered.length - calls} at API writes) of ${total} in this shard` +
        (every > 1 ? ` (every ${every}th; KINA_CRASH_FULL=1 runs all)` : ""),
    );
  });
  describe(`crash matrix: ${scenario.name}`, () => {
    for (const point of points) {
      it(describePoint(point), async () => {
        await runner.crashAndRecover(point);
        covered.push(point);
      });
    }
  });
}
