// Fault injection from $KINA_FAKE_CONTAINER_STATE/faults.json (see test/doubles contracts):
// the first rule whose `argv` is a prefix of this invocation's argv fires; `times` counts down
// and the rule is removed at 0.
//
// The crash matrix (test/crash/) also uses two top-level fields of the same file:
// - `recordCalls: true` numbers every invocation (1, 2, …, across processes, under the state
//   lock) and appends `{ n, argv }` to $STATE/calls.log;
// - `crashAtCall: { n, after }` SIGKILLs the kina process that made invocation number n, either
//   before the invocation does anything (`after: false`) or after its work is done but before it
//   prints its answer (`after: true`), so kina never learns the outcome.
import { appendFileSync, existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { withLock } from "./store.mjs";

export const FAULTS_FILE = "faults.json";
export const CALLS_LOG = "calls.log";
const CALLS_COUNT = "calls.count";

export function ruleMatches(rule, argv) {
  if (!Array.isArray(rule.argv) || rule.argv.length > argv.length) return false;
  return rule.argv.every((word, i) => word === "*" || word === argv[i]);
}

/**
 * Returns the rule that fires for `argv` (already counted down on disk), or null. `canonical` is
 * argv with aliases spelled out, so a rule for ["list"] also catches `container ls`. A numbered
 * crash (`crashAtCall`) is returned as `{ crashCaller: true, after }`.
 */
export function takeFault(dir, argv, canonical = argv) {
  const file = join(dir, FAULTS_FILE);
  if (!existsSync(file)) return null;
  return withLock(dir, () => {
    if (!existsSync(file)) return null;
    const doc = JSON.parse(readFileSync(file, "utf8"));
    if (doc.recordCalls || doc.crashAtCall) {
      const counter = join(dir, CALLS_COUNT);
      const n = (existsSync(counter) ? Number(readFileSync(counter, "utf8")) : 0) + 1;
      writeFileSync(counter, String(n));
      if (doc.recordCalls) appendFileSync(join(dir, CALLS_LOG), `${JSON.stringify({ n, argv })}\n`);
      if (doc.crashAtCall?.n === n) return { crashCaller: true, after: doc.crashAtCall.after === true, numbered: true };
    }
    const rules = Array.isArray(doc.rules) ? doc.rules : [];
    const index = rules.findIndex((rule) => ruleMatches(rule, argv) || ruleMatches(rule, canonical));
    if (index === -1) return null;
    const rule = rules[index];
    if (typeof rule.times === "number") {
      const left = rule.times - 1;
      if (left <= 0) rules.splice(index, 1);
      else rules[index] = { ...rule, times: left };
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify({ ...doc, rules }, null, 2)}\n`);
      renameSync(tmp, file);
    }
    return rule;
  });
}

function parentOf(pid) {
  try {
    // /proc/PID/stat: "pid (comm) state ppid …"; comm may contain spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return 0;
  }
}

function isKina(pid) {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return argv.slice(1, 3).some((arg) => /(^|\/)(dist\/src\/cli\/main\.js|kina)$/.test(arg) || /fake-kina\.mjs$/.test(arg));
  } catch {
    return false;
  }
}

/**
 * The kina command that (directly or through intermediate processes) started this CLI: the nearest
 * ancestor running kina's entry point, found through /proc; the parent when /proc says nothing.
 */
export function callerPid() {
  for (let pid = process.ppid, hops = 0; pid > 1 && hops < 16; pid = parentOf(pid), hops++) {
    if (isKina(pid)) return pid;
  }
  return process.ppid;
}

/** SIGKILLs the process that spawned this CLI (the kina command under test). */
export function crashCaller() {
  try {
    process.kill(callerPid(), "SIGKILL");
  } catch {
    // The caller is already gone.
  }
}
