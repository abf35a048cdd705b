// One writer per cluster. The lock file holds who has it (pid, host, start time, command); it is
// created atomically with its content (hard link of a finished temp file), so a reader never sees
// an empty lock. A lock whose process is gone is taken over with a notice; a live one makes the
// second command fail at once, naming the other process.

import { readFileSync } from "node:fs";
import { link, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { diskRefusal, diskRemedy } from "./durable.js";

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

/** The lock file's content, checked by hand: `kina status` reads it and must not load zod. */
function lockInfo(doc: unknown): LockInfo {
  const d = (typeof doc === "object" && doc !== null ? doc : {}) as Record<string, unknown>;
  const { pid, host, startedAt, command } = d;
  if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid <= 0) throw new Error("lock file: pid must be a positive integer");
  if (typeof host !== "string" || typeof startedAt !== "string" || typeof command !== "string") {
    throw new Error("lock file: host, startedAt and command must be strings");
  }
  return { pid, host, startedAt, command };
}

export class ClusterLockedError extends Error {
  constructor(
    readonly cluster: string,
    readonly holder: LockInfo,
  ) {
    super(
      `cluster "${cluster}" is in use by another kina process: pid ${holder.pid} on ${holder.host} ` +
        `running "${holder.command}" since ${holder.startedAt}. Wait for it to finish, or stop it ` +
        `(kill ${holder.pid}) and run your command again.`,
    );
    this.name = "ClusterLockedError";
  }
}

export interface HeldLock {
  release(): Promise<void>;
}

/** Whether a process with this pid exists (EPERM: it does, but belongs to another user). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readLock(path: string): Promise<LockInfo | undefined> {
  try {
    // A sync read of a tiny file (see state/store.ts's read).
    return lockInfo(JSON.parse(readFileSync(path, "utf8")));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    // Unreadable content cannot name a live owner: treat like a stale lock.
    return { pid: 0, host: "unknown", startedAt: "unknown", command: "unknown" };
  }
}

/** Whether the lock's holder may still be running: a live pid on this host, or any other host. */
function holderMayBeAlive(holder: LockInfo, host = hostname()): boolean {
  if (holder.host === "unknown") return false;
  if (holder.host !== host) return true;
  return holder.pid > 0 && processAlive(holder.pid);
}

/** Who holds the cluster's lock now, if anyone alive does; never waits and never takes it. */
export async function liveLockHolder(path: string): Promise<LockInfo | undefined> {
  const holder = await readLock(path);
  return holder && holderMayBeAlive(holder) ? holder : undefined;
}

export async function acquireClusterLock(
  cluster: string,
  path: string,
  command: string,
  notice: (message: string) => void,
): Promise<HeldLock> {
  const me: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command };
  // node:crypto loads here, not with the module: `kina status` reads locks and never takes one.
  const { randomBytes } = await import("node:crypto");
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}`);
  try {
    await writeFile(temp, JSON.stringify(me), { mode: 0o600 });
  } catch (error) {
    const why = diskRefusal(error);
    if (!why) throw error;
    await rm(temp, { force: true }).catch(() => {});
    throw new Error(
      `cannot take the lock of cluster "${cluster}" (${path}): ${why}; nothing was changed. ` +
        `${diskRemedy(error, dirname(path)).replace(/^./, (c) => c.toUpperCase())} and run the command again.`,
      { cause: error },
    );
  }
  try {
    for (let tries = 0; tries < 3; tries++) {
      try {
        await link(temp, path);
        return {
          release: async () => {
            const current = await readLock(path);
            if (current?.pid !== me.pid || current.startedAt !== me.startedAt) return;
            try {
              await rm(path, { force: true });
            } catch (error) {
              // A disk gone read-only keeps the file; it names this process, which is about to
              // end, so the next command takes it over. The command's own error matters more.
              if (!diskRefusal(error)) throw error;
            }
          },
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      }
      const holder = await readLock(path);
      if (!holder) continue; // released between our link and our read: try again
      if (holderMayBeAlive(holder, me.host)) throw new ClusterLockedError(cluster, holder);
      notice(
        `taking over the lock of cluster "${cluster}" left by pid ${holder.pid} (${holder.command}, ` +
          `since ${holder.startedAt}): that process is gone`,
      );
      await rm(path, { force: true });
    }
    throw new Error(`could not take the lock ${path}: it keeps changing; is another kina starting?`);
  } finally {
    await rm(temp, { force: true });
  }
}
