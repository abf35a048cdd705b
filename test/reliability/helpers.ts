// Shared by the reliability suites: polling for a condition (never a sleep as sync) and finding
// the processes a test's `container` double left running.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/** Resolves when `condition` holds, checking as the event loop turns (bounded by the test's timeout). */
export async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolveTick) => setTimeout(resolveTick, 25));
}

/** True once the double has taken (and so is acting on) every rule written to faults.json. */
export function faultsTaken(fakeDir: string): boolean {
  const file = join(fakeDir, "faults.json");
  if (!existsSync(file)) return true;
  try {
    return JSON.parse(readFileSync(file, "utf8")).rules.length === 0;
  } catch {
    return false; // being rewritten
  }
}

/** Pids of live `container` double processes whose environment names this fake Mac's state folder. */
export function processesOf(fakeDir: string): number[] {
  const needle = `KINA_FAKE_CONTAINER_STATE=${fakeDir}\0`;
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (/^\d+ \(.*\) Z /.test(stat)) continue; // a zombie has ended; its parent just has not reaped it
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "latin1");
      if (!cmdline.includes("/doubles/container/container")) continue; // e.g. the API double a node started
      if (`${readFileSync(`/proc/${entry}/environ`, "latin1")}\0`.includes(needle)) pids.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/** Every regular file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(p));
    else if (entry.isFile()) out.push(p);
  }
  return out;
}

/** Every folder under `dir` (itself included), recursively. */
export function dirsUnder(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const out = [dir];
  for (const entry of readdirSync(dir, { withFileTypes: true })) if (entry.isDirectory()) out.push(...dirsUnder(join(dir, entry.name)));
  return out;
}
