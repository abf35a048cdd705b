import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
// @ts-expect-error plain ESM double without type declarations
import { registerNode } from "./kube-api/client.mjs";
// @ts-expect-error plain ESM double without type declarations
import { makeForeignClient } from "./kube-api/pki.mjs";
// @ts-expect-error plain ESM double without type declarations
import { call, openWatch, runScript, startFakeApi } from "./kube-api/testing.mjs";

const run = promisify(execFile);
const KUBECTL = "/usr/bin/kubectl";

type Api = Awaited<ReturnType<typeof startFakeApi>>;
type WatchEvent = { type: string; object: any };

const started: Api[] = [];
const dirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "kina-kube-api-"));
  dirs.push(dir);
  return dir;
}

async function startApi(options: { faults?: string; nodeName?: string } = {}): Promise<Api> {
  const api = await startFakeApi({ dir: tempDir(), nodeName: options.nodeName ?? "dev-control-plane", ...options });
  started.push(api);
  return api;
}

afterEach(async () => {
  for (const api of started.splice(0)) await api.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Runs the real kubectl against the host kubeconfig with a throwaway HOME (its discovery cache lives there). */
async function kubectl(api: Api, args: string[]): Promise<string> {
  const home = join(api.stateDir, "..", "home");
  const { stdout } = await run(KUBECTL, ["--kubeconfig", api.hostKubeconfig, ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home },
  });
  return stdout;
}

/** kubectl table output → rows of cells keyed by upper-case column header. */
function tableRows(output: string): Record<string, string>[] {
  const [header, ...lines] = output.trim().split("\n");
  const columns = (header ?? "").split(/\s{2,}/);
  return lines.map((line) => {
    const cells = line.split(/\s{2,}/);
    return Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? ""]));
  });
}

const KINDNET = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: kindnet
  namespace: kube-system
---
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: kindnet
  namespace: kube-system
spec:
  selector:
    matchLabels:
      app: kindnet
  template:
    metadata:
      labels:
        app: kindnet
    spec:
      tolerations:
      - operator: Exists
      containers:
      - name: kindnet-cni
        image: docker.io/kindest/kindnetd:v20250512-df8de77b
`;

const daemonSet = (name: string) => ({
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name, namespace: "kube-system" },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: `example/${name}:1` }] } },
  },
});

/** A zombie (exited, not yet reaped by init) counts as stopped. */
function isRunning(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

const nodeReady = (node: any) => node.status.conditions.find((c: any) => c.type === "Ready");

describe("fake kube-apiserver: start, admin.conf and kubectl", () => {
  it("writes a kubeadm-shaped admin.conf and kubectl sees the control-plane node NotReady", async () => {
    const api = await startApi();
    const adminConf = parse(readFileSync(api.adminConf, "utf8"));
    expect(adminConf["current-context"]).toBe("kubernetes-admin@kubernetes");
    expect(adminConf.clusters[0]).toMatchObject({ name: "kubernetes", cluster: { server: "https://192.168.64.3:6443" } });
    expect(adminConf.users[0].name).toBe("kubernetes-admin");
    expect(Object.keys(adminConf.users[0].user).sort()).toEqual(["client-certificate-data", "client-key-data"]);

    const rows = tableRows(await kubectl(api, ["get", "nodes"]));
    expect(rows).toEqual([expect.objectContaining({ NAME: "dev-control-plane", STATUS: "NotReady", ROLES: "control-plane" })]);

    const node = JSON.parse(await kubectl(api, ["get", "node", "dev-control-plane", "-o", "json"]));
    expect(nodeReady(node)).toMatchObject({ status: "False", reason: "KubeletNotReady" });
    expect(nodeReady(node).message).toContain("cni plugin not initialized");
    expect(node.spec.taints).toEqual([{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]);

    const pods = tableRows(await kubectl(api, ["get", "pods", "-A"]));
    expect(pods.map((p) => p.NAMESPACE)).toContain("kube-system");
    const deployments = tableRows(await kubectl(api, ["get", "deploy", "-n", "kube-system"]));
    expect(deployments).toEqual([expect.objectContaining({ NAME: "coredns", READY: "0/2" })]);
  });

  it("serves a pod's log to kubectl logs as text, and refuses an unknown container as the API server does", async () => {
    const api = await startApi();
    const pod = "kube-apiserver-dev-control-plane";
    expect(await kubectl(api, ["logs", "-n", "kube-system", pod])).toContain('container="kube-apiserver"');
    expect((await kubectl(api, ["logs", "-n", "kube-system", pod, "--tail", "1"])).trim().split("\n")).toHaveLength(1);
    await expect(kubectl(api, ["logs", "-n", "kube-system", pod, "-c", "nope"])).rejects.toMatchObject({
      stderr: expect.stringContaining("container nope is not valid for pod kube-apiserver-dev-control-plane"),
    });
    await expect(kubectl(api, ["logs", "-n", "kube-system", "missing"])).rejects.toMatchObject({
      stderr: expect.stringContaining('pods "missing" not found'),
    });
  });

  it("kubectl apply --server-side installs a CNI DaemonSet that becomes ready and makes nodes Ready", async () => {
    const api = await startApi();
    const manifest = join(api.stateDir, "..", "kindnet.yaml");
    writeFileSync(manifest, KINDNET);
    const applied = await kubectl(api, ["apply", "--server-side", "-f", manifest]);
    expect(applied).toContain("daemonset.apps/kindnet serverside-applied");

    await kubectl(api, ["wait", "--for=condition=Ready", "node/dev-control-plane", "--timeout=20s"]);
    const ds = tableRows(await kubectl(api, ["get", "ds", "-n", "kube-system"]));
    expect(ds.find((r) => r.NAME === "kindnet")).toMatchObject({ DESIRED: "1", READY: "1", AVAILABLE: "1" });
    // CoreDNS tolerates the control-plane taint, so it becomes available on the tainted node.
    await kubectl(api, ["wait", "--for=condition=Available", "deployment/coredns", "-n", "kube-system", "--timeout=20s"]);
  });

  it("accepts kubectl create for simple kinds (sent as protobuf) and client-side apply", async () => {
    const api = await startApi();
    await kubectl(api, ["create", "namespace", "team"]);
    await kubectl(api, ["create", "configmap", "settings", "-n", "team", "--from-literal=mode=fast"]);
    const cm = JSON.parse(await kubectl(api, ["get", "configmap", "settings", "-n", "team", "-o", "json"]));
    expect(cm.data).toEqual({ mode: "fast" });
    const sa = JSON.parse(await kubectl(api, ["get", "serviceaccount", "default", "-n", "team", "-o", "json"]));
    expect(sa.metadata.namespace).toBe("team");
  });
});

describe("fake kube-apiserver: object store", () => {
  it("server-side apply needs a fieldManager, creates, updates, and reports conflicts between managers", async () => {
    const api = await startApi();
    const path = "/api/v1/namespaces/default/configmaps/settings";
    const yamlBody = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\ndata:\n  a: \"1\"\n  b: \"2\"\n";
    const apply = (manager: string | undefined, body: string, force = false) =>
      call(api, "PATCH", `${path}${manager ? `?fieldManager=${manager}${force ? "&force=true" : ""}` : ""}`,
        { body, contentType: "application/apply-patch+yaml" });

    const missingManager = await apply(undefined, yamlBody);
    expect(missingManager.status).toBe(400);
    expect(missingManager.body).toMatchObject({ kind: "Status", reason: "BadRequest" });

    const created = await apply("kina", yamlBody);
    expect(created.status).toBe(201);
    expect(created.body.data).toEqual({ a: "1", b: "2" });
    expect(created.body.metadata.managedFields).toEqual([expect.objectContaining({ manager: "kina", operation: "Apply" })]);

    // Dropping b from the applied config removes it; the same manager may change its own fields freely.
    const updated = await apply("kina", JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { a: "3" } }));
    expect(updated.status).toBe(200);
    expect(updated.body.data).toEqual({ a: "3" });
    expect(Number(updated.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.body.metadata.resourceVersion));
    expect(updated.body.metadata.uid).toBe(created.body.metadata.uid);

    const otherBody = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { a: "9" } });
    const conflict = await apply("someone-else", otherBody);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ reason: "Conflict" });
    expect(conflict.body.message).toContain('conflict with "kina"');
    const forced = await apply("someone-else", otherBody, true);
    expect(forced.status).toBe(200);
    expect(forced.body.data.a).toBe("9");
  });

  it("returns Status errors for missing objects, duplicates and unknown resources", async () => {
    const api = await startApi();
    const missing = await call(api, "GET", "/apis/apps/v1/namespaces/kube-system/deployments/nope");
    expect(missing).toMatchObject({ status: 404, body: { kind: "Status", reason: "NotFound", message: 'deployments.apps "nope" not found' } });
    const body = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "dup" } };
    expect((await call(api, "POST", "/api/v1/namespaces/default/configmaps", { body })).status).toBe(201);
    const duplicate = await call(api, "POST", "/api/v1/namespaces/default/configmaps", { body });
    expect(duplicate).toMatchObject({ status: 409, body: { reason: "AlreadyExists" } });
    const badName = await call(api, "POST", "/api/v1/namespaces/default/configmaps",
      { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "Not_Valid" } } });
    expect(badName).toMatchObject({ status: 422, body: { reason: "Invalid" } });
    const noNamespace = await call(api, "POST", "/api/v1/namespaces/ghost/configmaps", { body });
    expect(noNamespace).toMatchObject({ status: 404, body: { message: 'namespaces "ghost" not found' } });
    expect((await call(api, "GET", "/apis/example.com/v1/widgets")).status).toBe(404);
  });

  it("removes the control-plane taint with a merge patch, and untainted workloads become available", async () => {
    const api = await startApi();
    const webBody = {
      apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", namespace: "default" },
      spec: { replicas: 1, selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "web", image: "nginx" }] } } },
    };
    expect((await call(api, "POST", "/apis/apps/v1/namespaces/default/deployments", { body: webBody })).status).toBe(201);
    expect((await call(api, "POST", "/apis/apps/v1/namespaces/kube-system/daemonsets", { body: daemonSet("kindnet") })).status).toBe(201);
    const watch = openWatch(api, "/apis/apps/v1/namespaces/default/deployments?watch=1");
    await watch.ready;
    try {
      // Nodes turn Ready, but the only node is tainted and "web" does not tolerate it.
      await kubectl(api, ["wait", "--for=condition=Ready", "node/dev-control-plane", "--timeout=20s"]);
      const blocked = await call(api, "GET", "/apis/apps/v1/namespaces/default/deployments/web");
      expect(blocked.body.status.conditions).toContainEqual(expect.objectContaining({ type: "Available", status: "False" }));

      const patched = await call(api, "PATCH", `/api/v1/nodes/${api.nodeName}`,
        { body: { spec: { taints: null } }, contentType: "application/merge-patch+json" });
      expect(patched.status).toBe(200);
      expect(patched.body.spec.taints).toBeUndefined();
      const rows = tableRows(await kubectl(api, ["get", "nodes"]));
      expect(rows[0]).toMatchObject({ STATUS: "Ready" });

      const available = await watch.next((e: WatchEvent) => e.type === "MODIFIED" && e.object.metadata.name === "web"
        && e.object.status?.availableReplicas === 1);
      expect(available.object.status.conditions).toContainEqual(expect.objectContaining({ type: "Available", status: "True" }));
    } finally {
      watch.close();
    }
  });

  it("replaces the taint list as a whole on strategic merge patch and applies JSON patches", async () => {
    const api = await startApi();
    const nodePath = `/api/v1/nodes/${api.nodeName}`;
    const taint = { key: "example.com/dedicated", value: "gpu", effect: "NoSchedule" };
    const strategic = await call(api, "PATCH", nodePath,
      { body: { spec: { taints: [taint] } }, contentType: "application/strategic-merge-patch+json" });
    expect(strategic.body.spec.taints).toEqual([taint]);
    const json = await call(api, "PATCH", nodePath,
      { body: [{ op: "remove", path: "/spec/taints/0" }, { op: "add", path: "/metadata/labels/tier", value: "gpu" }],
        contentType: "application/json-patch+json" });
    expect(json.body.spec.taints).toEqual([]);
    expect(json.body.metadata.labels.tier).toBe("gpu");
    const selected = await call(api, "GET", "/api/v1/nodes?labelSelector=tier%3Dgpu");
    expect(selected.body.items.map((n: any) => n.metadata.name)).toEqual([api.nodeName]);
    const none = await call(api, "GET", "/api/v1/nodes?fieldSelector=metadata.name%3Dother");
    expect(none.body.items).toEqual([]);
  });

  it("registers joined nodes, which become Ready with the rest once the CNI is ready", async () => {
    const api = await startApi();
    await registerNode({ adminConf: api.adminConf, name: "dev-worker", ip: "192.168.64.4", role: "worker" });
    await registerNode({ adminConf: api.adminConf, name: "dev-control-plane2", ip: "192.168.64.5", role: "control-plane" });
    let rows = tableRows(await kubectl(api, ["get", "nodes"]));
    expect(rows.map((r) => [r.NAME, r.STATUS])).toEqual([
      ["dev-control-plane", "NotReady"], ["dev-control-plane2", "NotReady"], ["dev-worker", "NotReady"]]);
    const cp2 = await call(api, "GET", "/api/v1/nodes/dev-control-plane2");
    expect(cp2.body.spec.taints).toEqual([{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }]);

    await call(api, "POST", "/apis/apps/v1/namespaces/kube-system/daemonsets", { body: daemonSet("kindnet") });
    await kubectl(api, ["wait", "--for=condition=Ready", "nodes", "--all", "--timeout=20s"]);
    const ds = await call(api, "GET", "/apis/apps/v1/namespaces/kube-system/daemonsets/kindnet");
    expect(ds.body.status).toMatchObject({ desiredNumberScheduled: 3, numberReady: 3 });
    rows = tableRows(await kubectl(api, ["get", "nodes"]));
    expect(rows.every((r) => r.STATUS === "Ready")).toBe(true);
  });
});

describe("fake kube-apiserver: watch and simulated readiness", () => {
  it("streams ADDED then MODIFIED when a DaemonSet becomes ready, and nodes turn Ready", async () => {
    const api = await startApi();
    const list = await call(api, "GET", "/apis/apps/v1/namespaces/kube-system/daemonsets");
    const rv = list.body.metadata.resourceVersion;
    const dsWatch = openWatch(api, `/apis/apps/v1/namespaces/kube-system/daemonsets?watch=true&resourceVersion=${rv}`);
    const nodeWatch = openWatch(api, "/api/v1/nodes?watch=1");
    await Promise.all([dsWatch.ready, nodeWatch.ready]);
    try {
      const initialNode = await nodeWatch.next((e: WatchEvent) => e.type === "ADDED");
      expect(nodeReady(initialNode.object).status).toBe("False");

      await call(api, "POST", "/apis/apps/v1/namespaces/kube-system/daemonsets", { body: daemonSet("kindnet") });
      const added = await dsWatch.next((e: WatchEvent) => e.object.metadata.name === "kindnet");
      expect(added.type).toBe("ADDED");
      const ready = await dsWatch.next((e: WatchEvent) => e.type === "MODIFIED" && e.object.metadata.name === "kindnet");
      expect(ready.object.status).toMatchObject({ desiredNumberScheduled: 1, numberReady: 1, numberAvailable: 1,
        updatedNumberScheduled: 1, observedGeneration: 1 });
      const nodeEvent = await nodeWatch.next((e: WatchEvent) => e.type === "MODIFIED" && nodeReady(e.object).status === "True");
      expect(nodeReady(nodeEvent.object).reason).toBe("KubeletReady");
    } finally {
      dsWatch.close();
      nodeWatch.close();
    }
  });

  it("keeps a DaemonSet unready while the faults file names it, and recovers when the fault is removed", async () => {
    const dir = tempDir();
    const faults = join(dir, "faults.json");
    writeFileSync(faults, JSON.stringify({ daemonSetsNeverReady: ["kindnet"] }));
    const api = await startApi({ faults });
    const watch = openWatch(api, "/apis/apps/v1/namespaces/kube-system/daemonsets?watch=1");
    await watch.ready;
    try {
      await call(api, "POST", "/apis/apps/v1/namespaces/kube-system/daemonsets", { body: daemonSet("kindnet") });
      const computed = await watch.next((e: WatchEvent) => e.type === "MODIFIED" && e.object.metadata.name === "kindnet");
      expect(computed.object.status).toMatchObject({ desiredNumberScheduled: 1, numberReady: 0, numberUnavailable: 1 });
      const rows = tableRows(await kubectl(api, ["get", "ds", "kindnet", "-n", "kube-system"]));
      expect(rows[0]).toMatchObject({ DESIRED: "1", READY: "0" });
      expect(tableRows(await kubectl(api, ["get", "nodes"]))[0]).toMatchObject({ STATUS: "NotReady" });

      writeFileSync(faults, JSON.stringify({ daemonSetsNeverReady: [] }));
      const recovered = await watch.next((e: WatchEvent) => e.type === "MODIFIED" && e.object.metadata.name === "kindnet"
        && e.object.status.numberReady === 1);
      expect(recovered.object.status.numberUnavailable).toBeUndefined();
    } finally {
      watch.close();
    }
  });

  it("keeps a Deployment unavailable while the faults file names it", async () => {
    const dir = tempDir();
    const faults = join(dir, "faults.json");
    writeFileSync(faults, JSON.stringify({ deploymentsNeverAvailable: ["coredns"] }));
    const api = await startApi({ faults });
    await call(api, "POST", "/apis/apps/v1/namespaces/kube-system/daemonsets", { body: daemonSet("kindnet") });
    await kubectl(api, ["wait", "--for=condition=Ready", "node/dev-control-plane", "--timeout=20s"]);
    const coredns = await call(api, "GET", "/apis/apps/v1/namespaces/kube-system/deployments/coredns");
    expect(coredns.body.status.conditions).toContainEqual(expect.objectContaining({ type: "Available", status: "False",
      reason: "MinimumReplicasUnavailable" }));
  });
});

describe("fake kube-apiserver: TLS and process lifecycle", () => {
  it("rejects clients without a certificate from the cluster CA", async () => {
    const api = await startApi();
    const foreign = makeForeignClient(join(tempDir(), "foreign-pki"));
    const ca = readFileSync(join(api.pkiDir, "ca.crt"));
    await expect(call(api, "GET", "/api/v1/nodes", { credentials: { ca, cert: foreign.cert, key: foreign.key } })).rejects.toThrow();
    const anonymous = new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port: api.port, path: "/api/v1/nodes", ca, servername: "localhost" }, resolve);
      req.on("error", reject);
      req.end();
    });
    await expect(anonymous).rejects.toThrow();
    expect((await call(api, "GET", "/readyz")).body).toBe("ok");
  });

  it("keeps objects across a restart with the same state dir", async () => {
    const api = await startApi();
    const created = await call(api, "POST", "/api/v1/namespaces/default/configmaps",
      { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "keep" }, data: { k: "v" } } });
    const firstPid = api.pid();
    await api.stop();
    await api.restart();
    expect(api.pid()).not.toBe(firstPid);
    const after = await call(api, "GET", "/api/v1/namespaces/default/configmaps/keep");
    expect(after.body).toMatchObject({ data: { k: "v" }, metadata: { uid: created.body.metadata.uid } });
    const next = await call(api, "POST", "/api/v1/namespaces/default/configmaps",
      { body: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "later" } } });
    expect(Number(next.body.metadata.resourceVersion)).toBeGreaterThan(Number(created.body.metadata.resourceVersion));
  });

  it("start is a no-op while running; stop is idempotent", async () => {
    const api = await startApi();
    const pid = api.pid();
    await api.restart();
    expect(api.pid()).toBe(pid);
    await api.stop();
    expect(isRunning(pid)).toBe(false);
    await api.stop();
    await expect(runScript("stop.mjs", ["--state-dir", join(tempDir(), "never-started")])).resolves.toBeDefined();
  });

  it("exits on its own when its pid file is removed", async () => {
    const api = await startApi();
    const pid = api.pid();
    const pidFile = join(api.stateDir, "apiserver.pid");
    rmSync(pidFile);
    // The server's own watchdog notices; wait for the process to be gone (bounded by the test timeout).
    await expect.poll(() => isRunning(pid), { timeout: 10_000, interval: 100 }).toBe(false);
    expect(existsSync(pidFile)).toBe(false);
  });
});

describe("fake kube-apiserver: numbered write crashes (the crash matrix)", () => {
  const configMap = (name: string) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data: { a: "1" } });
  const sleeper = () => {
    const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal)));
    return { child, exited };
  };

  it("kills the named client before write n is applied, or after it is applied but before the answer", async () => {
    const dir = tempDir();
    const faults = join(dir, "faults.json");
    const pidFile = join(dir, "client.pid");
    const api = await startApi({ faults });
    const path = "/api/v1/namespaces/default/configmaps";

    let victim = sleeper();
    writeFileSync(pidFile, String(victim.child.pid));
    writeFileSync(faults, JSON.stringify({ recordWrites: true, crashAtWrite: { n: 2, after: false, pidFile } }));
    expect((await call(api, "POST", path, { body: configMap("one") })).status).toBe(201);
    await expect(call(api, "POST", path, { body: configMap("two") })).rejects.toThrow();
    expect(await victim.exited).toBe("SIGKILL");
    expect((await call(api, "GET", `${path}/two`)).status).toBe(404);

    victim = sleeper();
    writeFileSync(pidFile, String(victim.child.pid));
    writeFileSync(faults, JSON.stringify({ recordWrites: true, crashAtWrite: { n: 3, after: true, pidFile } }));
    await expect(call(api, "POST", path, { body: configMap("three") })).rejects.toThrow();
    expect(await victim.exited).toBe("SIGKILL");
    expect((await call(api, "GET", `${path}/three`)).status).toBe(200);

    // Reads are not numbered; writes are, across the whole run.
    const log = readFileSync(join(dir, "kube-api-writes.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(log.map((w) => [w.n, w.method])).toEqual([[1, "POST"], [2, "POST"], [3, "POST"]]);
  });
});
