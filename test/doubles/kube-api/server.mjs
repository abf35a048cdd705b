// The fake apiserver process. Started detached by start.mjs; exits when its pid file goes away, when it has been
// idle too long, or on SIGTERM/SIGINT, so a forgotten instance never outlives a test run.
import { createServer } from "node:https";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_KUBERNETES_VERSION, SERVER_FLAGS, parseFlags, requireFlags } from "./args.mjs";
import { createApi } from "./api.mjs";
import { publishEndpoint, withdrawEndpoint } from "./endpoint-registry.mjs";
import { readPki } from "./pki.mjs";
import { seedObjects } from "./seed.mjs";
import { ObjectStore } from "./store.mjs";

const flags = parseFlags(process.argv.slice(2), SERVER_FLAGS);
requireFlags(flags, ["state-dir", "pki-dir", "listen-port", "advertise-address", "node-name"]);
const stateDir = flags["state-dir"];
const pidFile = join(stateDir, "apiserver.pid");
const idleLimitMs = Number(process.env.KINA_FAKE_KUBE_API_IDLE_SECONDS ?? 600) * 1000;
const kubernetesVersion = flags["kubernetes-version"] ?? process.env.KINA_FAKE_KUBERNETES_VERSION ?? DEFAULT_KUBERNETES_VERSION;
const log = (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

mkdirSync(stateDir, { recursive: true });
const pki = readPki(flags["pki-dir"]);
const store = new ObjectStore(join(stateDir, "objects.json"));
const api = createApi({ store, faultsFile: flags.faults, advertiseAddress: flags["advertise-address"], kubernetesVersion, log });
// The marker is written after the last seed object, so a crash mid-seed is finished on the next start.
const seededMarker = join(stateDir, "seeded");
if (!existsSync(seededMarker)) {
  api.seed(seedObjects({ nodeName: flags["node-name"], advertiseAddress: flags["advertise-address"], kubernetesVersion, caCert: pki.caCert }));
  writeFileSync(seededMarker, "");
}
api.reconcileNow();
// Kubelets post status on their own: re-judge the nodes (and what depends on them) a few times a
// second, so a VM that stops or comes back shows up without any API write.
setInterval(() => api.reconcileNow(), 250).unref();

const server = createServer({
  key: pki.serverKey, cert: pki.serverCert, ca: pki.caCert, requestCert: true, rejectUnauthorized: true,
}, (req, res) => void api.handle(req, res));
server.keepAliveTimeout = 30_000;

let stopping = false;
function shutdown(reason) {
  if (stopping) return;
  stopping = true;
  log(`shutting down: ${reason}`);
  withdrawEndpoint(pki.caCert);
  try {
    if (Number(readFileSync(pidFile, "utf8").trim()) === process.pid) rmSync(pidFile);
  } catch {
    // Already removed by whoever asked us to stop.
  }
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
}

process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));

server.on("error", (error) => {
  log(`server error: ${error.message}`);
  process.exit(1);
});

server.listen(Number(flags["listen-port"]), flags["listen-host"] ?? "127.0.0.1", () => {
  const tmp = `${pidFile}.tmp-${process.pid}`;
  writeFileSync(tmp, `${process.pid}\n`);
  renameSync(tmp, pidFile);
  publishEndpoint(pki.caCert, { host: flags["listen-host"] ?? "127.0.0.1", port: server.address().port });
  log(`listening on ${flags["listen-host"] ?? "127.0.0.1"}:${server.address().port}`);

  setInterval(() => api.pollFaults(), 200);
  setInterval(() => {
    let owner;
    try {
      owner = Number(readFileSync(pidFile, "utf8").trim());
    } catch {
      owner = undefined;
    }
    if (owner !== process.pid) shutdown("pid file removed or taken over");
    else if (Date.now() - api.idleSince() > idleLimitMs) shutdown("idle limit reached");
  }, 500);
});
