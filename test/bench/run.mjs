#!/usr/bin/env node
// `npm run bench`: the DESIGN.md §10 budgets, measured (never asserted in tests).
//   - start-up of `kina --version`, `kina status`, `kina get clusters` against bare `node -e 0`
//   - a durable checkpoint write (fsync'd state.json), median
//   - a whole `kina create` against the project's doubles, and the container calls it made
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

const REPO = resolve(import.meta.dirname, "../..");
const KINA = join(REPO, "dist/src/cli/main.js");
const FAKE = join(REPO, "test/fixtures/fake-kina.mjs");
const node = process.execPath;

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}
function time(args, env, runs = 15) {
  const xs = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(node, args, { env, encoding: "utf8" });
    xs.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${args.join(" ")} failed: ${r.stderr}`);
  }
  return median(xs);
}

const home = mkdtempSync(join(tmpdir(), "kina-bench-"));
const env = { PATH: process.env.PATH, HOME: home, KINA_HOME: join(home, ".kina") };
execFileSync(node, [FAKE, "create", "bench"], { env, stdio: "ignore" });

const baseline = time(["-e", "0"], env);
const rows = [["node -e 0", baseline]];
for (const args of [["--version"], ["status", "bench"], ["get", "clusters"]]) rows.push([`kina ${args.join(" ")}`, time([KINA, ...args], env)]);

console.log("start-up (median of 15 runs)");
for (const [label, ms] of rows) console.log(`  ${label.padEnd(24)} ${ms.toFixed(1).padStart(7)} ms   ${label === "node -e 0" ? "" : `+${(ms - baseline).toFixed(1)} ms over node`}`);

// Checkpoint writes: the store's own durable write, 200 times.
const { ClusterStore } = await import(join(REPO, "dist/state/store.js"));
const store = await ClusterStore.open("bench", env);
const writes = [];
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  await store.save();
  writes.push(performance.now() - t);
}
console.log(`checkpoint write (fsync'd, median of 200): ${median(writes).toFixed(2)} ms`);

// A whole create against the doubles.
const mac = mkdtempSync(join(tmpdir(), "kina-bench-mac-"));
mkdirSync(join(mac, "state"));
const macEnv = {
  PATH: [dirname(node), join(REPO, "test/doubles/bin"), process.env.PATH].join(":"),
  HOME: mac,
  KINA_HOME: join(mac, ".kina"),
  KINA_CONTAINER: join(REPO, "test/doubles/container/container"),
  KINA_FAKE_CONTAINER_STATE: join(mac, "state"),
};
const t = performance.now();
const r = spawnSync(node, [KINA, "create", "bench"], { env: macEnv, encoding: "utf8" });
const total = performance.now() - t;
if (r.status !== 0) throw new Error(`create failed: ${r.stderr}`);
const state = JSON.parse(readFileSync(join(mac, ".kina/clusters/bench/state.json"), "utf8"));
const calls = Object.values(state.steps.bootstrap)
  .flatMap((s) => s.attempts)
  .map((a) => (readFileSync(a.log, "utf8").match(/\$ \S*container /g) ?? []).length)
  .reduce((a, b) => a + b, 0);
console.log(`create against the doubles: ${(total / 1000).toFixed(1)} s wall, ${calls} container calls`);
for (const [id, s] of Object.entries(state.steps.bootstrap)) {
  const a = s.attempts.at(-1);
  const ms = a?.finishedAt ? Date.parse(a.finishedAt) - Date.parse(a.startedAt) : undefined;
  console.log(`  ${id.padEnd(20)} ${s.status.padEnd(8)} ${ms === undefined ? "" : `${ms} ms`}`);
}
spawnSync(node, [KINA, "delete", "bench"], { env: macEnv });
