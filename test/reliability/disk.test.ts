// A full disk and a read-only $KINA_HOME at a checkpoint, honestly: $KINA_HOME is a small tmpfs
// that the test fills to the last block, or remounts read-only, while a step is held; then the
// step finishes and kina must save its result. The previous state.json must stay whole and
// readable, kina must say so and exit 1, and once the disk takes writes again the next command
// works. Needs mount(8) as root (the CI container has it); elsewhere the suite says why it skips.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FAKE_KINA, run, start, tempDir, waitForOutput } from "../helpers/run.js";

function canMount(): boolean {
  if (process.platform !== "linux" || process.getuid?.() !== 0) return false;
  const probe = tempDir("kina-mount-probe-");
  const ok = spawnSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", probe]).status === 0;
  if (ok) spawnSync("umount", [probe]);
  rmSync(probe, { recursive: true, force: true });
  return ok;
}
const MOUNTABLE = canMount();
if (!MOUNTABLE) console.warn("disk.test.ts: skipped, mounting a tmpfs needs Linux and root");

const mounted: string[] = [];
afterEach(() => {
  for (const dir of mounted.splice(0)) spawnSync("umount", ["-l", dir]);
});

function smallHome() {
  const root = tempDir("kina-disk-");
  const home = join(root, "home");
  mkdirSync(home);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", home]);
  mounted.push(home);
  const go = join(root, "go"); // outside the tmpfs: the held step goes on once it exists
  const env = (steps: Record<string, unknown> = {}) => ({ HOME: home, KINA_HOME: join(home, ".kina"), KINA_FAKE_STEPS: JSON.stringify(steps) });
  const statePath = join(home, ".kina/clusters/dev/state.json");
  const kina = (args: string[]) => run(FAKE_KINA, args, env());
  const filler = join(home, "filler");
  return {
    home,
    go,
    env,
    statePath,
    kina,
    /** Writes until the file system refuses: not one block is left. */
    fill: () => {
      const block = Buffer.alloc(4096);
      try {
        for (;;) writeFileSync(filler, block, { flag: "a" });
      } catch (error) {
        expect((error as NodeJS.ErrnoException).code).toBe("ENOSPC");
      }
    },
    free: () => rmSync(filler, { force: true }),
    // A read-only bind mount of $KINA_HOME over itself (a remount of the tmpfs would be refused
    // while kina has its step log open).
    readOnly: () => {
      const kinaHome = join(home, ".kina");
      execFileSync("mount", ["--bind", kinaHome, kinaHome]);
      mounted.unshift(kinaHome);
      execFileSync("mount", ["-o", "remount,bind,ro", kinaHome]);
    },
    writable: () => {
      execFileSync("umount", [join(home, ".kina")]);
      mounted.splice(mounted.indexOf(join(home, ".kina")), 1);
    },
  };
}

describe.skipIf(!MOUNTABLE)("the disk refuses a checkpoint", () => {
  const cases = [
    { label: "no space left (ENOSPC)", why: "no space left on device", remedy: "Free some space on the disk of", break: "fill", mend: "free" },
    { label: "$KINA_HOME read-only (EROFS)", why: "the file system is read-only", remedy: "Make ", break: "readOnly", mend: "writable" },
  ] as const;
  for (const c of cases) {
    it(`${c.label}: the previous state.json stays whole and readable, kina says so and exits 1; resume works after`, async () => {
      const d = smallHome();
      const { child, done } = start(FAKE_KINA, ["create", "dev"], d.env({ cniInstalled: { hang: true, until: d.go } }));
      await waitForOutput(child, "RUNNING cniInstalled");
      const before = readFileSync(d.statePath, "utf8");
      d[c.break]();
      writeFileSync(d.go, "");
      const r = await done;
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`ERROR: could not save the state of cluster "dev" to ${d.statePath}: ${c.why}. The file is intact`);
      expect(r.stderr).toContain(c.remedy);
      expect(r.stderr).toContain("kina resume dev");
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // Byte for byte the last checkpoint: cniInstalled running, its attempt recorded.
      expect(readFileSync(d.statePath, "utf8")).toBe(before);
      const status = await d.kina(["status", "dev", "--json"]);
      expect(status.code, status.stderr).toBe(0);
      const doc = JSON.parse(status.stdout);
      expect(doc.steps.find((s: { id: string }) => s.id === "cniInstalled").status).toBe("interrupted");
      expect(doc.steps.find((s: { id: string }) => s.id === "untainted").status).toBe("done");

      d[c.mend]();
      const resumed = await d.kina(["resume", "dev"]);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(JSON.parse((await d.kina(["status", "dev", "--json"])).stdout).phase).toBe("ready");
      expect(existsSync(join(d.home, ".kina/clusters/dev/lock"))).toBe(false);
    });
  }

  it("a command started on a full disk changes nothing and says why; the next one works once space is back", async () => {
    const d = smallHome();
    expect((await d.kina(["create", "dev"])).code).toBe(0);
    const before = readFileSync(d.statePath, "utf8");
    d.fill();
    const r = await d.kina(["retry", "cni", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no space left on device/);
    expect(r.stderr).not.toMatch(/\n\s+at |ENOSPC:/);
    expect(readFileSync(d.statePath, "utf8")).toBe(before);
    expect((await d.kina(["status", "dev"])).code).toBe(0);
    d.free();
    const again = await d.kina(["retry", "cni", "dev"]);
    expect(again.code, again.stderr).toBe(0);
  });
});
