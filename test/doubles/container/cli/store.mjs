// The double's persistent "apiserver" state: one JSON document under $KINA_FAKE_CONTAINER_STATE,
// replaced atomically (write temp + rename) and mutated only while holding a mkdir-based lock,
// because kina runs several `container` processes at once.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { join } from "node:path";
import { isoNow } from "./json.mjs";

export const STATE_FILE = "state.json";
export const BUILD_LOG = "build.log";

export function stateDirFromEnv(env = process.env) {
  const dir = env.KINA_FAKE_CONTAINER_STATE;
  return dir && dir.length > 0 ? dir : null;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms) {
  Atomics.wait(sleeper, 0, 0, ms);
}

function ownerIsGone(lockDir) {
  try {
    const pid = Number(readFileSync(join(lockDir, "owner"), "utf8"));
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return false;
  } catch (error) {
    if (error.code === "ESRCH") return true;
    if (error.code === "ENOENT") {
      // Owner file not written yet: only a lock left behind long ago counts as abandoned.
      try {
        return Date.now() - statSync(lockDir).mtimeMs > 5000;
      } catch {
        return false;
      }
    }
    return false;
  }
}

/** Runs `fn` while holding `$STATE/.lock`; a lock whose owner process died is taken over. */
export function withLock(dir, fn) {
  const lockDir = join(dir, ".lock");
  const deadline = Date.now() + 60_000;
  for (let attempt = 0; ; attempt++) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, "owner"), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    if (ownerIsGone(lockDir)) {
      const aside = `${lockDir}.stale.${process.pid}`;
      try {
        renameSync(lockDir, aside);
        rmSync(aside, { recursive: true, force: true });
      } catch {
        // Another process took it over first; just retry.
      }
      continue;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for the state lock ${lockDir}`);
    sleepMs(1 + (attempt % 8));
  }
  try {
    return fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function emptyState() {
  return { version: 1, createdAt: isoNow(), containers: {}, images: {}, networks: {}, ipam: {} };
}

export function readState(dir) {
  const file = join(dir, STATE_FILE);
  if (!existsSync(file)) return emptyState();
  return JSON.parse(readFileSync(file, "utf8"));
}

export function writeState(dir, state) {
  const file = join(dir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 1)}\n`);
  renameSync(tmp, file);
}

/** Locked read-modify-write; `fn(state)` mutates in place and its result is returned. */
export function mutate(dir, fn) {
  return withLock(dir, () => {
    const state = readState(dir);
    const result = fn(state);
    writeState(dir, state);
    return result;
  });
}

export function containerDir(dir, id) {
  return join(dir, "containers", id);
}

export function rootfsDir(dir, id) {
  return join(containerDir(dir, id), "rootfs");
}

/** Appends one JSON line describing a `container build` invocation. */
export function recordBuild(dir, entry) {
  appendFileSync(join(dir, BUILD_LOG), `${JSON.stringify(entry)}\n`);
}

/** For tests: every recorded `container build` invocation, oldest first. */
export function readBuilds(dir) {
  const file = join(dir, BUILD_LOG);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((line) => JSON.parse(line));
}
