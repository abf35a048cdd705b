#!/usr/bin/env node
// Stops the fake apiserver of a state dir and waits for it to exit; succeeds when none is running.
import { rmSync } from "node:fs";
import { parseFlags, requireFlags } from "./args.mjs";
import { isServerAlive, pidFileIn, readPid, sleep } from "./process.mjs";

const STOP_LIMIT_MS = 10_000;

async function main() {
  const flags = parseFlags(process.argv.slice(2), ["state-dir"]);
  requireFlags(flags, ["state-dir"]);
  const pid = readPid(flags["state-dir"]);
  if (isServerAlive(pid)) {
    process.kill(pid, "SIGTERM");
    const deadline = Date.now() + STOP_LIMIT_MS;
    while (isServerAlive(pid) && Date.now() < deadline) await sleep(25);
    if (isServerAlive(pid)) process.kill(pid, "SIGKILL");
    while (isServerAlive(pid)) await sleep(25);
  }
  rmSync(pidFileIn(flags["state-dir"]), { force: true });
  return 0;
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`stop.mjs: ${error.message}\n`);
  process.exit(1);
});
