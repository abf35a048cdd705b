// Certificates the fake apiserver needs, made with the openssl CLI the way kubeadm lays them out.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { isIP } from "node:net";

function openssl(args) {
  const result = spawnSync("openssl", args, { encoding: "utf8" });
  if (result.error) throw new Error(`cannot run openssl: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`openssl ${args[0]} failed: ${result.stderr.trim()}`);
}

function serial() {
  return `0x${randomBytes(16).toString("hex").replace(/^[89a-f]/, "1")}`;
}

function signLeaf({ dir, base, subject, extensions, days = 365 }) {
  const key = join(dir, `${base}.key`);
  const csr = join(dir, `${base}.csr`);
  const ext = join(dir, `${base}.ext`);
  openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", subject]);
  writeFileSync(ext, extensions.join("\n") + "\n");
  try {
    openssl([
      "x509", "-req", "-in", csr, "-CA", join(dir, "ca.crt"), "-CAkey", join(dir, "ca.key"),
      "-set_serial", serial(), "-days", String(days), "-sha256", "-extfile", ext, "-out", join(dir, `${base}.crt`),
    ]);
  } finally {
    rmSync(csr, { force: true });
    rmSync(ext, { force: true });
  }
  chmodSync(key, 0o600);
}

export function apiserverSANs({ advertiseAddress, nodeName }) {
  const names = ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local", nodeName];
  const ips = ["127.0.0.1", "10.96.0.1", advertiseAddress];
  const entries = [];
  for (const value of [...names, ...ips]) {
    if (!value) continue;
    const entry = isIP(value) ? `IP:${value}` : `DNS:${value}`;
    if (!entries.includes(entry)) entries.push(entry);
  }
  return entries;
}

/** Creates whatever of ca, apiserver and admin certificates is missing in `dir`; existing files are kept. */
export function ensurePki({ dir, advertiseAddress, nodeName }) {
  mkdirSync(dir, { recursive: true });
  const ca = join(dir, "ca.crt");
  if (!existsSync(ca) || !existsSync(join(dir, "ca.key"))) {
    openssl([
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "ca.key"), "-out", ca,
      "-days", "3650", "-sha256", "-subj", "/CN=kubernetes",
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
    ]);
    chmodSync(join(dir, "ca.key"), 0o600);
    // A new CA invalidates every leaf signed by an older one.
    for (const f of ["apiserver.crt", "apiserver.key", "admin.crt", "admin.key"]) rmSync(join(dir, f), { force: true });
  }
  if (!existsSync(join(dir, "apiserver.crt")) || !existsSync(join(dir, "apiserver.key"))) {
    signLeaf({
      dir, base: "apiserver", subject: "/CN=kube-apiserver",
      extensions: [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        `subjectAltName=${apiserverSANs({ advertiseAddress, nodeName }).join(",")}`,
      ],
    });
  }
  if (!existsSync(join(dir, "admin.crt")) || !existsSync(join(dir, "admin.key"))) {
    signLeaf({
      dir, base: "admin", subject: "/O=system:masters/CN=kubernetes-admin",
      extensions: ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=clientAuth"],
    });
  }
  return readPki(dir);
}

export function readPki(dir) {
  const read = (f) => readFileSync(join(dir, f));
  return {
    caCert: read("ca.crt"),
    serverCert: read("apiserver.crt"),
    serverKey: read("apiserver.key"),
    adminCert: read("admin.crt"),
    adminKey: read("admin.key"),
  };
}

/** Test helper: a CA and client certificate that the fake apiserver must not trust. */
export function makeForeignClient(dir) {
  ensurePki({ dir, advertiseAddress: "127.0.0.1", nodeName: "foreign" });
  return { cert: readFileSync(join(dir, "admin.crt")), key: readFileSync(join(dir, "admin.key")) };
}
