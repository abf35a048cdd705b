import { spawnSync } from "node:child_process";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { KubeconfigError } from "../../../src/kube/kubeconfig/index.js";
import { withFileLock } from "../../../src/kube/kubeconfig/lock.js";
import { withTempDir } from "./fixtures.js";

/** The pid of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "0"]);
  if (child.pid === undefined) throw new Error("could not start a child process");
  return child.pid;
}

const noWait = async () => undefined;

describe("withFileLock", () => {
  test("holds <file>.lock with our pid while running, and removes it afterwards", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "config");
      const seen = await withFileLock(file, () => readFile(`${file}.lock`, "utf8"));
      expect(seen.trim()).toBe(String(process.pid));
      expect(await readdir(dir)).toEqual([]);
    });
  });

  test("removes the lock when the work fails", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "config");
      await expect(withFileLock(file, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
      expect(await readdir(dir)).toEqual([]);
    });
  });

  test("takes over a lock whose process is gone", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "config");
      await writeFile(`${file}.lock`, `${deadPid()}\n`);
      const ran = await withFileLock(file, async () => "ran", { attempts: 1, sleep: noWait });
      expect(ran).toBe("ran");
      expect(await readdir(dir)).toEqual([]);
    });
  });

  test("waits for a live holder and proceeds once it lets go", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "config");
      await writeFile(`${file}.lock`, `${process.pid}\n`);
      let waits = 0;
      const releaseOnSecondWait = async () => {
        waits += 1;
        if (waits === 2) await rm(`${file}.lock`);
      };
      const ran = await withFileLock(file, async () => "ran", { attempts: 5, sleep: releaseOnSecondWait });
      expect(ran).toBe("ran");
      expect(waits).toBe(2);
    });
  });

  test("gives up on a live holder with an error naming the lock and the fix", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "config");
      await writeFile(`${file}.lock`, `${process.pid}\n`);
      let ran = false;
      const attempt = withFileLock(file, async () => (ran = true), { attempts: 3, sleep: noWait });
      await expect(attempt).rejects.toBeInstanceOf(KubeconfigError);
      await expect(attempt).rejects.toMatchObject({ code: "locked" });
      await expect(attempt).rejects.toThrow(`process ${process.pid}`);
      await expect(attempt).rejects.toThrow(`delete ${file}.lock`);
      expect(ran).toBe(false);
      // Someone else's lock is left where it was.
      expect((await readFile(`${file}.lock`, "utf8")).trim()).toBe(String(process.pid));
    });
  });

  test("treats kubectl's empty lock as held", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "config");
      await writeFile(`${file}.lock`, "");
      const attempt = withFileLock(file, async () => "ran", { attempts: 2, sleep: noWait });
      await expect(attempt).rejects.toThrow(/kubectl/);
    });
  });

  test("lets only one of many concurrent callers in at a time", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, "config");
      let inside = 0;
      let most = 0;
      const work = async () => {
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((resolve) => setImmediate(resolve));
        inside -= 1;
      };
      await Promise.all(Array.from({ length: 8 }, () => withFileLock(file, work, { attempts: 1000, delayMs: 1 })));
      expect(most).toBe(1);
    });
  });
});
