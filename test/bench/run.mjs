#!/usr/bin/env node
// `npm run bench`: the DESIGN.md §10 budgets and issue 13's figures, measured (never asserted in
// tests). Writes test/bench/results.json and prints a table. Runs the real kina (package.json
// `bin`) against the project's doubles:
//   1. start-up: `kina --version`, `get clusters`, `status NAME` (+ --json, --graph) beside bare
//      `node -e 0`, CPU (user+sys of the process and its children) and wall, medians, interleaved;
//   2. a durable checkpoint write (fsync'd state.json), median;
//   3. creates, single-node and 1+2, with 0 and with 80 ms injected per `container` call
//      (KINA_FAKE_CONTAINER_LATENCY_MS, a sleep inside the double standing in for the XPC round
//      trip): wall, time inside the doubles, kina's own overhead, container calls, per step;
//   4. recovery: a create whose CNI never becomes ready (API-double fault, short cni timeout),
//      then `kina resume` against `kina delete` + `kina create`, wall and container calls.
//
// Definitions (printed with the table):
//   calls           every `container` invocation the double logged (container-calls.jsonl: each
//                   call's process start and end).
//   in doubles      the union of those intervals: time during which at least one call was running
//                   (concurrent calls count once). This is the create's critical path inside
//                   `container`.
//   overhead        wall − in doubles: kina's own time (its start-up, engine, checkpoints, the
//                   Kubernetes client) plus its waits on the API double, which answers at once.
//   critical calls  the most calls that ran one after another (pairwise non-overlapping; greedy
//                   by earliest end, which is maximal): with everything serial it equals calls,
//                   N VMs started concurrently count once. With latency L per call, the critical
//                   path pays about critical calls × L.
// BENCH_RUNS=N changes the start-up sample size (default 11).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

const REPO = resolve(import.meta.dirname, "../..");
const PKG = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
const BIN = typeof PKG.bin === "string" ? PKG.bin : PKG.bin.kina;
const KINA = join(REPO, BIN);
const CONTAINER_DOUBLE = join(REPO, "test/doubles/container/container");
const node = process.execPath;
const RUNS = Number(process.env.BENCH_RUNS ?? 11);
const benchStarted = performance.now();
const tmpRoots = [];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const tmp = (prefix) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  tmpRoots.push(d);
  return d;
};

// ---------------------------------------------------------------------------------------------
// A pretend Mac: the doubles' state, kina's home, PATH with this node first (as test/helpers).

function fakeMac(extra = {}) {
  const root = tmp("kina-bench-mac-");
  const fake = join(root, "container-state");
  mkdirSync(fake, { recursive: true });
  mkdirSync(join(root, "home"), { recursive: true });
  const env = {
    PATH: [dirname(node), join(REPO, "test/doubles/bin"), process.env.PATH].join(":"),
    HOME: join(root, "home"),
    KINA_HOME: join(root, "home/.kina"),
    KINA_CONTAINER: CONTAINER_DOUBLE,
    KINA_FAKE_CONTAINER_STATE: fake,
    ...extra,
  };
  return {
    root,
    fake,
    env,
    calls: () => {
      const f = join(fake, "container-calls.jsonl");
      return existsSync(f) ? readFileSync(f, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
    },
    state: (name) => JSON.parse(readFileSync(join(env.KINA_HOME, "clusters", name, "state.json"), "utf8")),
    kubeFaults: (faults) => writeFileSync(join(fake, "kube-api-faults.json"), JSON.stringify(faults)),
    cleanup: () => stopApiServers(fake),
  };
}

function stopApiServers(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) stopApiServers(p);
    else if (entry.name === "apiserver.pid") {
      try {
        process.kill(Number(readFileSync(p, "utf8")), "SIGKILL");
      } catch {
        // already gone
      }
    }
  }
}

/** Runs kina to the end; resolves with wall ms, exit code and output. */
function kina(mac, args, input) {
  return new Promise((resolvePromise) => {
    const t0 = performance.now();
    const startedAt = Date.now();
    const child = spawn(KINA, args, { env: mac.env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.stdin.end(input ?? "");
    child.on("close", (code) => resolvePromise({ code, stdout, stderr, wallMs: performance.now() - t0, startedAt, endedAt: Date.now() }));
  });
}

// ---------------------------------------------------------------------------------------------
// Call intervals.

/** Total length of the union of [start, end] intervals. */
function unionMs(calls) {
  const xs = [...calls].sort((a, b) => a.start - b.start);
  let total = 0;
  let cur;
  for (const c of xs) {
    if (!cur || c.start > cur.end) {
      if (cur) total += cur.end - cur.start;
      cur = { start: c.start, end: c.end };
    } else cur.end = Math.max(cur.end, c.end);
  }
  if (cur) total += cur.end - cur.start;
  return total;
}

/** The most calls that ran one after another (pairwise non-overlapping): greedy by earliest end. */
function criticalCalls(calls) {
  let n = 0;
  let last = -Infinity;
  for (const c of [...calls].sort((a, b) => a.end - b.end)) {
    if (c.start >= last) {
      n++;
      last = c.end;
    }
  }
  return n;
}

function profile(calls, wallMs, startedAt) {
  const inDoubles = unionMs(calls);
  const out = {
    wallMs: round(wallMs, 0),
    inDoublesMs: round(inDoubles, 0),
    overheadMs: round(wallMs - inDoubles, 0),
    calls: calls.length,
    criticalCalls: criticalCalls(calls),
  };
  // Where a whole command's overhead starts: kina's own start-up until its first container call.
  if (startedAt !== undefined && calls.length) out.toFirstCallMs = round(Math.min(...calls.map((c) => c.start)) - startedAt, 0);
  return out;
}

/** Calls inside [from, to] (epoch ms; 1 ms of slack for the ISO timestamps' rounding). */
const within = (calls, from, to) => calls.filter((c) => c.start >= from - 1 && c.end <= to + 1);

/** Per step of the bootstrap chain, its last attempt when it started at or after `since`. */
function perStep(state, calls, since = 0) {
  const rows = [];
  for (const [id, rec] of Object.entries(state.steps.bootstrap ?? {})) {
    const a = rec.attempts?.at(-1);
    if (rec.status === "skipped" || !a?.finishedAt || Date.parse(a.startedAt) < since) continue;
    const from = Date.parse(a.startedAt);
    const to = Date.parse(a.finishedAt);
    const mine = within(calls, from, to);
    rows.push({ step: id, ...profile(mine, to - from), containerCallsInStatus: a.containerCalls ?? null });
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// 1. Start-up.

const MULTI = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n- role: worker\n";

// `times` (a shell builtin, also in macOS's bash 3.2) prints the CPU time of the shell's waited-for
// children: the command and everything it started.
function timed(argv, env) {
  const t0 = performance.now();
  const r = spawnSync("/bin/bash", ["-c", '"$@" >/dev/null 2>&1; s=$?; times; exit $s', "bench", ...argv], { env, encoding: "utf8" });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(" ")} exited ${r.status}: ${r.stderr}`);
  const [, children] = r.stdout.trim().split("\n");
  const secs = [...(children ?? "").matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wall, cpu: (secs[0] ?? 0) * 1000 + (secs[1] ?? 0) * 1000 };
}

async function startup() {
  // A real cluster on disk (single node, zero latency) for `status`; then `container` is taken
  // away, so status's one `container list` fails at once and the rows measure kina itself.
  const mac = fakeMac({ KINA_FAKE_CONTAINER_LATENCY_MS: "0" });
  const created = await kina(mac, ["create", "bench"]);
  if (created.code !== 0) throw new Error(`create for the start-up rows failed: ${created.stderr}`);
  const calls = within(mac.calls(), created.startedAt, created.endedAt);
  const single0 = { shape: "single", latencyMs: 0, ...profile(calls, created.wallMs, created.startedAt), steps: perStep(mac.state("bench"), calls) };
  const env = { ...mac.env, KINA_CONTAINER: join(mac.root, "no-container") };
  const cases = [
    ["node -e 0", [node, "-e", "0"]],
    ["kina --version", [KINA, "--version"]],
    ["kina get clusters", [KINA, "get", "clusters"]],
    ["kina status NAME", [KINA, "status", "bench"]],
    ["kina status NAME --json", [KINA, "status", "bench", "--json"]],
    ["kina status NAME --graph", [KINA, "status", "bench", "--graph"]],
  ];
  const samples = cases.map(() => ({ wall: [], cpu: [] }));
  for (const [, argv] of cases) timed(argv, env); // warm the compile cache and the page cache
  for (let i = 0; i < RUNS; i++) {
    cases.forEach(([, argv], j) => {
      const t = timed(argv, env);
      samples[j].wall.push(t.wall);
      samples[j].cpu.push(t.cpu);
    });
  }
  const base = { wall: median(samples[0].wall), cpu: median(samples[0].cpu) };
  const rows = cases.map(([label], j) => {
    const wall = median(samples[j].wall);
    const cpu = median(samples[j].cpu);
    return { command: label, wallMs: round(wall), cpuMs: round(cpu), wallOverNodeMs: round(wall - base.wall), cpuOverNode: round(cpu / base.cpu, 2) };
  });

  // 2. Checkpoint write: the store's own durable write of this cluster's state.json.
  let checkpoint;
  const storeModule = join(REPO, "dist/state/store.js");
  if (existsSync(storeModule)) {
    const { ClusterStore } = await import(storeModule);
    const store = await ClusterStore.open("bench", mac.env);
    const writes = [];
    for (let i = 0; i < 200; i++) {
      const t = performance.now();
      await store.save();
      writes.push(performance.now() - t);
    }
    checkpoint = { medianMs: round(median(writes), 2), runs: 200 };
  }
  await kina(mac, ["delete", "bench"]);
  mac.cleanup();
  return { rows, checkpoint, single0 };
}

// ---------------------------------------------------------------------------------------------
// 3. Creates.

async function create(shape, latencyMs) {
  const mac = fakeMac({ KINA_FAKE_CONTAINER_LATENCY_MS: String(latencyMs) });
  const args = shape === "1+2" ? ["create", "bench", "--config", "-"] : ["create", "bench"];
  const r = await kina(mac, args, shape === "1+2" ? MULTI : undefined);
  if (r.code !== 0) throw new Error(`${shape} create (${latencyMs} ms) failed: ${r.stderr}`);
  const calls = within(mac.calls(), r.startedAt, r.endedAt);
  const state = mac.state("bench");
  const out = { shape, latencyMs, ...profile(calls, r.wallMs, r.startedAt), steps: perStep(state, calls) };
  mac.cleanup();
  return out;
}

// ---------------------------------------------------------------------------------------------
// 4. Recovery after a CNI failure.

async function recovery(latencyMs) {
  const mac = fakeMac({ KINA_FAKE_CONTAINER_LATENCY_MS: String(latencyMs) });
  mac.kubeFaults({ daemonSetsNeverReady: ["kindnet"] });
  const failed = await kina(mac, ["create", "bench", "--timeout", "cni=2s"]);
  if (failed.code === 0 || !/cniInstalled/.test(failed.stderr)) throw new Error(`the CNI failure did not happen: ${failed.stderr}`);
  mac.kubeFaults({});
  const run = async (args) => {
    const r = await kina(mac, args);
    if (r.code !== 0) throw new Error(`kina ${args.join(" ")} failed: ${r.stderr}`);
    return { ...r, calls: within(mac.calls(), r.startedAt, r.endedAt) };
  };
  const resumed = await run(["resume", "bench"]);
  const resumedState = mac.state("bench");
  // Starting over instead: what the delete and the fresh create cost is the same whether the
  // cluster they remove failed or was resumed (the same VM and network), so they are timed here.
  const deleted = await run(["delete", "bench"]);
  mac.cleanup();
  const created = await run(["create", "bench"]);
  await kina(mac, ["delete", "bench"]);
  mac.cleanup();
  const resume = { wallMs: round(resumed.wallMs, 0), calls: resumed.calls.length, criticalCalls: criticalCalls(resumed.calls), steps: perStep(resumedState, resumed.calls, resumed.startedAt) };
  const restartCalls = [...deleted.calls, ...created.calls];
  const deleteAndCreate = { wallMs: round(deleted.wallMs + created.wallMs, 0), calls: restartCalls.length, criticalCalls: criticalCalls(restartCalls) };
  return {
    result: {
      latencyMs,
      resume,
      deleteAndCreate,
      wallRatio: round(deleteAndCreate.wallMs / resume.wallMs, 1),
      callsRatio: round(deleteAndCreate.calls / Math.max(resume.calls, 1), 1),
    },
  };
}

// ---------------------------------------------------------------------------------------------

function table(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  ");
  return [line(headers), ...rows.map(line)].map((l) => `  ${l}`).join("\n");
}

let results;
try {
  const s = await startup();
  // The single-node 0 ms create is the start-up rows' cluster. Every create starts from a fresh
  // double, so each builds the node image (imageBuilt) the same way.
  const creates = [s.single0, await create("1+2", 0), await create("single", 80), await create("1+2", 80)];
  const recoveries = [(await recovery(80)).result];
  const single80 = creates.find((c) => c.shape === "single" && c.latencyMs === 80);
  const multi80 = creates.find((c) => c.shape === "1+2" && c.latencyMs === 80);
  const single0 = creates.find((c) => c.shape === "single" && c.latencyMs === 0);
  results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", platform: `${process.platform} ${process.arch}`, node: process.version },
    kina: { bin: BIN, version: PKG.version },
    definitions: {
      calls: "container invocations the double logged (each call's process start to end)",
      inDoublesMs: "union of the call intervals: time with at least one container call running",
      overheadMs: "wall - inDoublesMs: kina's own time plus its waits on the Kubernetes API double",
      criticalCalls: "the most calls that ran one after another (pairwise non-overlapping, greedy by earliest end)",
      cpuMs: "user+sys of the process and its children (bash `times`), median",
    },
    startup: s.rows,
    checkpointWrite: s.checkpoint ?? null,
    creates,
    recovery: recoveries,
    goals: {
      startupCpuAtMost2xNode: s.rows.filter((r) => r.command !== "node -e 0").map((r) => ({ command: r.command, cpuOverNode: r.cpuOverNode, met: r.cpuOverNode <= 2 })),
      singleNodeOverheadAtMost300ms: { overheadMs: single0.overheadMs, met: single0.overheadMs <= 300 },
      multiCriticalPathAtMost1_3xSingle: {
        latencyMs: 80,
        single: single80.inDoublesMs,
        multi: multi80.inDoublesMs,
        ratio: round(multi80.inDoublesMs / single80.inDoublesMs, 2),
        met: multi80.inDoublesMs <= 1.3 * single80.inDoublesMs,
        criticalCallsSingle: single80.criticalCalls,
        criticalCallsMulti: multi80.criticalCalls,
        criticalCallsRatio: round(multi80.criticalCalls / single80.criticalCalls, 2),
      },
      recoveryAtLeast10xCheaper: recoveries.map((r) => ({ latencyMs: r.latencyMs, wallRatio: r.wallRatio, callsRatio: r.callsRatio, met: r.wallRatio >= 10 && r.callsRatio >= 10 })),
    },
    benchSeconds: 0,
  };
  results.benchSeconds = round((performance.now() - benchStarted) / 1000, 1);
} finally {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
}

writeFileSync(join(REPO, "test/bench/results.json"), `${JSON.stringify(results, null, 2)}\n`);

const out = [];
out.push(`kina bench, ${results.date}, ${results.machine.cpus} × ${results.machine.cpu}, ${results.machine.platform}, node ${results.machine.node}`);
out.push("", `start-up (median of ${RUNS}, interleaved; cpu = user+sys incl. children)`);
out.push(table(["command", "wall ms", "cpu ms", "wall +node", "cpu ×node"], results.startup.map((r) => [r.command, r.wallMs, r.cpuMs, r.wallOverNodeMs, r.cpuOverNode])));
if (results.checkpointWrite) out.push("", `checkpoint write (fsync'd state.json, median of 200): ${results.checkpointWrite.medianMs} ms`);
out.push("", "create against the doubles (latency = sleep injected in every container call)");
out.push(
  table(
    ["create", "latency", "wall ms", "in doubles", "overhead", "to 1st call", "calls", "critical"],
    results.creates.map((c) => [c.shape, `${c.latencyMs} ms`, c.wallMs, c.inDoublesMs, c.overheadMs, c.toFirstCallMs ?? "-", c.calls, c.criticalCalls]),
  ),
);
for (const c of results.creates) {
  out.push("", `  per step: ${c.shape}, ${c.latencyMs} ms`);
  out.push(table(["  step", "wall ms", "in doubles", "overhead", "calls", "critical"], c.steps.map((s) => [`  ${s.step}`, s.wallMs, s.inDoublesMs, s.overheadMs, s.calls, s.criticalCalls])));
}
for (const r of results.recovery) {
  out.push("", `  per step: resume after the CNI failure, ${r.latencyMs} ms (steps it re-ran; the rest were verified)`);
  out.push(table(["  step", "wall ms", "in doubles", "overhead", "calls", "critical"], r.resume.steps.map((s) => [`  ${s.step}`, s.wallMs, s.inDoublesMs, s.overheadMs, s.calls, s.criticalCalls])));
}
out.push("", "recovery after a CNI failure (single node, cni timeout 2s): resume vs delete + create");
out.push(
  table(
    ["latency", "resume ms", "calls", "delete+create ms", "calls", "wall ×", "calls ×"],
    results.recovery.map((r) => [`${r.latencyMs} ms`, r.resume.wallMs, r.resume.calls, r.deleteAndCreate.wallMs, r.deleteAndCreate.calls, r.wallRatio, r.callsRatio]),
  ),
);
const g = results.goals;
out.push("", "goals");
for (const r of g.startupCpuAtMost2xNode) out.push(`  ${r.met ? "met   " : "missed"} ${r.command}: ${r.cpuOverNode}× node's CPU (goal ≤ 2×)`);
out.push(`  ${g.singleNodeOverheadAtMost300ms.met ? "met   " : "missed"} single-node overhead ${g.singleNodeOverheadAtMost300ms.overheadMs} ms (goal ≤ 300 ms, 0 ms latency)`);
const m = g.multiCriticalPathAtMost1_3xSingle;
out.push(`  ${m.met ? "met   " : "missed"} 1+2 critical path ${m.multi} ms vs single ${m.single} ms = ${m.ratio}× (goal ≤ 1.3×, 80 ms latency)`);
out.push(`         critical calls (what the latency multiplies): ${m.criticalCallsMulti} vs ${m.criticalCallsSingle} = ${m.criticalCallsRatio}×`);
for (const r of g.recoveryAtLeast10xCheaper) out.push(`  ${r.met ? "met   " : "missed"} recovery at ${r.latencyMs} ms: ${r.wallRatio}× wall, ${r.callsRatio}× calls (goal ≥ 10× both)`);
out.push("", "definitions");
for (const [k, v] of Object.entries(results.definitions)) out.push(`  ${k}: ${v}`);
out.push("", `bench took ${results.benchSeconds} s; wrote test/bench/results.json`);
console.log(out.join("\n"));
