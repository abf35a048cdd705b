// kina export logs: one folder with everything needed to debug a cluster from outside it (kina's
// state and step logs, each node's journals, CRI view, console log, node image version, name
// resolution and addresses, and the cluster's nodes, events and kube-system pod logs), plus a
// .tar.gz of it. Every file goes through the redactor; a part that cannot be collected (node
// stopped, API down) becomes a file saying why, and the export still succeeds.

import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { stringify } from "yaml";
import type { ClusterStore } from "../../state/store.js";
import type { ContainerCli } from "../runtime/container.js";
import { redact } from "./redact.js";
import { tarGzFolder } from "./tarball.js";

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;
/** A node command that hangs (a wedged journal) must not hold the export up forever. */
const NODE_COMMAND_TIMEOUT_MS = 60_000;
const API_TIMEOUT_MS = 15_000;

export interface LogsBundle {
  dir: string;
  tarball: string;
  /** One line per part that could not be collected: `<file>: <why>`. */
  missing: string[];
}

export interface ExportLogsOptions {
  store: ClusterStore;
  /** The folder to create; it must not exist yet. */
  dir: string;
  runtime: ContainerCli;
  signal: AbortSignal;
}

/** Why a part could not be collected, as the user should read it. */
class Unavailable extends Error {}

class Bundle {
  readonly missing: string[] = [];
  constructor(readonly dir: string) {}

  async write(file: string, text: string): Promise<void> {
    const path = join(this.dir, file);
    await mkdir(join(path, ".."), { recursive: true, mode: DIR_MODE });
    await writeFile(path, redact(text), { mode: FILE_MODE, flag: "wx" });
  }

  /** Writes what `collect` returns to `file`, or `<file>.unavailable.txt` saying why it could not. */
  async part(file: string, what: string, collect: () => Promise<string>): Promise<void> {
    let text: string;
    try {
      text = await collect();
    } catch (error) {
      const why = (error as Error)?.message ?? String(error);
      this.missing.push(`${file}: ${why}`);
      await this.write(`${file}.unavailable.txt`, `kina could not collect ${what}: ${why}\n`);
      return;
    }
    await this.write(file, text);
  }
}

export async function exportLogs(options: ExportLogsOptions): Promise<LogsBundle> {
  const { store, dir } = options;
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  const bundle = new Bundle(dir);

  await bundle.part("kina/state.json", "kina's state", () => readFile(store.paths.state, "utf8"));
  for (const log of await stepLogs(store.paths.logs)) {
    await bundle.part(`kina/logs/${log}`, `the step log ${log}`, () => readFile(join(store.paths.logs, log), "utf8"));
  }
  await Promise.all([...nodeNames(store).map((node) => collectNode(bundle, node, options)), collectCluster(bundle, options)]);
  if (bundle.missing.length > 0) {
    await bundle.write("unavailable.txt", `Parts kina could not collect:\n${bundle.missing.map((m) => `  ${m}`).join("\n")}\n`);
  }
  const tarball = await tarGzFolder(dir);
  return { dir, tarball, missing: bundle.missing };
}

async function stepLogs(logsDir: string): Promise<string[]> {
  try {
    return (await readdir(logsDir)).filter((f) => f.endsWith(".log")).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}

/** What vmRunning recorded, else the planned nodes (a create that stopped before any VM ran). */
function nodeNames(store: ClusterStore): string[] {
  const recorded = store.data.outputs.nodes.map((n) => n.name);
  if (recorded.length > 0) return recorded;
  return ((store.data.config as { nodes?: { name: string }[] } | undefined)?.nodes ?? []).map((n) => n.name);
}

/** Commands run in each node: file → argv. */
const NODE_COMMANDS: [file: string, argv: string[]][] = [
  ["journal-kubelet.log", ["journalctl", "--no-pager", "-u", "kubelet"]],
  ["journal-containerd.log", ["journalctl", "--no-pager", "-u", "containerd"]],
  ["crictl-ps.txt", ["crictl", "ps", "-a"]],
  ["kind-version.txt", ["cat", "/kind/version"]],
  ["hosts.txt", ["cat", "/etc/hosts"]],
  ["ip-addr.txt", ["ip", "addr"]],
];

async function collectNode(bundle: Bundle, node: string, { runtime }: ExportLogsOptions): Promise<void> {
  const at = (file: string) => `nodes/${node}/${file}`;
  // One inspect says whether the VM exists and runs; a stopped VM still has its console logs.
  let state: string | undefined;
  let inspectFailure = "";
  await bundle.part(at("inspect.json"), `\`container inspect ${node}\``, async () => {
    try {
      const info = await runtime.tryInspect(node);
      if (!info) throw new Unavailable(`there is no VM named ${node}`);
      state = info.status.state;
      return `${JSON.stringify(info, null, 2)}\n`;
    } catch (error) {
      inspectFailure = (error as Error).message;
      throw error;
    }
  });
  if (state === undefined) {
    // No VM, or `container` cannot say (service down): every node part fails for the same reason.
    for (const [file] of NODE_COMMANDS) await bundle.part(at(file), file, () => Promise.reject(new Unavailable(inspectFailure)));
    return;
  }
  await Promise.all([
    bundle.part(at("container-logs.txt"), `\`container logs ${node}\``, () => runtime.logs(node)),
    bundle.part(at("container-boot.log"), `\`container logs --boot ${node}\``, () => runtime.logs(node, { boot: true })),
    ...NODE_COMMANDS.map(([file, argv]) =>
      bundle.part(at(file), `\`${argv.join(" ")}\` in ${node}`, async () => {
        if (state !== "running") throw new Unavailable(`${node} is ${state}; start it with \`kina start\` to collect this`);
        const r = await runtime.exec(node, argv, { timeoutMs: NODE_COMMAND_TIMEOUT_MS });
        if (r.exitCode !== 0) throw new Unavailable(`\`${argv.join(" ")}\` exited ${r.exitCode}: ${r.stderr.trim().split("\n").slice(-3).join(" | ")}`);
        return r.stdout;
      }),
    ),
  ]);
}

/** Cluster-wide parts: file → API path. */
const CLUSTER_LISTS: [file: string, what: string, path: string][] = [
  ["cluster/nodes.yaml", "the Node objects", "/api/v1/nodes"],
  ["cluster/events.yaml", "the events of every namespace", "/api/v1/events"],
  ["cluster/kube-system-pods.yaml", "the kube-system pods", "/api/v1/namespaces/kube-system/pods"],
];

interface PodList {
  items?: { metadata?: { name?: string }; spec?: { containers?: { name?: string }[]; initContainers?: { name?: string }[] } }[];
}

async function collectCluster(bundle: Bundle, { store, signal }: ExportLogsOptions): Promise<void> {
  const skipAll = async (why: string) => {
    for (const [file, what] of CLUSTER_LISTS) await bundle.part(file, what, () => Promise.reject(new Unavailable(why)));
    await bundle.part("cluster/pod-logs", "the kube-system pods' logs", () => Promise.reject(new Unavailable(why)));
  };
  if ((await store.readKubeconfig()) === undefined) return skipAll("the cluster has no kubeconfig yet (kubeconfigExported has not run)");

  // client-node is heavy: loaded only here, when there is an API to ask.
  const { openKubeAccess } = await import("../kube/access.js");
  const kube = await openKubeAccess(store.paths.kubeconfig, { signal, log: { path: "", line: () => {}, command: () => {} } });
  const ready = await kube.readyz();
  if (!ready.ok) return skipAll(`the API server at ${kube.server} did not answer /readyz (${ready.detail})`);

  const get = async (path: string): Promise<string> => {
    const r = await kube.getRaw(path, API_TIMEOUT_MS);
    if (r.status !== 200) throw new Unavailable(`GET ${path}: HTTP ${r.status} ${r.body.trim().slice(0, 200)}`);
    return r.body;
  };
  let pods: PodList | undefined;
  for (const [file, what, path] of CLUSTER_LISTS) {
    await bundle.part(file, what, async () => {
      const list = JSON.parse(await get(path)) as { items?: unknown[] } & PodList;
      if (path.endsWith("/pods")) pods = list;
      return stringify({ apiVersion: "v1", kind: "List", items: list.items ?? [] });
    });
  }
  for (const pod of pods?.items ?? []) {
    const name = pod.metadata?.name;
    if (!name) continue;
    const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].map((c) => c.name).filter((c): c is string => Boolean(c));
    for (const container of containers) {
      const path = `/api/v1/namespaces/kube-system/pods/${encodeURIComponent(name)}/log?container=${encodeURIComponent(container)}`;
      await bundle.part(`cluster/pod-logs/kube-system/${name}/${container}.log`, `the log of ${name}/${container}`, () => get(path));
    }
  }
}
