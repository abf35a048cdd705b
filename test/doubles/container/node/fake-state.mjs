// Bookkeeping of the fake node (unit states, iptables rules, images, kubeadm progress) lives in the
// node's own rootfs, the way the real programs keep theirs on the node's disk. Several `container
// exec` calls may hit one node at once, so read-modify-write goes through a mkdir lock.
import fs from "node:fs";
import path from "node:path";
import { hostPath } from "./rootfs.mjs";

export const FAKE_STATE_DIR = "/var/lib/fake-node";

const LOCK_STALE_MS = 10_000;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

function stateFile(rootfs, name) {
  return hostPath(rootfs, `${FAKE_STATE_DIR}/${name}`);
}

export function readState(rootfs, name, fallback) {
  try {
    return JSON.parse(fs.readFileSync(stateFile(rootfs, name), "utf8"));
  } catch (err) {
    if (err && err.code === "ENOENT") return typeof fallback === "function" ? fallback() : fallback;
    throw err;
  }
}

function writeAtomic(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function writeState(rootfs, name, value) {
  writeAtomic(stateFile(rootfs, name), JSON.stringify(value, null, 2) + "\n");
}

/** Runs `fn(current)` under the node-wide state lock and stores what it returns. */
export function updateState(rootfs, name, fallback, fn) {
  return withLock(rootfs, () => {
    const next = fn(readState(rootfs, name, fallback));
    writeState(rootfs, name, next);
    return next;
  });
}

export function withLock(rootfs, fn) {
  const lock = stateFile(rootfs, ".lock");
  fs.mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (err) {
      if (err.code !== "EEXIST") throw err;
      try {
        if (Date.now() - fs.statSync(lock).mtimeMs > LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
      } catch {
        // Someone else removed it meanwhile; just retry.
      }
      Atomics.wait(sleeper, 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Appends one JSON line to a log kept in the fake state dir. */
export function appendStateLine(rootfs, name, record) {
  const file = stateFile(rootfs, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.appendFileSync(file, JSON.stringify(record) + "\n");
}

export function readStateLines(rootfs, name) {
  let text;
  try {
    text = fs.readFileSync(stateFile(rootfs, name), "utf8");
  } catch (err) {
    if (err.code === "ENOENT") return [];
    throw err;
  }
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));
}
