#!/usr/bin/env node
// Starts the fake apiserver detached: PKI and admin.conf first (kept if present), then the server process,
// then waits until it completes a TLS handshake. Exits 0 at once when one is already running for this state dir.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, closeSync } from "node:fs";
import { connect } from "node:tls";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { SERVER_FLAGS, parseFlags, requireFlags } from "./args.mjs";
import { renderAdminConf, writeAdminConf } from "./kubeconfig.mjs";
import { ensurePki } from "./pki.mjs";
import { isServerAlive, pidFileIn, readPid, sleep } from "./process.mjs";

const STARTUP_LIMIT_MS = 20_000;
const here = dirname(fileURLToPath(import.meta.url));

function handshake(host, port, pki) {
  return new Promise((resolve) => {
    const socket = connect({ host, port, ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey, servername: "localhost" });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("secureConnect", () => done(true));
    socket.once("error", () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

async function main() {
  const flags = parseFlags(process.argv.slice(2), SERVER_FLAGS);
  requireFlags(flags, ["state-dir", "pki-dir", "admin-conf", "listen-port", "advertise-address", "node-name"]);
  const stateDir = flags["state-dir"];
  mkdirSync(stateDir, { recursive: true });
  if (isServerAlive(readPid(stateDir))) return 0;

  const pki = ensurePki({ dir: flags["pki-dir"], advertiseAddress: flags["advertise-address"], nodeName: flags["node-name"] });
  if (!existsSync(flags["admin-conf"])) {
    writeAdminConf(flags["admin-conf"], renderAdminConf({
      server: `https://${flags["advertise-address"]}:6443`, caCert: pki.caCert, adminCert: pki.adminCert, adminKey: pki.adminKey,
    }));
  }

  const logFile = join(stateDir, "apiserver.log");
  const logFd = openSync(logFile, "a");
  const args = [join(here, "server.mjs")];
  for (const name of SERVER_FLAGS) if (flags[name] !== undefined && name !== "admin-conf") args.push(`--${name}`, flags[name]);
  const child = spawn(process.execPath, args, { detached: true, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  let exited = null;
  child.once("exit", (code, signal) => { exited = signal ?? `exit code ${code}`; });
  child.unref();

  const host = flags["listen-host"] ?? "127.0.0.1";
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  while (Date.now() < deadline && exited === null) {
    if (await handshake(host, Number(flags["listen-port"]), pki)) {
      const pidFile = pidFileIn(stateDir);
      const tmp = `${pidFile}.tmp-${process.pid}`;
      writeFileSync(tmp, `${child.pid}\n`);
      renameSync(tmp, pidFile);
      return 0;
    }
    await sleep(50);
  }
  if (exited === null) process.kill(child.pid, "SIGTERM");
  const tail = readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n");
  process.stderr.write(`fake kube-apiserver did not start (${exited ?? "timed out"}); log ${logFile}:\n${tail}\n`);
  return 1;
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`start.mjs: ${error.message}\n`);
  process.exit(1);
});
