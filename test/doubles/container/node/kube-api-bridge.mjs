// How the fake kubeadm reaches the fake Kubernetes API server (test/doubles/kube-api/): start and
// stop it as separate processes, and register nodes through its client module.
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const START_TIMEOUT_MS = 60_000;

/** Folder with start.mjs, stop.mjs and client.mjs; tests may point KINA_FAKE_KUBE_API_DIR at stubs. */
export function kubeApiDir() {
  return process.env.KINA_FAKE_KUBE_API_DIR || path.resolve(here, "../../kube-api");
}

function script(name) {
  const file = path.join(kubeApiDir(), name);
  return fs.existsSync(file) ? file : null;
}

// Resolves on the child's exit, not on stream close: start.mjs leaves a detached server behind
// that might still hold an inherited pipe.
function runNode(file, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => {
      stderr += `\n${path.basename(file)} did not exit within ${timeoutMs / 1000}s`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, stdout, stderr: stderr + err.message });
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({ exitCode: code ?? 128 + (signal === "SIGKILL" ? 9 : 15), stdout, stderr });
    });
  });
}

export async function startApiServer(opts) {
  const file = script("start.mjs");
  if (!file) return { exitCode: 127, stdout: "", stderr: `fake kube-api start script not found in ${kubeApiDir()}` };
  const args = [
    "--state-dir", opts.stateDir,
    "--pki-dir", opts.pkiDir,
    "--admin-conf", opts.adminConf,
    "--listen-host", "127.0.0.1",
    "--listen-port", String(opts.listenPort),
    "--advertise-address", opts.advertiseAddress,
    "--node-name", opts.nodeName,
  ];
  if (opts.faults) args.push("--faults", opts.faults);
  return runNode(file, args, START_TIMEOUT_MS);
}

export async function stopApiServer(stateDir) {
  const file = script("stop.mjs");
  if (file) return runNode(file, ["--state-dir", stateDir], START_TIMEOUT_MS);
  // Without the helper, still make sure no server outlives a reset.
  try {
    const pid = Number(fs.readFileSync(path.join(stateDir, "apiserver.pid"), "utf8").trim());
    if (pid > 0) process.kill(pid, "SIGTERM");
  } catch {
    // nothing running
  }
  return { exitCode: 0, stdout: "", stderr: "" };
}

export async function registerNode(params) {
  const file = script("client.mjs");
  if (!file) throw new Error(`fake kube-api client not found in ${kubeApiDir()}`);
  const mod = await import(pathToFileURL(file).href);
  if (typeof mod.registerNode !== "function") throw new Error(`${file} does not export registerNode`);
  return mod.registerNode(params);
}
