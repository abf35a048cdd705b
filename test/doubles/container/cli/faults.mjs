// Fault injection from $KINA_FAKE_CONTAINER_STATE/faults.json (see test/doubles contracts):
// the first rule whose `argv` is a prefix of this invocation's argv fires; `times` counts down
// and the rule is removed at 0.
import { existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { withLock } from "./store.mjs";

export const FAULTS_FILE = "faults.json";

export function ruleMatches(rule, argv) {
  if (!Array.isArray(rule.argv) || rule.argv.length > argv.length) return false;
  return rule.argv.every((word, i) => word === "*" || word === argv[i]);
}

/**
 * Returns the rule that fires for `argv` (already counted down on disk), or null. `canonical` is
 * argv with aliases spelled out, so a rule for ["list"] also catches `container ls`.
 */
export function takeFault(dir, argv, canonical = argv) {
  const file = join(dir, FAULTS_FILE);
  if (!existsSync(file)) return null;
  return withLock(dir, () => {
    if (!existsSync(file)) return null;
    const doc = JSON.parse(readFileSync(file, "utf8"));
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

/** SIGKILLs the process that spawned this CLI (the kina command under test). */
export function crashCaller() {
  try {
    process.kill(process.ppid, "SIGKILL");
  } catch {
    // The caller is already gone.
  }
}
