// admin.conf in the exact shape kubeadm writes (clientcmd's serialisation order).
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parse } from "yaml";

const b64 = (buf) => Buffer.from(buf).toString("base64");

export function renderAdminConf({ server, caCert, adminCert, adminKey }) {
  return [
    "apiVersion: v1",
    "clusters:",
    "- cluster:",
    `    certificate-authority-data: ${b64(caCert)}`,
    `    server: ${server}`,
    "  name: kubernetes",
    "contexts:",
    "- context:",
    "    cluster: kubernetes",
    "    user: kubernetes-admin",
    "  name: kubernetes-admin@kubernetes",
    "current-context: kubernetes-admin@kubernetes",
    "kind: Config",
    "preferences: {}",
    "users:",
    "- name: kubernetes-admin",
    "  user:",
    `    client-certificate-data: ${b64(adminCert)}`,
    `    client-key-data: ${b64(adminKey)}`,
    "",
  ].join("\n");
}

export function writeAdminConf(path, content) {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

/** Reads the current context's server and credentials out of a kubeconfig file. */
export function readCredentials(path) {
  const config = parse(readFileSync(path, "utf8"));
  const context = config.contexts.find((c) => c.name === config["current-context"]).context;
  const cluster = config.clusters.find((c) => c.name === context.cluster).cluster;
  const user = config.users.find((u) => u.name === context.user).user;
  const decode = (v) => Buffer.from(v, "base64");
  return {
    server: cluster.server,
    ca: decode(cluster["certificate-authority-data"]),
    cert: decode(user["client-certificate-data"]),
    key: decode(user["client-key-data"]),
  };
}
