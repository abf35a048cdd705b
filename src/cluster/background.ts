// `kina create --wait D`: when D runs out after the kubeconfig is exported, the rest of the chain
// (joins, CNI, addons) is handed to a detached `kina resume` so the user gets the shell back and
// follows it with `kina status NAME --graph`. The interrupted step is re-run by that resume, which
// is exactly what resume does after Ctrl-C.

import { spawn } from "node:child_process";
import { mkdirSync, openSync, closeSync } from "node:fs";
import { join } from "node:path";
import { liveLockHolder } from "../../state/lock.js";
import { clusterPaths } from "../../state/paths.js";
import { sleep } from "../engine/wait.js";

/**
 * Starts `kina resume NAME` detached (output in logs/background-resume.log) and returns once it
 * holds the cluster's lock, so a `kina status` right after the create sees the work in progress
 * rather than the interrupted step it left behind.
 */
export async function resumeInBackground(name: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { logs, lock } = clusterPaths(name, env);
  mkdirSync(logs, { recursive: true, mode: 0o700 });
  const logPath = join(logs, "background-resume.log");
  const fd = openSync(logPath, "a", 0o600);
  try {
    // The same Node and entry script as this process, so a global install and a clone both work.
    const child = spawn(process.execPath, [process.argv[1]!, "resume", name], {
      detached: true,
      stdio: ["ignore", fd, fd],
      env,
    });
    child.unref();
    let exited = false;
    child.once("exit", () => (exited = true));
    const never = new AbortController().signal;
    // Bounded (60 s, for a busy Mac): a resume that cannot start (it logs why) must not hang the create.
    for (let i = 0; i < 1200 && !exited && (await liveLockHolder(lock))?.pid !== child.pid; i++) await sleep(50, never);
  } finally {
    closeSync(fd);
  }
  return logPath;
}
