// kina export logs | kubeconfig, get kubeconfig --internal, get clusters --json and kina exec,
// with the real kina binary against both doubles (and the real kubectl where a file must parse).

import { execFileSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";
import { tempDir } from "../helpers/run.js";

const mac = useFakeMacs();

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

function dirsUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [join(dir, e.name), ...dirsUnder(join(dir, e.name))] : []));
}

const kubectl = (m: FakeMac, args: string[]) =>
  execFileSync("/usr/bin/kubectl", args, { env: { ...process.env, HOME: m.home, KUBECONFIG: "" }, encoding: "utf8" });

/** The secrets a bundle must not hold: the admin client key (base64 and PEM) and every bootstrap token kubeadm knows. */
function secretsOf(m: FakeMac, cluster: string): { keyData: string; keyPem: string; keyBody: string[]; tokens: string[] } {
  const kubeconfig = parse(readFileSync(join(m.env.KINA_HOME!, "clusters", cluster, "kubeconfig"), "utf8"));
  const keyData: string = kubeconfig.users[0].user["client-key-data"];
  const keyPem = Buffer.from(keyData, "base64").toString("utf8");
  // Every base64 line inside the PEM armour: a part of the key is as bad as all of it.
  const keyBody = keyPem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
  const kubeadm = JSON.parse(readFileSync(join(m.fake, "containers", `${cluster}-control-plane`, "rootfs/var/lib/fake-node/kubeadm.json"), "utf8"));
  const tokens: string[] = (kubeadm.tokens ?? []).map((t: string | { token: string }) => (typeof t === "string" ? t : t.token));
  return { keyData, keyPem, keyBody, tokens };
}

function expectNoSecrets(files: string[], secrets: ReturnType<typeof secretsOf>): void {
  expect(secrets.tokens.length).toBeGreaterThan(0);
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const where = file;
    expect(text, where).not.toContain("PRIVATE KEY");
    expect(text, where).not.toContain(secrets.keyData);
    expect(text, where).not.toContain(secrets.keyData.slice(0, 64));
    for (const line of secrets.keyBody) expect(text, where).not.toContain(line);
    for (const token of secrets.tokens) {
      expect(text, where).not.toContain(token);
      // The secret half alone is the credential.
      expect(text, where).not.toContain(token.split(".")[1]);
    }
  }
}

describe("kina export logs", () => {
  it("1+1: state, step logs, per-node journals/crictl/console/version/hosts/ip, nodes, events, kube-system pod logs; no key material; a stopped node is recorded, not fatal", async () => {
    const m = mac();
    const config = ["apiVersion: kind.x-k8s.io/v1alpha4", "kind: Cluster", "nodes:", "- role: control-plane", "- role: worker", ""].join("\n");
    const created = await m.kina(["create", "dev", "--config", "-"], { input: config });
    expect(created.code, created.stderr).toBe(0);
    const secrets = secretsOf(m, "dev");
    const cpIp = m.containers().find((c) => c.id === "dev-control-plane")!.ip!;

    // A step log that holds secrets (a kina before this redactor, a tool that printed them): the
    // bundle must still not carry them.
    const leaky = join(m.env.KINA_HOME!, "clusters", "dev", "logs", "kubeadmInit-1.log");
    appendFileSync(leaky, `${secrets.keyPem}\nclient-key-data: ${secrets.keyData}\nkubeadm join x:6443 --token ${secrets.tokens[0]}\nAuthorization: Bearer ${secrets.tokens[0]}\n`);

    const out = tempDir("kina-export-");
    const dir = join(out, "bundle");
    const r = await m.kina(["export", "logs", dir, "--name", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([dir, `${dir}.tar.gz`]);

    const read = (p: string) => readFileSync(join(dir, p), "utf8");
    expect(JSON.parse(read("kina/state.json")).name).toBe("dev");
    expect(readdirSync(join(dir, "kina/logs"))).toEqual(expect.arrayContaining(["kubeadmInit-1.log", "nodesJoined-1.log", "cniInstalled-1.log"]));
    for (const node of ["dev-control-plane", "dev-worker"]) {
      expect(read(`nodes/${node}/journal-kubelet.log`)).toContain("kubelet");
      expect(read(`nodes/${node}/journal-containerd.log`)).toContain("containerd");
      expect(read(`nodes/${node}/crictl-ps.txt`)).toContain("kube-proxy");
      expect(read(`nodes/${node}/kind-version.txt`).trim()).toMatch(/^v1\.\d+\.\d+$/);
      expect(read(`nodes/${node}/hosts.txt`)).toContain("localhost");
      expect(existsSync(join(dir, `nodes/${node}/container-logs.txt`))).toBe(true);
    }
    expect(read("nodes/dev-control-plane/ip-addr.txt")).toContain(`inet ${cpIp}/24`);
    expect(read("nodes/dev-control-plane/crictl-ps.txt")).toContain("kube-apiserver");
    const nodes = parse(read("cluster/nodes.yaml"));
    expect(nodes.items.map((n: { metadata: { name: string } }) => n.metadata.name).sort()).toEqual(["dev-control-plane", "dev-worker"]);
    expect(parse(read("cluster/events.yaml"))).toMatchObject({ kind: "List" });
    expect(read("cluster/pod-logs/kube-system/kube-apiserver-dev-control-plane/kube-apiserver.log")).toContain("kube-apiserver");
    expect(r.stderr).not.toContain("WARNING");

    // The leaked lines arrived redacted, the rest of the log intact.
    expect(read("kina/logs/kubeadmInit-1.log")).toContain("kubeadm init");
    expect(read("kina/logs/kubeadmInit-1.log")).toContain("<private key redacted>");

    // Private files: 0600, folders 0700, the archive too.
    for (const f of walk(dir)) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    for (const d of [dir, ...dirsUnder(dir)]) expect(statSync(d).mode & 0o777, d).toBe(0o700);
    expect(statSync(`${dir}.tar.gz`).mode & 0o777).toBe(0o600);

    // The archive holds the same files, and neither holds key material.
    const unpacked = tempDir("kina-untar-");
    execFileSync("tar", ["-xzf", `${dir}.tar.gz`, "-C", unpacked]);
    const inTar = walk(join(unpacked, "bundle")).map((f) => relative(join(unpacked, "bundle"), f)).sort();
    expect(inTar).toEqual(walk(dir).map((f) => relative(dir, f)).sort());
    expectNoSecrets([...walk(dir), ...walk(unpacked)], secrets);

    // A stopped worker: what needs the VM running is recorded as unavailable, its console log is
    // still there, and the export succeeds with a warning.
    m.container(["stop", "dev-worker"]);
    const second = join(out, "second");
    const s = await m.kina(["export", "logs", second, "--name", "dev"]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toMatch(/WARNING: \d+ parts could not be collected/);
    expect(readFileSync(join(second, "nodes/dev-worker/journal-kubelet.log.unavailable.txt"), "utf8")).toContain("dev-worker is stopped");
    expect(existsSync(join(second, "nodes/dev-worker/container-logs.txt"))).toBe(true);
    expect(readFileSync(join(second, "nodes/dev-control-plane/journal-kubelet.log"), "utf8")).toContain("kubelet");
    expect(readFileSync(join(second, "unavailable.txt"), "utf8")).toContain("nodes/dev-worker/crictl-ps.txt");
    expect(existsSync(`${second}.tar.gz`)).toBe(true);
  });

  it("API down: the cluster-wide parts say why, the node parts are still collected; an existing DIR is refused with exit 2", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    const out = tempDir("kina-export-");
    mkdirSync(join(out, "taken"));
    writeFileSync(join(out, "taken", "mine.txt"), "user data");
    const refused = await m.kina(["export", "logs", join(out, "taken"), "--name", "dev"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("already exists");
    expect(readdirSync(join(out, "taken"))).toEqual(["mine.txt"]);
    expect(existsSync(join(out, "taken.tar.gz"))).toBe(false);

    // kube-apiserver gone while the VM runs: kubelet still answers, the API does not.
    execFileSync(process.execPath, [join(import.meta.dirname, "../doubles/kube-api/stop.mjs"), "--state-dir", apiStateDir(m)]);
    const dir = join(out, "down");
    const r = await m.kina(["export", "logs", dir, "--name", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("WARNING");
    expect(readFileSync(join(dir, "cluster/nodes.yaml.unavailable.txt"), "utf8")).toContain("did not answer /readyz");
    expect(readFileSync(join(dir, "nodes/dev-control-plane/journal-kubelet.log"), "utf8")).toContain("kubelet");
    expect(existsSync(`${dir}.tar.gz`)).toBe(true);
  });
});

describe("kina export logs of a failed create", () => {
  it("kubeadm init failed: the failed step's log and the node are there, the cluster-wide parts say there is no kubeconfig yet", async () => {
    const m = mac();
    m.faults([{ argv: ["exec", "dev-control-plane", "kubeadm", "init"], times: 1, exitCode: 1, stderr: "[ERROR CRI]: container runtime is not running\n" }]);
    expect((await m.kina(["create", "dev"])).code).toBe(1);
    const dir = join(tempDir("kina-export-"), "failed");
    const r = await m.kina(["export", "logs", dir, "--name", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "kina/logs/kubeadmInit-1.log"), "utf8")).toContain("container runtime is not running");
    expect(readFileSync(join(dir, "nodes/dev-control-plane/journal-kubelet.log"), "utf8")).toContain("kubelet");
    expect(readFileSync(join(dir, "cluster/nodes.yaml.unavailable.txt"), "utf8")).toContain("no kubeconfig yet");
    expect(r.stderr).toContain("WARNING");
  });
});

function apiStateDir(m: FakeMac): string {
  const found = walk(m.fake).find((f) => f.endsWith("apiserver.pid"));
  if (!found) throw new Error("no API double running");
  return join(found, "..");
}

describe("get kubeconfig --internal, get clusters --json, exec, export kubeconfig", () => {
  it("works on one cluster as a user would use them", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    const vm = m.containers()[0]!;

    // --internal: the VM's address on the API server's own port; real kubectl reads the file.
    const internal = await m.kina(["get", "kubeconfig", "dev", "--internal"]);
    expect(internal.code, internal.stderr).toBe(0);
    const file = join(m.root, "internal.kubeconfig");
    writeFileSync(file, internal.stdout, { mode: 0o600 });
    const server = kubectl(m, ["--kubeconfig", file, "config", "view", "-o", "jsonpath={.clusters[0].cluster.server}"]);
    expect(server).toBe(`https://${vm.ip}:6443`);
    expect(kubectl(m, ["--kubeconfig", file, "config", "current-context"]).trim()).toBe("kina-dev");
    const plain = await m.kina(["get", "kubeconfig", "dev"]);
    expect(parse(plain.stdout).clusters[0].cluster.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);

    // get clusters --json: the documented fields; the text form is unchanged.
    const listed = await m.kina(["get", "clusters", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual([
      {
        name: "dev",
        phase: "ready",
        nodes: [{ name: "dev-control-plane", role: "control-plane", ip: vm.ip, state: "running" }],
        kubernetesVersion: expect.stringMatching(/^v1\.\d+\.\d+$/),
      },
    ]);
    expect((await m.kina(["get", "clusters"])).stdout).toBe("dev\n");

    // exec: by node name or role name, exit code passed through, stdout is the command's.
    const version = await m.kina(["exec", "dev-control-plane", "--", "cat", "/kind/version"]);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout.trim()).toMatch(/^v1\.\d+\.\d+$/);
    expect((await m.kina(["exec", "control-plane", "--name", "dev", "--", "sh", "-c", "exit 3"])).code).toBe(3);
    expect((await m.kina(["exec", "dev-control-plane", "--", "false"])).code).toBe(1);
    const unknown = await m.kina(["exec", "dev-worker", "--", "true"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown node "dev-worker"');
    expect(unknown.stderr).toContain("dev-control-plane");
    // No TTY here: -i only, and a shell by default.
    await m.kina(["exec", "dev-control-plane"]);
    const shells = m.execLog().filter((e) => !e.via && ["bash", "sh"].includes(e.argv[0]!) && e.argv.length === 1);
    expect(shells).toHaveLength(1);

    // export kubeconfig brings back a context the user deleted, and makes it current.
    kubectl(m, ["config", "delete-context", "kina-dev"]);
    kubectl(m, ["config", "unset", "current-context"]);
    const exported = await m.kina(["export", "kubeconfig", "--name", "dev"]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain('Set kubectl context to "kina-dev"');
    expect(kubectl(m, ["config", "current-context"]).trim()).toBe("kina-dev");
    expect(kubectl(m, ["get", "nodes", "--no-headers"])).toMatch(/^dev-control-plane\s+Ready/);
  });
});
