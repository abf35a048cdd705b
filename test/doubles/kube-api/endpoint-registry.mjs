// Where a running fake apiserver really listens, keyed by its CA. admin.conf names https://<advertise-address>:6443,
// a VM address that does not exist on the test host, so in-"node" callers (the fake kubeadm join) look the real
// endpoint up here from the CA embedded in the kubeconfig they were given.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const registryDir = () => join(tmpdir(), "kina-fake-kube-api");
const fileFor = (caCert) => join(registryDir(), `${createHash("sha256").update(caCert).digest("hex")}.json`);

export function publishEndpoint(caCert, endpoint) {
  mkdirSync(registryDir(), { recursive: true });
  const file = fileFor(caCert);
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ ...endpoint, pid: process.pid }));
  renameSync(tmp, file);
}

export function withdrawEndpoint(caCert) {
  const file = fileFor(caCert);
  try {
    if (JSON.parse(readFileSync(file, "utf8")).pid === process.pid) rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}

/** `https://host:port` of the live server using this CA, or undefined. */
export function lookupEndpoint(caCert) {
  try {
    const { host, port, pid } = JSON.parse(readFileSync(fileFor(caCert), "utf8"));
    process.kill(pid, 0);
    return `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  } catch {
    return undefined;
  }
}
