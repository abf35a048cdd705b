// Pid-file helpers shared by start.mjs and stop.mjs.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const pidFileIn = (stateDir) => join(stateDir, "apiserver.pid");

export function readPid(stateDir) {
  try {
    const pid = Number(readFileSync(pidFileIn(stateDir), "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** True when `pid` is alive and (where /proc tells us) is a fake apiserver, not a recycled pid. */
export function isServerAlive(pid) {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (e.code !== "EPERM") return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (existsSync("/proc/self/cmdline")) {
    try {
      return readFileSync(cmdline, "utf8").includes("kube-api/server.mjs");
    } catch {
      return false;
    }
  }
  return true;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
