// The files kubeadm leaves on a node: static pod manifests, kubeconfigs, kubelet config, shared
// CA material. Their content matters where kina reads or rewrites it (advertise address, server URL).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { execFileSync } from "node:child_process";
import YAML from "yaml";
import { hostPath, writeNodeFile, existsNode, statNode } from "../rootfs.mjs";

export const MANIFESTS = ["kube-apiserver.yaml", "kube-controller-manager.yaml", "kube-scheduler.yaml", "etcd.yaml"];
export const KUBECONFIG_FILES = ["admin.conf", "super-admin.conf", "kubelet.conf", "bootstrap-kubelet.conf", "controller-manager.conf", "scheduler.conf"];
/** Certificates control planes must share (kind copies these before a control-plane join). */
export const SHARED_PKI = ["ca.crt", "ca.key", "sa.key", "sa.pub", "front-proxy-ca.crt", "front-proxy-ca.key", "etcd/ca.crt", "etcd/ca.key"];

function staticPod(name, image, command, annotations = {}) {
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { annotations, labels: { component: name, tier: "control-plane" }, name, namespace: "kube-system" },
    spec: {
      containers: [{ command, image, imagePullPolicy: "IfNotPresent", name }],
      hostNetwork: true,
      priority: 2000001000,
      priorityClassName: "system-node-critical",
    },
  });
}

export function writeManifests(rootfs, p) {
  const v = p.kubernetesVersion;
  const files = {
    "kube-apiserver.yaml": staticPod(
      "kube-apiserver",
      `registry.k8s.io/kube-apiserver:${v}`,
      [
        "kube-apiserver",
        `--advertise-address=${p.advertiseAddress}`,
        "--allow-privileged=true",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--etcd-servers=https://127.0.0.1:2379",
        "--secure-port=6443",
        `--service-cluster-ip-range=${p.serviceSubnet}`,
        "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
        ...Object.entries(p.apiServerArgs).map(([k, val]) => `--${k}=${val}`),
      ],
      { "kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": `${p.advertiseAddress}:6443` },
    ),
    "kube-controller-manager.yaml": staticPod("kube-controller-manager", `registry.k8s.io/kube-controller-manager:${v}`, [
      "kube-controller-manager",
      "--allocate-node-cidrs=true",
      ...(p.podSubnet ? [`--cluster-cidr=${p.podSubnet}`] : []),
      "--kubeconfig=/etc/kubernetes/controller-manager.conf",
      `--service-cluster-ip-range=${p.serviceSubnet}`,
      ...Object.entries(p.controllerManagerArgs).map(([k, val]) => `--${k}=${val}`),
    ]),
    "kube-scheduler.yaml": staticPod("kube-scheduler", `registry.k8s.io/kube-scheduler:${v}`, [
      "kube-scheduler",
      "--kubeconfig=/etc/kubernetes/scheduler.conf",
    ]),
    "etcd.yaml": staticPod(
      "etcd",
      "registry.k8s.io/etcd:3.6.5-0",
      [
        "etcd",
        `--advertise-client-urls=https://${p.advertiseAddress}:2379`,
        "--data-dir=/var/lib/etcd",
        `--initial-advertise-peer-urls=https://${p.advertiseAddress}:2380`,
        `--listen-client-urls=https://127.0.0.1:2379,https://${p.advertiseAddress}:2379`,
        `--name=${p.nodeName}`,
      ],
      { "kubeadm.kubernetes.io/etcd.advertise-client-urls": `https://${p.advertiseAddress}:2379` },
    ),
  };
  for (const [name, text] of Object.entries(files)) writeNodeFile(rootfs, `/etc/kubernetes/manifests/${name}`, text, 0o600);
  fs.mkdirSync(hostPath(rootfs, "/var/lib/etcd/member/snap"), { recursive: true });
  writeNodeFile(rootfs, "/var/lib/etcd/member/snap/db", "fake etcd data\n", 0o600);
}

/** A kubeconfig shaped like kubeadm's, for the components that are not talked to in the fake. */
export function componentKubeconfig(server, user, caData) {
  return YAML.stringify({
    apiVersion: "v1",
    clusters: [{ cluster: { "certificate-authority-data": caData, server }, name: "kubernetes" }],
    contexts: [{ context: { cluster: "kubernetes", user }, name: `${user}@kubernetes` }],
    "current-context": `${user}@kubernetes`,
    kind: "Config",
    preferences: {},
    users: [{ name: user, user: { "client-certificate": "/var/lib/kubelet/pki/kubelet-client-current.pem", "client-key": "/var/lib/kubelet/pki/kubelet-client-current.pem" } }],
  });
}

export function caData(rootfs) {
  try {
    return fs.readFileSync(hostPath(rootfs, "/etc/kubernetes/pki/ca.crt")).toString("base64");
  } catch {
    return "";
  }
}

export function writeComponentKubeconfigs(rootfs, server, names) {
  const ca = caData(rootfs);
  const users = {
    "kubelet.conf": "system:node",
    "controller-manager.conf": "system:kube-controller-manager",
    "scheduler.conf": "system:kube-scheduler",
    "super-admin.conf": "kubernetes-super-admin",
  };
  for (const name of names) writeNodeFile(rootfs, `/etc/kubernetes/${name}`, componentKubeconfig(server, users[name], ca), 0o600);
}

export function writeKubeletFiles(rootfs, p) {
  const config = {
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    cgroupDriver: "systemd",
    ...(p.kubelet ?? {}),
  };
  writeNodeFile(rootfs, "/var/lib/kubelet/config.yaml", YAML.stringify(config));
  const args = { "container-runtime-endpoint": p.criSocket, "node-ip": p.nodeIp, ...p.kubeletArgs };
  const flags = Object.entries(args)
    .map(([k, v]) => `--${k}=${v}`)
    .join(" ");
  writeNodeFile(rootfs, "/var/lib/kubelet/kubeadm-flags.env", `KUBELET_KUBEADM_ARGS="${flags}"\n`);
}

function openssl(args) {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** A self-signed CA (kubeadm makes ca, front-proxy-ca and etcd/ca this way). */
export function writeCa(rootfs, base, commonName) {
  const crt = hostPath(rootfs, `/etc/kubernetes/pki/${base}.crt`);
  const key = hostPath(rootfs, `/etc/kubernetes/pki/${base}.key`);
  if (fs.existsSync(crt) && fs.existsSync(key)) return;
  fs.mkdirSync(path.dirname(crt), { recursive: true });
  try {
    openssl([
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", key, "-out", crt, "-days", "3650", "-subj", `/CN=${commonName}`,
      "-addext", "basicConstraints=critical,CA:TRUE",
      "-addext", "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign",
    ]);
    fs.chmodSync(key, 0o600);
  } catch {
    // Without openssl the files still exist so copies and existence checks behave; nothing parses them.
    fs.writeFileSync(crt, `-----BEGIN CERTIFICATE-----\n${crypto.randomBytes(48).toString("base64")}\n-----END CERTIFICATE-----\n`);
    fs.writeFileSync(key, `-----BEGIN PRIVATE KEY-----\n${crypto.randomBytes(48).toString("base64")}\n-----END PRIVATE KEY-----\n`, { mode: 0o600 });
  }
}

export function writeServiceAccountKeys(rootfs) {
  if (existsNode(rootfs, "/etc/kubernetes/pki/sa.key")) return;
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  writeNodeFile(rootfs, "/etc/kubernetes/pki/sa.key", privateKey.export({ type: "pkcs8", format: "pem" }), 0o600);
  writeNodeFile(rootfs, "/etc/kubernetes/pki/sa.pub", publicKey.export({ type: "spki", format: "pem" }));
}

/** kubeadm's discovery hash: sha256 over the CA certificate's SubjectPublicKeyInfo. */
export function caCertHash(rootfs) {
  const st = statNode(rootfs, "/etc/kubernetes/pki/ca.crt");
  if (!st) return null;
  try {
    const cert = new crypto.X509Certificate(fs.readFileSync(hostPath(rootfs, "/etc/kubernetes/pki/ca.crt")));
    const spki = cert.publicKey.export({ type: "spki", format: "der" });
    return `sha256:${crypto.createHash("sha256").update(spki).digest("hex")}`;
  } catch {
    return null;
  }
}

export function copySharedPki(fromRootfs, toRootfs) {
  for (const rel of SHARED_PKI) {
    const src = hostPath(fromRootfs, `/etc/kubernetes/pki/${rel}`);
    if (!fs.existsSync(src)) continue;
    writeNodeFile(toRootfs, `/etc/kubernetes/pki/${rel}`, fs.readFileSync(src), rel.endsWith(".key") ? 0o600 : 0o644);
  }
}
