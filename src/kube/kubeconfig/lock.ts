import { randomBytes } from "node:crypto";
import { link, open, readFile, rename, unlink } from "node:fs/promises";
import { setTimeout as delay } from "node:timers/promises";
import { KubeconfigError } from "./errors.js";
import { processAlive } from "../../../state/lock.js";

export interface LockOptions {
  /** How many times to try taking a lock another live process holds. Default 50. */
  attempts?: number;
  /** Wait between attempts, in milliseconds. Default 100 (so about 5 s in all). */
  delayMs?: number;
  /** How to wait; tests pass one that does something instead of sleeping. */
  sleep?: (ms: number) => Promise<void>;
  /** Whether a process exists. Default: signal 0. */
  isAlive?: (pid: number) => boolean;
}

/**
 * Runs `fn` holding `<file>.lock`, the lock kubectl (client-go) also takes on kubeconfig files:
 * created with O_EXCL, deleted afterwards. kina writes its pid into it, so a lock left by a kina
 * that died is taken over; a live holder is waited for a bounded time. kubectl leaves its lock
 * empty: that one is waited for too, then reported.
 */
export async function withFileLock<T>(file: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockPath = `${file}.lock`;
  const token = await acquire(file, lockPath, options);
  try {
    return await fn();
  } finally {
    await release(lockPath, token);
  }
}

async function acquire(file: string, lockPath: string, options: LockOptions): Promise<string> {
  const attempts = Math.max(1, options.attempts ?? 50);
  const delayMs = options.delayMs ?? 100;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const isAlive = options.isAlive ?? processAlive;
  const token = `${process.pid}\n`;

  let holder: number | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    // A stale lock is removed and retried without waiting; bound that too.
    for (let takeovers = 0; takeovers < 3; takeovers++) {
      if (await tryCreate(lockPath, token)) return token;
      const content = await readFile(lockPath, "utf8").catch(() => undefined);
      if (content === undefined) continue; // released meanwhile
      holder = parsePid(content);
      if (holder === undefined || isAlive(holder)) break;
      await takeOver(lockPath, content);
    }
    if (attempt < attempts) await sleep(delayMs);
  }
  const who = holder === undefined ? "another program (kubectl leaves its lock empty)" : `process ${holder}`;
  throw new KubeconfigError(
    "locked",
    `${file} is locked by ${who}: ${lockPath} is still there after waiting. Try again once that ` +
      `command has finished; if no kubectl or kina command is running, delete ${lockPath}.`,
    { path: file },
  );
}

async function tryCreate(lockPath: string, token: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(lockPath, "wx", 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  }
  try {
    await handle.writeFile(token, "utf8");
  } finally {
    await handle.close();
  }
  return true;
}

/**
 * Removes a lock whose holder is dead. It is first renamed aside, which only one contender can
 * do; if what was renamed is not the stale lock that was read (someone took the lock in between),
 * it is put back.
 */
async function takeOver(lockPath: string, staleContent: string): Promise<void> {
  const aside = `${lockPath}.${process.pid}.${randomBytes(6).toString("hex")}.stale`;
  try {
    await rename(lockPath, aside);
  } catch {
    return; // gone already: the next attempt creates it
  }
  const moved = await readFile(aside, "utf8").catch(() => staleContent);
  if (moved !== staleContent) await link(aside, lockPath).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

async function release(lockPath: string, token: string): Promise<void> {
  // Only remove the lock if it is still ours (it could have been taken over wrongly).
  const content = await readFile(lockPath, "utf8").catch(() => undefined);
  if (content === token) await unlink(lockPath).catch(() => undefined);
}

function parsePid(content: string): number | undefined {
  const text = content.trim();
  if (!/^\d+$/.test(text)) return undefined;
  const pid = Number(text);
  return pid > 0 && Number.isSafeInteger(pid) ? pid : undefined;
}
