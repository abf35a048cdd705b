// A strict stand-in for the Helm 3 CLI, enough for kina's Cilium install:
//   helm version [--short] [--template T]
//   helm upgrade [--install] RELEASE CHART --repo URL --version V [--namespace NS] [--kubeconfig F]
//        [--set k=v[,k=v]]... [--wait] [--timeout D] [--create-namespace]
// It knows one chart repository (https://helm.cilium.io, chart `cilium`, a few versions). An
// install creates the chart's main objects through the kubeconfig it is given (DaemonSet
// kube-system/cilium, Deployment kube-system/cilium-operator, ConfigMap cilium-config) and records
// the release as helm does, in a Secret sh.helm.release.v1.NAME.vN, so a later upgrade finds it.
// Unknown commands and flags fail with helm's own messages and exit 1.
//
// Environment:
//   KINA_FAKE_HELM_LOG        append one JSON line per call: { argv }
//   KINA_FAKE_HELM_FAIL_ONCE  a file path: the first `upgrade` that finds it missing creates it and
//                             fails as helm does when the chart repository cannot be reached
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import { apiRequest } from "../kube-api/client.mjs";
import { readCredentials } from "../kube-api/kubeconfig.mjs";

const VERSION = { version: "v3.19.0", gitCommit: "3d8990f0836691f0229297773f3524598f46bda6", gitTreeState: "clean", goVersion: "go1.24.7" };
const REPOS = { "https://helm.cilium.io": { cilium: ["1.18.6", "1.19.4", "1.20.0", "1.20.1"] } };

class HelmError extends Error {}

function usage(cmd, use) {
  return `${cmd}\n\nUsage:  ${use}`;
}

// Flags each command takes: name → takes a value? Global flags (cmd/helm/root.go) apply to all.
const GLOBAL = { "--kubeconfig": true, "--kube-context": true, "--namespace": true, "-n": true, "--debug": false };
const COMMANDS = {
  version: { flags: { "--short": false, "--template": true }, use: "helm version [flags]", args: [0, 0] },
  upgrade: {
    flags: {
      "--install": false, "-i": false, "--repo": true, "--version": true, "--set": true, "--wait": false,
      "--timeout": true, "--create-namespace": false, "--atomic": false,
    },
    use: "helm upgrade [RELEASE] [CHART] [flags]",
    args: [2, 2],
  },
};

function parse(argv) {
  const [command, ...rest] = argv;
  if (command === undefined) throw new HelmError("Error: helm needs a command: the test double knows version and upgrade");
  const spec = COMMANDS[command];
  if (!spec) throw new HelmError(`Error: unknown command "${command}" for "helm"\nRun 'helm --help' for usage.`);
  const flags = { ...GLOBAL, ...spec.flags };
  const values = {};
  const positional = [];
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith("-") || arg === "-") {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = eq > 0 && arg.startsWith("--") ? arg.slice(0, eq) : arg;
    if (!(name in flags)) {
      throw new HelmError(name.startsWith("--") ? `Error: unknown flag: ${name}` : `Error: unknown shorthand flag: '${name.slice(1)}' in ${name}`);
    }
    let value = true;
    if (flags[name]) {
      if (eq > 0 && arg.startsWith("--")) value = arg.slice(eq + 1);
      else if (i + 1 < rest.length) value = rest[++i];
      else throw new HelmError(`Error: flag needs an argument: ${name}`);
    } else if (eq > 0) {
      value = arg.slice(eq + 1) === "true";
    }
    const key = { "-n": "--namespace", "-i": "--install" }[name] ?? name;
    if (key === "--set") (values[key] ??= []).push(value);
    else values[key] = value;
  }
  const [min, max] = spec.args;
  if (positional.length < min || positional.length > max) {
    const want = min === max ? `${min} argument${min === 1 ? "" : "s"}` : `${min} to ${max} arguments`;
    throw new HelmError(usage(`Error: "helm ${command}" requires ${want}`, spec.use));
  }
  return { command, values, positional };
}

/** `--set a=b,c.d=e` into a nested object (strvals.Parse), strict about the `key=value` form. */
function parseSets(sets) {
  const out = {};
  for (const set of sets ?? []) {
    for (const pair of set.split(",")) {
      const eq = pair.indexOf("=");
      if (eq <= 0) throw new HelmError(`Error: failed parsing --set data: key "${pair}" has no value`);
      const path = pair.slice(0, eq).split(".");
      const raw = pair.slice(eq + 1);
      const value = raw === "true" ? true : raw === "false" ? false : /^-?\d+$/.test(raw) ? Number(raw) : raw;
      let node = out;
      for (const part of path.slice(0, -1)) node = node[part] = typeof node[part] === "object" ? node[part] : {};
      node[path.at(-1)] = value;
    }
  }
  return out;
}

function version(values) {
  if (typeof values["--template"] === "string") {
    const text = values["--template"].replace(/\{\{\s*\.Version\s*\}\}/g, VERSION.version).replace(/\{\{\s*\.GoVersion\s*\}\}/g, VERSION.goVersion);
    process.stdout.write(`${text}\n`);
  } else if (values["--short"]) {
    process.stdout.write(`${VERSION.version}+g${VERSION.gitCommit.slice(0, 7)}\n`);
  } else {
    process.stdout.write(
      `version.BuildInfo{Version:"${VERSION.version}", GitCommit:"${VERSION.gitCommit}", GitTreeState:"${VERSION.gitTreeState}", GoVersion:"${VERSION.goVersion}"}\n`,
    );
  }
}

async function api(kubeconfig, method, path, body, contentType) {
  const credentials = readCredentials(kubeconfig);
  let reply;
  try {
    reply = await apiRequest({ adminConf: kubeconfig, server: credentials.server, method, path, body, contentType });
  } catch (e) {
    throw new HelmError(`Error: Kubernetes cluster unreachable: Get "${credentials.server}/version": ${e.message}`);
  }
  return reply;
}

async function apply(kubeconfig, path, object) {
  const reply = await api(kubeconfig, "PATCH", `${path}/${object.metadata.name}?fieldManager=helm&force=true`, object, "application/apply-patch+yaml");
  if (reply.status >= 300) throw new HelmError(`Error: failed to apply ${object.kind} ${object.metadata.name}: ${reply.body?.message ?? reply.status}`);
}

function chartObjects(release, namespace, chartVersion, vals) {
  const labels = { "app.kubernetes.io/part-of": "cilium", "app.kubernetes.io/managed-by": "Helm", "helm.sh/chart": `cilium-${chartVersion}` };
  const meta = (name, extra = {}) => ({ name, namespace, labels: { ...labels, ...extra }, annotations: { "meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": namespace } });
  const image = (repo) => `quay.io/cilium/${repo}:v${chartVersion}`;
  const config = {
    "ipam": vals.ipam?.mode ?? "cluster-pool",
    "routing-mode": vals.routingMode ?? "tunnel",
    "tunnel-protocol": vals.tunnelProtocol ?? "vxlan",
    "kube-proxy-replacement": String(vals.kubeProxyReplacement ?? false),
    "auto-direct-node-routes": String(vals.autoDirectNodeRoutes ?? false),
    ...(vals.ipv4NativeRoutingCIDR ? { "ipv4-native-routing-cidr": vals.ipv4NativeRoutingCIDR } : {}),
  };
  const serviceEnv = [
    ...(vals.k8sServiceHost !== undefined ? [{ name: "KUBERNETES_SERVICE_HOST", value: String(vals.k8sServiceHost) }] : []),
    ...(vals.k8sServicePort !== undefined ? [{ name: "KUBERNETES_SERVICE_PORT", value: String(vals.k8sServicePort) }] : []),
  ];
  return [
    ["/api/v1/namespaces/" + namespace + "/configmaps", { apiVersion: "v1", kind: "ConfigMap", metadata: meta("cilium-config"), data: config }],
    [
      "/apis/apps/v1/namespaces/" + namespace + "/daemonsets",
      {
        apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta("cilium", { "k8s-app": "cilium" }),
        spec: {
          selector: { matchLabels: { "k8s-app": "cilium" } },
          template: {
            metadata: { labels: { "k8s-app": "cilium" } },
            spec: {
              hostNetwork: true, nodeSelector: { "kubernetes.io/os": "linux" }, tolerations: [{ operator: "Exists" }],
              initContainers: [{ name: "config", image: image("cilium"), command: ["cilium-dbg", "build-config"], env: serviceEnv }],
              containers: [{ name: "cilium-agent", image: image("cilium"), command: ["cilium-agent"], args: ["--config-dir=/tmp/cilium/config-map"], env: serviceEnv }],
            },
          },
        },
      },
    ],
    [
      "/apis/apps/v1/namespaces/" + namespace + "/deployments",
      {
        apiVersion: "apps/v1", kind: "Deployment", metadata: meta("cilium-operator", { "io.cilium/app": "operator" }),
        spec: {
          replicas: vals.operator?.replicas ?? 2,
          selector: { matchLabels: { "io.cilium/app": "operator" } },
          template: {
            metadata: { labels: { "io.cilium/app": "operator" } },
            spec: { hostNetwork: true, tolerations: [{ operator: "Exists" }], containers: [{ name: "cilium-operator", image: image("operator-generic"), env: serviceEnv }] },
          },
        },
      },
    ],
  ];
}

async function upgrade({ values, positional }, env) {
  const [release, chart] = positional;
  const namespace = values["--namespace"] ?? "default";
  const kubeconfig = values["--kubeconfig"] ?? env.KUBECONFIG;
  if (!values["--repo"]) {
    throw new HelmError(`Error: non-absolute URLs should be in form of repo_name/path_to_chart, got: ${chart}`);
  }
  const repoUrl = String(values["--repo"]).replace(/\/$/, "");
  const fail = env.KINA_FAKE_HELM_FAIL_ONCE;
  if (fail && !existsSync(fail)) {
    writeFileSync(fail, "failed once\n");
    const host = new URL(repoUrl).host;
    throw new HelmError(
      `Error: looks like "${values["--repo"]}" is not a valid chart repository or cannot be reached: Get "${repoUrl}/index.yaml": dial tcp: lookup ${host}: no such host`,
    );
  }
  const repo = REPOS[repoUrl];
  if (!repo) throw new HelmError(`Error: looks like "${values["--repo"]}" is not a valid chart repository or cannot be reached: failed to fetch ${repoUrl}/index.yaml : 404 Not Found`);
  if (!repo[chart]) throw new HelmError(`Error: chart "${chart}" not found in ${repoUrl} repository`);
  const chartVersion = values["--version"] ?? repo[chart].at(-1);
  if (!repo[chart].includes(chartVersion)) throw new HelmError(`Error: chart "${chart}" version "${chartVersion}" not found in ${repoUrl} repository`);
  const vals = parseSets(values["--set"]);
  if (!kubeconfig || !existsSync(kubeconfig)) {
    throw new HelmError(`Error: Kubernetes cluster unreachable: Get "http://localhost:8080/version": dial tcp [::1]:8080: connect: connection refused`);
  }

  const secrets = `/api/v1/namespaces/${namespace}/secrets`;
  const existing = await api(kubeconfig, "GET", `${secrets}?labelSelector=${encodeURIComponent(`owner=helm,name=${release}`)}`);
  if (existing.status !== 200) throw new HelmError(`Error: query: failed to query with labels: ${existing.body?.message ?? existing.status}`);
  const revisions = (existing.body.items ?? []).map((s) => Number(s.metadata.labels?.version ?? 0));
  const last = revisions.length ? Math.max(...revisions) : 0;
  if (last === 0 && !values["--install"]) throw new HelmError(`Error: UPGRADE FAILED: "${release}" has no deployed releases`);
  if (values["--create-namespace"]) {
    await api(kubeconfig, "POST", "/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  }
  for (const [path, object] of chartObjects(release, namespace, chartVersion, vals)) await apply(kubeconfig, path, object);
  const revision = last + 1;
  const record = { name: release, namespace, version: revision, chart: { name: chart, version: chartVersion }, config: vals, info: { status: "deployed" } };
  await api(kubeconfig, "POST", secrets, {
    apiVersion: "v1", kind: "Secret", type: "helm.sh/release.v1",
    metadata: { name: `sh.helm.release.v1.${release}.v${revision}`, namespace, labels: { owner: "helm", name: release, version: String(revision), status: "deployed" } },
    data: { release: Buffer.from(JSON.stringify(record)).toString("base64") },
  });
  if (last === 0) process.stdout.write(`Release "${release}" does not exist. Installing it now.\n`);
  else process.stdout.write(`Release "${release}" has been upgraded. Happy Helming!\n`);
  process.stdout.write(
    `NAME: ${release}\nLAST DEPLOYED: ${new Date().toUTCString()}\nNAMESPACE: ${namespace}\nSTATUS: deployed\nREVISION: ${revision}\nTEST SUITE: None\nNOTES:\nYou have successfully installed Cilium with Hubble.\n\nYour release version is ${chartVersion}.\n`,
  );
}

export async function main(argv, env = process.env) {
  if (env.KINA_FAKE_HELM_LOG) appendFileSync(env.KINA_FAKE_HELM_LOG, `${JSON.stringify({ argv })}\n`);
  try {
    const parsed = parse(argv);
    if (parsed.command === "version") version(parsed.values);
    else await upgrade(parsed, env);
    process.exitCode = 0;
  } catch (e) {
    if (!(e instanceof HelmError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  }
}
