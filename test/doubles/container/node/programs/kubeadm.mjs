// A fake kubeadm for kindest/node-based nodes: init, reset, token create, join and version, with
// the preflight and configuration errors kina must handle (e.g. init twice without reset).
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ok, fail } from "../result.mjs";
import { readState, updateState } from "../fake-state.mjs";
import { existsNode, hostPath, readNodeText, removeNode, statNode } from "../rootfs.mjs";
import { findNodeByHost } from "../cluster.mjs";
import { resolveHost } from "../hosts.mjs";
import { registerNode, startApiServer, stopApiServer } from "../kube-api-bridge.mjs";
import { setUnit, socketPresent } from "./systemctl.mjs";
import { argsMap, KubeadmConfigError, parseKubeadmConfig, TOKEN_RE } from "./kubeadm-config.mjs";
import {
  caCertHash, copySharedPki, KUBECONFIG_FILES, MANIFESTS, SHARED_PKI, writeCa, writeComponentKubeconfigs,
  writeKubeletFiles, writeManifests, writeServiceAccountKeys,
} from "./kubeadm-files.mjs";

const STATE = "kubeadm.json";
export const DEFAULT_TOKEN = "abcdef.0123456789abcdef";
const CRI_SOCKET = "unix:///run/containerd/containerd.sock";
const STACK_HINT = "To see the stack trace of this error execute with --v=5 or higher";

class KubeadmError extends Error {
  constructor(message, stdout = "") {
    super(message);
    this.stdout = stdout;
  }
}

// ---- flags (cobra/pflag style) ----

function parseFlags(args, spec) {
  const flags = {};
  const positional = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("-") || a === "-") {
      positional.push(a);
      continue;
    }
    let name;
    let value;
    if (a.startsWith("--")) {
      const eq = a.indexOf("=");
      name = eq === -1 ? a.slice(2) : a.slice(2, eq);
      value = eq === -1 ? undefined : a.slice(eq + 1);
    } else {
      name = spec.short?.[a.slice(1, 2)];
      if (!name) throw new KubeadmError(`unknown shorthand flag: '${a.slice(1, 2)}' in ${a}`);
      value = a.length > 2 ? a.slice(2).replace(/^=/, "") : undefined;
    }
    const type = spec.flags[name];
    if (!type) throw new KubeadmError(`unknown flag: --${name}`);
    if (type === "bool") {
      flags[name] = value === undefined ? true : value === "true";
      continue;
    }
    if (value === undefined) {
      if (i + 1 >= args.length) throw new KubeadmError(`flag needs an argument: --${name}`);
      value = args[++i];
    }
    if (type === "list") flags[name] = [...(flags[name] ?? []), ...value.split(",").filter(Boolean)];
    else flags[name] = value;
  }
  return { flags, positional };
}

const COMMON = { v: "string", "cri-socket": "string", "skip-phases": "list", "ignore-preflight-errors": "list", "dry-run": "bool" };

// ---- helpers ----

function kubeadmVersion(rootfs) {
  try {
    return readNodeText(rootfs, "/kind/version").trim();
  } catch {
    return "v1.35.5";
  }
}

function loadConfig(ctx, file) {
  if (!file) return parseKubeadmConfig("");
  const st = statNode(ctx.rootfs, path.posix.resolve("/", file));
  if (!st || !st.isFile()) throw new KubeadmError(`unable to read config from "${file}" : open ${file}: no such file or directory`);
  try {
    return parseKubeadmConfig(readNodeText(ctx.rootfs, path.posix.resolve("/", file)));
  } catch (err) {
    if (err instanceof KubeadmConfigError) {
      throw new KubeadmError(err.message.startsWith("json:") ? `error unmarshaling JSON: while decoding JSON: ${err.message}` : err.message);
    }
    throw err;
  }
}

function rejectMixing(flags, allowed) {
  const mixed = Object.keys(flags).filter((f) => !allowed.includes(f) && f !== "config");
  if (flags.config && mixed.length) throw new KubeadmError(`can not mix '--config' with arguments [${mixed.sort().join(" ")}]`);
}

function preflight(checks, ignore) {
  const ignoreAll = ignore.some((i) => i.toLowerCase() === "all");
  const ignored = new Set(ignore.map((i) => i.toLowerCase()));
  const errors = [];
  let warnings = "";
  for (const c of checks) {
    if (ignoreAll || ignored.has(c.name.toLowerCase())) warnings += `\t[WARNING ${c.name}]: ${c.message}\n`;
    else errors.push(c);
  }
  if (errors.length) {
    throw new KubeadmError(
      "error execution phase preflight: [preflight] Some fatal errors occurred:\n" +
        errors.map((c) => `\t[ERROR ${c.name}]: ${c.message}\n`).join("") +
        "[preflight] If you know what you are doing, you can make a check non-fatal with `--ignore-preflight-errors=...`",
      warnings,
    );
  }
  return warnings;
}

function criCheck(rootfs) {
  if (socketPresent(rootfs)) return [];
  return [
    {
      name: "CRI",
      message:
        'could not connect to the container runtime: failed to create new CRI runtime service: validate service connection: validate CRI v1 runtime API for endpoint "unix:///run/containerd/containerd.sock": rpc error: code = Unavailable desc = connection error: desc = "transport: Error while dialing: dial unix /run/containerd/containerd.sock: connect: no such file or directory"',
    },
  ];
}

function controlPlaneChecks(rootfs, state) {
  const checks = [];
  const running = state.controlPlane && (state.initialized || state.joined);
  if (running) for (const port of [6443, 10259, 10257]) checks.push({ name: `Port-${port}`, message: `Port ${port} is in use` });
  for (const m of MANIFESTS) {
    if (existsNode(rootfs, `/etc/kubernetes/manifests/${m}`)) {
      checks.push({ name: `FileAvailable--etc-kubernetes-manifests-${m}`, message: `/etc/kubernetes/manifests/${m} already exists` });
    }
  }
  if (running) for (const port of [10250, 2379, 2380]) checks.push({ name: `Port-${port}`, message: `Port ${port} is in use` });
  const etcd = statNode(rootfs, "/var/lib/etcd");
  if (etcd && etcd.isDirectory() && fs.readdirSync(hostPath(rootfs, "/var/lib/etcd")).length) {
    checks.push({ name: "DirAvailable--var-lib-etcd", message: "/var/lib/etcd is not empty" });
  }
  return checks;
}

function publishedApiPort(node) {
  const port = (node.publishedPorts ?? []).find((p) => Number(p.containerPort) === 6443 && (p.proto ?? "tcp") === "tcp");
  return port ? Number(port.hostPort) : null;
}

function apiStateDir(node) {
  return path.join(node.stateDir, "apiserver");
}

function bumpState(rootfs, patch) {
  return updateState(rootfs, STATE, {}, (s) => ({ ...s, ...patch, generation: (s.generation ?? 0) + 1 }));
}

// ---- init ----

const INIT_FLAGS = {
  ...COMMON,
  config: "string",
  "skip-token-print": "bool",
  "skip-certificate-key-print": "bool",
  "upload-certs": "bool",
  "certificate-key": "string",
  "apiserver-advertise-address": "string",
  "apiserver-bind-port": "string",
  "apiserver-cert-extra-sans": "list",
  "pod-network-cidr": "string",
  "service-cidr": "string",
  "kubernetes-version": "string",
  "node-name": "string",
  "control-plane-endpoint": "string",
  token: "string",
};

/**
 * `kubeadm init phase upload-certs --upload-certs [--certificate-key K]`: stores the shared
 * certificates for joining control planes (as the kubeadm-certs Secret, encrypted with the key)
 * and prints the key last. Any other phase is not modelled.
 */
function uploadCerts(ctx, args) {
  const { flags, positional } = parseFlags(args, { flags: { ...COMMON, "upload-certs": "bool", "certificate-key": "string", config: "string", kubeconfig: "string" } });
  if (positional.length) throw new KubeadmError(`unknown command "${positional[0]}" for "kubeadm init phase upload-certs"`);
  const state = readState(ctx.rootfs, STATE, {});
  if (!state.controlPlane || !(state.initialized || state.joined) || !existsNode(ctx.rootfs, "/etc/kubernetes/admin.conf")) {
    throw new KubeadmError("failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory");
  }
  if (!flags["upload-certs"]) return ok("[upload-certs] Skipping phase. Please see --upload-certs\n");
  const key = flags["certificate-key"] ?? crypto.randomBytes(32).toString("hex");
  if (!/^[0-9a-f]{64}$/.test(key)) throw new KubeadmError("error decoding certificate key: encoding/hex: invalid byte");
  updateState(ctx.rootfs, STATE, {}, (s) => ({ ...s, certificateKey: key }));
  return ok(`[upload-certs] Storing the certificates in Secret "kubeadm-certs" in the "kube-system" Namespace\n[upload-certs] Using certificate key:\n${key}\n`);
}

async function init(ctx, args) {
  if (args[0] === "phase" && args[1] === "upload-certs") return uploadCerts(ctx, args.slice(2));
  if (args[0] === "phase") throw new KubeadmError(`fake kubeadm: unsupported: 'kubeadm init phase ${args.slice(1).join(" ")}'`);
  const { flags, positional } = parseFlags(args, { flags: INIT_FLAGS });
  if (positional.length) throw new KubeadmError(`unknown command "${positional[0]}" for "kubeadm init"`);
  rejectMixing(flags, ["v", "ignore-preflight-errors", "skip-phases", "skip-token-print", "skip-certificate-key-print", "upload-certs", "certificate-key", "dry-run"]);
  const cfg = loadConfig(ctx, flags.config);
  const initDoc = cfg.init ?? {};
  const clusterDoc = cfg.cluster ?? {};
  const version = kubeadmVersion(ctx.rootfs);
  const p = {
    nodeName: initDoc.nodeRegistration?.name ?? flags["node-name"] ?? ctx.node.id,
    advertiseAddress: initDoc.localAPIEndpoint?.advertiseAddress ?? flags["apiserver-advertise-address"] ?? ctx.node.ip,
    kubernetesVersion: clusterDoc.kubernetesVersion ?? flags["kubernetes-version"] ?? version,
    controlPlaneEndpoint: clusterDoc.controlPlaneEndpoint ?? flags["control-plane-endpoint"] ?? null,
    podSubnet: clusterDoc.networking?.podSubnet ?? flags["pod-network-cidr"] ?? null,
    serviceSubnet: clusterDoc.networking?.serviceSubnet ?? flags["service-cidr"] ?? "10.96.0.0/12",
    criSocket: initDoc.nodeRegistration?.criSocket ?? flags["cri-socket"] ?? CRI_SOCKET,
    token: initDoc.bootstrapTokens?.[0]?.token ?? flags.token ?? DEFAULT_TOKEN,
    apiServerArgs: argsMap(clusterDoc.apiServer?.extraArgs),
    controllerManagerArgs: argsMap(clusterDoc.controllerManager?.extraArgs),
    kubeletArgs: argsMap(initDoc.nodeRegistration?.kubeletExtraArgs),
    kubelet: cfg.kubelet,
  };
  p.nodeIp = p.kubeletArgs["node-ip"] ?? ctx.node.ip;
  if (!p.advertiseAddress) throw new KubeadmError("unable to select an IP from default routes.");
  const skip = [...(initDoc.skipPhases ?? []), ...(flags["skip-phases"] ?? [])];
  const state = readState(ctx.rootfs, STATE, {});
  let out = cfg.warnings.map((w) => `${w}\n`).join("");
  out += `[init] Using Kubernetes version: ${p.kubernetesVersion}\n`;

  if (!skip.includes("preflight")) {
    out += "[preflight] Running pre-flight checks\n";
    try {
      out += preflight([...criCheck(ctx.rootfs), ...controlPlaneChecks(ctx.rootfs, state)], flags["ignore-preflight-errors"] ?? []);
    } catch (err) {
      err.stdout = out + err.stdout;
      throw err;
    }
    out += "[preflight] Pulling images required for setting up a Kubernetes cluster\n";
  }
  // Not a preflight check, so neither skipping nor ignoring preflight gets past it: the fake cannot
  // keep a running control plane consistent across a second init, and kina must reset first.
  if (existsNode(ctx.rootfs, "/etc/kubernetes/admin.conf")) {
    throw new KubeadmError(
      'error execution phase kubeconfig/admin: a kubeconfig file "/etc/kubernetes/admin.conf" exists already but has got the wrong CA cert',
      out,
    );
  }
  if (!socketPresent(ctx.rootfs)) {
    throw new KubeadmError("error execution phase kubelet-start: could not connect to the container runtime: dial unix /run/containerd/containerd.sock: connect: no such file or directory", out);
  }

  out += '[certs] Using certificateDir folder "/etc/kubernetes/pki"\n';
  writeServiceAccountKeys(ctx.rootfs);
  writeCa(ctx.rootfs, "front-proxy-ca", "front-proxy-ca");
  writeCa(ctx.rootfs, "etcd/ca", "etcd-ca");
  out += '[certs] Generating "sa" key and public key\n[kubeconfig] Using kubeconfig folder "/etc/kubernetes"\n';
  const server = `https://${p.controlPlaneEndpoint ?? `${p.advertiseAddress}:6443`}`;
  out += '[etcd] Creating static Pod manifest for local etcd in "/etc/kubernetes/manifests"\n';
  writeManifests(ctx.rootfs, p);
  for (const c of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) out += `[control-plane] Creating static Pod manifest for "${c}"\n`;
  writeKubeletFiles(ctx.rootfs, p);
  out += '[kubelet-start] Writing kubelet environment file with flags to file "/var/lib/kubelet/kubeadm-flags.env"\n';
  out += '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"\n[kubelet-start] Starting the kubelet\n';
  setUnit(ctx.rootfs, "kubelet", "start");

  const listenPort = publishedApiPort(ctx.node);
  let apiServer = null;
  out += '[wait-control-plane] Waiting for the kubelet to boot up the control plane as static Pods from directory "/etc/kubernetes/manifests"\n';
  if (listenPort) {
    apiServer = { stateDir: apiStateDir(ctx.node), listenHost: "127.0.0.1", listenPort };
    const started = await startApiServer({
      stateDir: apiServer.stateDir,
      pkiDir: hostPath(ctx.rootfs, "/etc/kubernetes/pki"),
      adminConf: hostPath(ctx.rootfs, "/etc/kubernetes/admin.conf"),
      listenPort,
      advertiseAddress: p.advertiseAddress,
      nodeName: p.nodeName,
      faults: path.join(ctx.node.clusterStateDir, "kube-api-faults.json"),
    });
    if (started.exitCode !== 0) {
      throw new KubeadmError(
        `error execution phase wait-control-plane: could not start the control plane: fake kube-api start exited with ${started.exitCode}: ${started.stderr.trim()}`,
        out,
      );
    }
    out += '[kubeconfig] Writing "admin.conf" kubeconfig file\n[control-plane-check] kube-apiserver is healthy\n';
  } else {
    // Nothing publishes 6443, so no API server is started; the CA still has to exist for joins.
    writeCa(ctx.rootfs, "ca", "kubernetes");
  }
  writeComponentKubeconfigs(ctx.rootfs, server, ["kubelet.conf", "controller-manager.conf", "scheduler.conf", "super-admin.conf"]);

  const certificateKey = flags["upload-certs"] ? flags["certificate-key"] ?? crypto.randomBytes(32).toString("hex") : null;
  const caHash = caCertHash(ctx.rootfs) ?? `sha256:${crypto.randomBytes(32).toString("hex")}`;
  bumpState(ctx.rootfs, {
    initialized: true,
    joined: false,
    controlPlane: true,
    role: "control-plane",
    nodeName: p.nodeName,
    advertiseAddress: p.advertiseAddress,
    controlPlaneEndpoint: p.controlPlaneEndpoint,
    endpoint: p.controlPlaneEndpoint ?? `${p.advertiseAddress}:6443`,
    tokens: [p.token],
    caHash,
    certificateKey,
    apiServer,
    kubernetesVersion: p.kubernetesVersion,
    inits: (state.inits ?? 0) + 1,
  });

  out += "[mark-control-plane] Marking the node " + p.nodeName + " as control-plane by adding the labels: [node-role.kubernetes.io/control-plane node.kubernetes.io/exclude-from-external-load-balancers]\n";
  out += "[bootstrap-token] Configured RBAC rules to allow Node Bootstrap tokens to get nodes\n[addons] Applied essential addon: CoreDNS\n[addons] Applied essential addon: kube-proxy\n\n";
  out += "Your Kubernetes control-plane has initialized successfully!\n\n";
  out += "To start using your cluster, you need to run the following as a regular user:\n\n  mkdir -p $HOME/.kube\n  sudo cp -i /etc/kubernetes/admin.conf $HOME/.kube/config\n  sudo chown $(id -u):$(id -g) $HOME/.kube/config\n\n";
  out += "Then you can join any number of worker nodes by running the following on each as root:\n\n";
  const shownToken = flags["skip-token-print"] ? "<value withheld>" : p.token;
  out += `kubeadm join ${p.controlPlaneEndpoint ?? `${p.advertiseAddress}:6443`} --token ${shownToken} \\\n\t--discovery-token-ca-cert-hash ${caHash}\n`;
  return ok(out);
}

// ---- reset ----

async function reset(ctx, args) {
  const { flags, positional } = parseFlags(args, { flags: { ...COMMON, force: "bool", "cleanup-tmp-dir": "bool", kubeconfig: "string", config: "string" }, short: { f: "force" } });
  if (positional.length) throw new KubeadmError(`unknown command "${positional[0]}" for "kubeadm reset"`);
  let out = "";
  if (!flags.force) {
    out += "W0101 00:00:00.000000       1 preflight.go:56] [reset] WARNING: Changes made to this host by 'kubeadm init' or 'kubeadm join' will be reverted.\n[reset] Are you sure you want to proceed? [y/N]: ";
    const answer = ctx.stdin.readAll().toString().trim().toLowerCase();
    if (answer !== "y" && answer !== "yes") throw new KubeadmError("error execution phase preflight: aborted reset operation", out);
  }
  out += "[preflight] Running pre-flight checks\n";
  const state = readState(ctx.rootfs, STATE, {});
  const stateDir = state.apiServer?.stateDir ?? apiStateDir(ctx.node);
  if (fs.existsSync(stateDir)) {
    const stopped = await stopApiServer(stateDir);
    if (stopped.exitCode !== 0) throw new KubeadmError(`error execution phase cleanup-node: failed to stop the fake kube-apiserver: ${stopped.stderr.trim()}`, out);
    // etcd's data goes with the reset, so the API server's object store does too.
    fs.rmSync(stateDir, { recursive: true, force: true });
  }
  out += "[reset] Deleted contents of the etcd data directory: /var/lib/etcd\n[reset] Stopping the kubelet service\n";
  setUnit(ctx.rootfs, "kubelet", "stop");
  for (const dir of ["/etc/kubernetes/manifests", "/var/lib/kubelet", "/etc/kubernetes/pki", "/var/lib/etcd"]) {
    const st = statNode(ctx.rootfs, dir);
    if (st && st.isDirectory()) for (const entry of fs.readdirSync(hostPath(ctx.rootfs, dir))) removeNode(ctx.rootfs, `${dir}/${entry}`);
  }
  for (const f of KUBECONFIG_FILES) removeNode(ctx.rootfs, `/etc/kubernetes/${f}`);
  out += "[reset] Deleting contents of directories: [/etc/kubernetes/manifests /var/lib/kubelet /etc/kubernetes/pki]\n";
  out += `[reset] Deleting files: [${KUBECONFIG_FILES.map((f) => `/etc/kubernetes/${f}`).join(" ")}]\n\n`;
  out += "The reset process does not perform cleanup of CNI plugin configuration,\nnetwork filtering rules and kubeconfig files.\n";
  bumpState(ctx.rootfs, {
    initialized: false,
    joined: false,
    controlPlane: false,
    apiServer: null,
    tokens: [],
    certificateKey: null,
    resets: (state.resets ?? 0) + 1,
  });
  return ok(out);
}

// ---- token ----

async function token(ctx, args) {
  const [verb, ...rest] = args;
  if (verb !== "create") throw new KubeadmError(`fake kubeadm: unsupported: 'kubeadm token ${args.join(" ")}'`);
  const { flags, positional } = parseFlags(rest, {
    flags: { ...COMMON, "print-join-command": "bool", ttl: "string", "certificate-key": "string", description: "string", usages: "list", groups: "list", kubeconfig: "string", config: "string" },
  });
  const state = readState(ctx.rootfs, STATE, {});
  const initialized = state.controlPlane && (state.initialized || state.joined);
  if (!initialized || (state.apiServer && !existsNode(ctx.rootfs, "/etc/kubernetes/admin.conf"))) {
    throw new KubeadmError("failed to load admin kubeconfig: open /etc/kubernetes/admin.conf: no such file or directory");
  }
  const value = positional[0] ?? state.tokens?.[0] ?? DEFAULT_TOKEN;
  if (!TOKEN_RE.test(value)) throw new KubeadmError(`token "${value}" was not of form "\\\\A([a-z0-9]{6})\\\\.([a-z0-9]{16})\\\\z"`);
  updateState(ctx.rootfs, STATE, {}, (s) => ({ ...s, tokens: [...new Set([...(s.tokens ?? []), value])] }));
  if (!flags["print-join-command"]) return ok(`${value}\n`);
  let line = `kubeadm join ${state.endpoint} --token ${value} --discovery-token-ca-cert-hash ${state.caHash}`;
  if (flags["certificate-key"]) line += ` --control-plane --certificate-key ${flags["certificate-key"]}`;
  return ok(`${line} \n`);
}

// ---- join ----

const JOIN_FLAGS = {
  ...COMMON,
  config: "string",
  token: "string",
  "discovery-token": "string",
  "tls-bootstrap-token": "string",
  "discovery-token-ca-cert-hash": "list",
  "discovery-token-unsafe-skip-ca-verification": "bool",
  "discovery-file": "string",
  "control-plane": "bool",
  "certificate-key": "string",
  "apiserver-advertise-address": "string",
  "apiserver-bind-port": "string",
  "node-name": "string",
};

function joinParams(ctx, flags, positional) {
  rejectMixing({ ...flags, ...(positional.length ? { "api-server-endpoint": true } : {}) }, ["v", "ignore-preflight-errors", "skip-phases", "dry-run"]);
  if (flags.config) {
    const cfg = loadConfig(ctx, flags.config);
    const j = cfg.join ?? {};
    const bt = j.discovery?.bootstrapToken;
    if (!bt && !j.discovery?.file) throw new KubeadmError('discovery: Invalid value: "": bootstrapToken or file must be set');
    if (!bt) throw new KubeadmError("fake kubeadm: unsupported: file-based discovery");
    return {
      endpoint: bt.apiServerEndpoint,
      token: bt.token ?? j.discovery?.tlsBootstrapToken,
      hashes: bt.caCertHashes ?? [],
      unsafe: bt.unsafeSkipCAVerification === true,
      controlPlane: j.controlPlane !== undefined && j.controlPlane !== null,
      certificateKey: j.controlPlane?.certificateKey ?? null,
      advertiseAddress: j.controlPlane?.localAPIEndpoint?.advertiseAddress ?? ctx.node.ip,
      nodeName: j.nodeRegistration?.name ?? ctx.node.id,
      criSocket: j.nodeRegistration?.criSocket ?? CRI_SOCKET,
      kubeletArgs: argsMap(j.nodeRegistration?.kubeletExtraArgs),
      skip: j.skipPhases ?? [],
      kubelet: cfg.kubelet,
      warnings: cfg.warnings,
    };
  }
  if (positional.length > 1) throw new KubeadmError(`accepts at most 1 arg(s), received ${positional.length}`);
  return {
    endpoint: positional[0],
    token: flags["discovery-token"] ?? flags.token,
    hashes: flags["discovery-token-ca-cert-hash"] ?? [],
    unsafe: flags["discovery-token-unsafe-skip-ca-verification"] === true,
    controlPlane: flags["control-plane"] === true,
    certificateKey: flags["certificate-key"] ?? null,
    advertiseAddress: flags["apiserver-advertise-address"] ?? ctx.node.ip,
    nodeName: flags["node-name"] ?? ctx.node.id,
    criSocket: flags["cri-socket"] ?? CRI_SOCKET,
    kubeletArgs: {},
    skip: [],
    kubelet: null,
    warnings: [],
  };
}

function validateDiscovery(j) {
  const problems = [];
  if (!j.endpoint) problems.push('discovery.bootstrapToken.apiServerEndpoint: Invalid value: "": the API server endpoint is required');
  if (!j.token || !TOKEN_RE.test(j.token)) {
    problems.push(`discovery.bootstrapToken.token: Invalid value: "${j.token ?? ""}": the bootstrap token is invalid`);
  }
  if (!j.hashes.length && !j.unsafe) {
    problems.push(
      'discovery.bootstrapToken.caCertHashes: Invalid value: "": using token-based discovery without caCertHashes can be unsafe. Set unsafeSkipCAVerification as true in your kubeadm config file or pass --discovery-token-unsafe-skip-ca-verification flag to continue',
    );
  }
  if (problems.length) throw new KubeadmError(`[${problems.join(", ")}]`);
}

/** kubelet's --node-labels=a=b,c=d as the labels it registers the Node with. */
function labelsOf(text) {
  const out = {};
  for (const pair of String(text ?? "").split(",").filter(Boolean)) {
    const i = pair.indexOf("=");
    out[i < 0 ? pair : pair.slice(0, i)] = i < 0 ? "" : pair.slice(i + 1);
  }
  return out;
}

function resolveInHosts(rootfs, host) {
  let hosts = "";
  try {
    hosts = readNodeText(rootfs, "/etc/hosts");
  } catch {
    // no /etc/hosts: only literal addresses resolve
  }
  return resolveHost(hosts, host);
}

function discover(ctx, j) {
  const m = /^(.*):(\d+)$/.exec(j.endpoint);
  const host = m ? m[1].replace(/^\[|\]$/g, "") : j.endpoint;
  const port = m ? Number(m[2]) : 443;
  const url = `https://${j.endpoint}/api/v1/namespaces/kube-public/configmaps/cluster-info?timeout=10s`;
  const prefix = "error execution phase preflight: couldn't validate the identity of the API Server: failed to request the cluster-info ConfigMap: ";
  // A name resolves through the joining node's /etc/hosts, as the real resolver would; there is no
  // other name service between Apple `container` VMs unless a DNS domain is configured.
  const resolved = resolveInHosts(ctx.rootfs, host);
  if (!resolved) throw new KubeadmError(`${prefix}Get "${url}": dial tcp: lookup ${host}: no such host`);
  const target = findNodeByHost(ctx.node.clusterStateDir, resolved, ctx.node.id);
  if (!target) throw new KubeadmError(`${prefix}Get "${url}": dial tcp ${j.endpoint}: connect: no route to host`);
  const cpState = readState(target.rootfs, STATE, {});
  const serving = cpState.controlPlane && (cpState.initialized || cpState.joined);
  if (!serving || port !== 6443) throw new KubeadmError(`${prefix}Get "${url}": dial tcp ${j.endpoint}: connect: connection refused`);
  if (!(cpState.tokens ?? []).includes(j.token)) {
    throw new KubeadmError(
      `error execution phase preflight: couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap for token ID "${j.token.split(".")[0]}"`,
    );
  }
  const actual = caCertHash(target.rootfs) ?? cpState.caHash;
  if (!j.unsafe && !j.hashes.some((h) => h.toLowerCase() === actual)) {
    throw new KubeadmError(
      `error execution phase preflight: couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "${actual}" are pinned`,
    );
  }
  return { target, cpState };
}

function controlPlaneJoinProblems(ctx, j, target, cpState) {
  const problems = [];
  if (!cpState.controlPlaneEndpoint) problems.push("unable to add a new control plane instance to a cluster that doesn't have a stable controlPlaneEndpoint address");
  if (j.certificateKey) {
    if (!cpState.certificateKey) problems.push('error downloading certs: error downloading the secret: secrets "kubeadm-certs" is forbidden: User "system:bootstrap:abcdef" cannot get resource "secrets" in API group "" in the namespace "kube-system"');
    else if (cpState.certificateKey !== j.certificateKey) problems.push("error downloading certs: error decoding certificate key: cipher: message authentication failed");
  } else {
    for (const rel of SHARED_PKI) {
      if (!existsNode(ctx.rootfs, `/etc/kubernetes/pki/${rel}`)) {
        const file = `/etc/kubernetes/pki/${rel}`;
        problems.push(`failure loading ${rel.endsWith(".crt") ? "certificate" : "key"} for ${rel.replace(/\.(crt|key|pub)$/, "")}: couldn't load the ${rel.endsWith(".crt") ? "certificate" : "key"} file ${file}: open ${file}: no such file or directory`);
        break;
      }
    }
  }
  if (problems.length) {
    throw new KubeadmError(
      "error execution phase preflight: \nOne or more conditions for hosting a new control plane instance is not satisfied.\n\n" +
        problems.join("\n") +
        "\n\nPlease ensure that:\n* The cluster has a stable controlPlaneEndpoint address.\n* The certificates that must be shared among control plane instances are provided.\n",
    );
  }
  if (j.certificateKey) copySharedPki(target.rootfs, ctx.rootfs);
}

async function join(ctx, args) {
  if (args[0] === "phase") throw new KubeadmError(`fake kubeadm: unsupported: 'kubeadm join phase ${args.slice(1).join(" ")}'`);
  const { flags, positional } = parseFlags(args, { flags: JOIN_FLAGS });
  const j = joinParams(ctx, flags, positional);
  validateDiscovery(j);
  const skip = [...j.skip, ...(flags["skip-phases"] ?? [])];
  const state = readState(ctx.rootfs, STATE, {});
  let out = j.warnings.map((w) => `${w}\n`).join("");

  if (!skip.includes("preflight")) {
    out += "[preflight] Running pre-flight checks\n";
    const checks = [...criCheck(ctx.rootfs)];
    for (const f of ["kubelet.conf", "bootstrap-kubelet.conf"]) {
      if (existsNode(ctx.rootfs, `/etc/kubernetes/${f}`)) checks.push({ name: `FileAvailable--etc-kubernetes-${f}`, message: `/etc/kubernetes/${f} already exists` });
    }
    if (j.controlPlane) checks.push(...controlPlaneChecks(ctx.rootfs, state));
    else if (existsNode(ctx.rootfs, "/etc/kubernetes/pki/ca.crt")) {
      checks.push({ name: "FileAvailable--etc-kubernetes-pki-ca.crt", message: "/etc/kubernetes/pki/ca.crt already exists" });
    }
    try {
      out += preflight(checks, flags["ignore-preflight-errors"] ?? []);
    } catch (err) {
      err.stdout = out + err.stdout;
      throw err;
    }
  }
  if (existsNode(ctx.rootfs, "/etc/kubernetes/kubelet.conf")) {
    throw new KubeadmError('error execution phase kubelet-start: a file "/etc/kubernetes/kubelet.conf" already exists', out);
  }

  let target;
  let cpState;
  try {
    ({ target, cpState } = discover(ctx, j));
    if (j.controlPlane) controlPlaneJoinProblems(ctx, j, target, cpState);
  } catch (err) {
    err.stdout = out;
    throw err;
  }
  out += '[preflight] Reading configuration from the "kubeadm-config" ConfigMap in namespace "kube-system"...\n';
  out += "[preflight] Use 'kubeadm init phase upload-config kubeadm --config your-config-file' to re-upload it.\n";

  const role = j.controlPlane ? "control-plane" : "worker";
  const adminConf = hostPath(target.rootfs, "/etc/kubernetes/admin.conf");
  if (cpState.apiServer && fs.existsSync(adminConf)) {
    try {
      await registerNode({
        adminConf,
        name: j.nodeName,
        ip: ctx.node.ip,
        role,
        labels: labelsOf(j.kubeletArgs["node-labels"]),
        server: `https://${cpState.apiServer.listenHost}:${cpState.apiServer.listenPort}`,
      });
    } catch (err) {
      throw new KubeadmError(`error execution phase kubelet-start: error uploading crisocket: ${err.message}`, out);
    }
  }

  const server = `https://${cpState.controlPlaneEndpoint ?? j.endpoint}`;
  const caSrc = hostPath(target.rootfs, "/etc/kubernetes/pki/ca.crt");
  if (fs.existsSync(caSrc) && !existsNode(ctx.rootfs, "/etc/kubernetes/pki/ca.crt")) {
    fs.mkdirSync(hostPath(ctx.rootfs, "/etc/kubernetes/pki"), { recursive: true });
    fs.copyFileSync(caSrc, hostPath(ctx.rootfs, "/etc/kubernetes/pki/ca.crt"));
  }
  if (j.controlPlane) {
    out += "[control-plane] Creating static Pod manifests\n";
    writeManifests(ctx.rootfs, {
      nodeName: j.nodeName,
      advertiseAddress: j.advertiseAddress,
      kubernetesVersion: cpState.kubernetesVersion ?? kubeadmVersion(ctx.rootfs),
      serviceSubnet: "10.96.0.0/12",
      podSubnet: null,
      apiServerArgs: {},
      controllerManagerArgs: {},
    });
    if (fs.existsSync(adminConf)) fs.copyFileSync(adminConf, hostPath(ctx.rootfs, "/etc/kubernetes/admin.conf"));
    writeComponentKubeconfigs(ctx.rootfs, server, ["controller-manager.conf", "scheduler.conf", "super-admin.conf"]);
  }
  writeComponentKubeconfigs(ctx.rootfs, server, ["kubelet.conf"]);
  writeKubeletFiles(ctx.rootfs, { criSocket: j.criSocket, nodeIp: j.kubeletArgs["node-ip"] ?? ctx.node.ip, kubeletArgs: j.kubeletArgs, kubelet: j.kubelet });
  out += '[kubelet-start] Writing kubelet configuration to file "/var/lib/kubelet/config.yaml"\n';
  out += '[kubelet-start] Writing kubelet environment file with flags to file "/var/lib/kubelet/kubeadm-flags.env"\n[kubelet-start] Starting the kubelet\n';
  setUnit(ctx.rootfs, "kubelet", "start");
  out += "[kubelet-start] Waiting for the kubelet to perform the TLS Bootstrap\n\n";
  bumpState(ctx.rootfs, {
    initialized: false,
    joined: true,
    controlPlane: j.controlPlane,
    role,
    nodeName: j.nodeName,
    advertiseAddress: j.controlPlane ? j.advertiseAddress : null,
    controlPlaneEndpoint: cpState.controlPlaneEndpoint ?? null,
    endpoint: j.endpoint,
    tokens: j.controlPlane ? cpState.tokens : [],
    caHash: cpState.caHash,
    apiServer: null,
    joinedVia: target.id,
    joins: (state.joins ?? 0) + 1,
  });
  out += "This node has joined the cluster:\n* Certificate signing request was sent to apiserver and a response was received.\n* The Kubelet was informed of the new secure connection details.\n\n";
  out += "Run 'kubectl get nodes' on the control-plane to see this node join the cluster.\n";
  return ok(out);
}

// ---- entry ----

function versionCommand(ctx, args) {
  const v = kubeadmVersion(ctx.rootfs);
  const { flags } = parseFlags(args, { flags: { output: "string", v: "string" }, short: { o: "output" } });
  if (flags.output === "short") return ok(`${v}\n`);
  const [major, minor] = v.replace(/^v/, "").split(".");
  const info = { major, minor, gitVersion: v, gitTreeState: "clean", goVersion: "go1.25.5", compiler: "gc", platform: "linux/arm64" };
  if (flags.output === "json") return ok(JSON.stringify({ clientVersion: info }, null, 2) + "\n");
  if (flags.output === "yaml") return ok(`clientVersion:\n${Object.entries(info).map(([k, val]) => `  ${k}: ${val}`).join("\n")}\n`);
  if (flags.output) throw new KubeadmError(`invalid output format: ${flags.output}`);
  return ok(`kubeadm version: &version.Info{Major:"${major}", Minor:"${minor}", GitVersion:"${v}", GitTreeState:"clean", GoVersion:"go1.25.5", Compiler:"gc", Platform:"linux/arm64"}\n`);
}

/**
 * `kubeadm config images list --kubernetes-version V`: the images kubeadm wants. From 1.35 on it
 * wants pause:3.10.1 while kindest/node preloads pause:3.10 (issue 9's review), which is what
 * kina's node prep re-tags. Other `config` subcommands are not modelled.
 */
function configCommand(ctx, args) {
  if (args[0] !== "images" || args[1] !== "list") throw new KubeadmError(`fake kubeadm: unsupported: 'kubeadm config ${args.join(" ")}'`);
  const { flags, positional } = parseFlags(args.slice(2), { flags: { ...COMMON, "kubernetes-version": "string", config: "string" } });
  if (positional.length) throw new KubeadmError(`unknown command "${positional[0]}" for "kubeadm config images list"`);
  const v = flags["kubernetes-version"] ?? kubeadmVersion(ctx.rootfs);
  const [, minor] = v.replace(/^v/, "").split(".").map(Number);
  const pause = minor >= 35 ? "3.10.1" : "3.10";
  const images = ["kube-apiserver", "kube-controller-manager", "kube-scheduler", "kube-proxy"].map((c) => `registry.k8s.io/${c}:${v}`);
  return ok(`${[...images, "registry.k8s.io/coredns/coredns:v1.13.1", `registry.k8s.io/pause:${pause}`, "registry.k8s.io/etcd:3.6.5-0"].join("\n")}\n`);
}

const SUBCOMMANDS = { init, reset, token, join, config: configCommand, version: versionCommand };

export async function kubeadm(ctx, args) {
  const [sub, ...rest] = args;
  const handler = SUBCOMMANDS[sub];
  try {
    if (!handler) {
      if (["upgrade", "certs", "kubeconfig", "alpha", "completion"].includes(sub)) {
        return fail(2, `fake kubeadm: unsupported: 'kubeadm ${args.join(" ")}'`);
      }
      return fail(1, `unknown command "${sub ?? ""}" for "kubeadm"\n${STACK_HINT}`);
    }
    return await handler(ctx, rest);
  } catch (err) {
    if (!(err instanceof KubeadmError)) throw err;
    if (err.message.startsWith("fake kubeadm: unsupported")) return fail(2, err.message, err.stdout);
    return fail(1, `${err.message}\n${STACK_HINT}`, err.stdout);
  }
}
