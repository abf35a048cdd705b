// Helpers for tests that need a running fake apiserver: start/stop in a temp dir, HTTPS calls with the admin
// credentials, a kubeconfig pointing at the real listen port, and watch streams consumed event by event.
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { parse, stringify } from "yaml";
import { readCredentials } from "./kubeconfig.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);

export async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export function runScript(script, args) {
  return run(process.execPath, [join(here, script), ...args]);
}

/** Starts a fake apiserver whose files all live under `dir`. */
export async function startFakeApi({ dir, nodeName = "kina-control-plane", advertiseAddress = "192.168.64.3", port, faults }) {
  const listenPort = port ?? (await freePort());
  const paths = {
    stateDir: join(dir, "state"), pkiDir: join(dir, "pki"), adminConf: join(dir, "admin.conf"),
    faults: faults ?? join(dir, "faults.json"), hostKubeconfig: join(dir, "host-kubeconfig"),
  };
  const args = ["--state-dir", paths.stateDir, "--pki-dir", paths.pkiDir, "--admin-conf", paths.adminConf,
    "--listen-host", "127.0.0.1", "--listen-port", String(listenPort), "--advertise-address", advertiseAddress,
    "--node-name", nodeName, "--faults", paths.faults];
  await runScript("start.mjs", args);
  const server = `https://127.0.0.1:${listenPort}`;
  // What kina's kubeconfigExported step does: same credentials, host-side endpoint.
  const config = parse(readFileSync(paths.adminConf, "utf8"));
  config.clusters[0].cluster.server = server;
  writeFileSync(paths.hostKubeconfig, stringify(config), { mode: 0o600 });
  return {
    ...paths, port: listenPort, server, nodeName, advertiseAddress,
    pid: () => Number(readFileSync(join(paths.stateDir, "apiserver.pid"), "utf8")),
    restart: () => runScript("start.mjs", args),
    stop: () => runScript("stop.mjs", ["--state-dir", paths.stateDir]),
  };
}

function tlsOptions(api, credentials) {
  const c = credentials ?? readCredentials(api.adminConf);
  return { host: "127.0.0.1", port: api.port, ca: c.ca, cert: c.cert, key: c.key, servername: "localhost" };
}

/** One request; resolves { status, body } with body parsed as JSON when possible. */
export function call(api, method, path, { body, contentType = "application/json", credentials, accept = "application/json" } = {}) {
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({
      ...tlsOptions(api, credentials), method, path,
      headers: { Accept: accept, ...(payload !== undefined ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) } : {}) },
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed = text;
        try {
          parsed = JSON.parse(text);
        } catch {
          // plain-text endpoints such as /readyz
        }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/**
 * Opens a watch; `next(predicate)` resolves with the first event (buffered or future) matching it.
 * Call `close()` when done.
 */
export function openWatch(api, path) {
  const buffered = [];
  const waiters = [];
  let failure;
  let req;
  const deliver = (event) => {
    const index = waiters.findIndex((w) => w.predicate(event));
    if (index === -1) buffered.push(event);
    else waiters.splice(index, 1)[0].resolve(event);
  };
  const ready = new Promise((resolve, reject) => {
    req = request({ ...tlsOptions(api), method: "GET", path, headers: { Accept: "application/json" } }, (res) => {
      let pending = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => {
        pending += chunk;
        let newline;
        while ((newline = pending.indexOf("\n")) !== -1) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (line.trim()) deliver(JSON.parse(line));
        }
      });
      resolve(res);
    });
    req.on("error", (error) => {
      failure = error;
      for (const w of waiters.splice(0)) w.reject(error);
      reject(error);
    });
    req.end();
  });
  return {
    ready,
    next(predicate) {
      const index = buffered.findIndex(predicate);
      if (index !== -1) return Promise.resolve(buffered.splice(index, 1)[0]);
      if (failure) return Promise.reject(failure);
      return new Promise((resolve, reject) => waiters.push({ predicate, resolve, reject }));
    },
    close: () => req.destroy(),
  };
}
