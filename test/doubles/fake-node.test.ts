import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import crypto from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execInNode, type FakeNode } from "./container/node/exec.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const SEED = path.join(here, "container", "node-rootfs");

let host: string;
let savedApiDir: string | undefined;

// A kube-api stand-in with the contract's command lines: start writes an admin.conf and a real CA,
// stop and registerNode record their calls, so kubeadm flows are testable without the real server.
function writeKubeApiStub(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "start.mjs"),
    `import fs from "node:fs"; import path from "node:path"; import { execFileSync } from "node:child_process";
const a = process.argv.slice(2); const opt = (n) => a[a.indexOf(n) + 1];
fs.appendFileSync(path.join(${JSON.stringify(dir)}, "calls.jsonl"), JSON.stringify({ script: "start", args: a }) + "\\n");
fs.mkdirSync(opt("--state-dir"), { recursive: true }); fs.mkdirSync(opt("--pki-dir"), { recursive: true });
execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
  path.join(opt("--pki-dir"), "ca.key"), "-out", path.join(opt("--pki-dir"), "ca.crt"), "-days", "1", "-subj", "/CN=kubernetes"], { stdio: "ignore" });
fs.writeFileSync(opt("--admin-conf"), "server: https://" + opt("--advertise-address") + ":6443\\n");
`,
  );
  fs.writeFileSync(
    path.join(dir, "stop.mjs"),
    `import fs from "node:fs"; import path from "node:path";
fs.appendFileSync(path.join(${JSON.stringify(dir)}, "calls.jsonl"), JSON.stringify({ script: "stop", args: process.argv.slice(2) }) + "\\n");
`,
  );
  fs.writeFileSync(
    path.join(dir, "client.mjs"),
    `import fs from "node:fs"; import path from "node:path";
export async function registerNode(p) {
  fs.appendFileSync(path.join(${JSON.stringify(dir)}, "calls.jsonl"), JSON.stringify({ script: "registerNode", params: p }) + "\\n");
}
`,
  );
}

function stubCalls(): { script: string; args?: string[]; params?: Record<string, string> }[] {
  const file = path.join(host, "kube-api-stub", "calls.jsonl");
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
}

function makeNode(id: string, ip: string, apiHostPort?: number): FakeNode {
  const stateDir = path.join(host, "state", "containers", id);
  const rootfs = path.join(stateDir, "rootfs");
  fs.cpSync(SEED, rootfs, { recursive: true });
  return {
    id,
    rootfs,
    stateDir,
    ip,
    publishedPorts: apiHostPort ? [{ hostAddress: "127.0.0.1", hostPort: apiHostPort, containerPort: 6443, proto: "tcp" }] : [],
    labels: { "io.kina.cluster": "dev" },
    clusterStateDir: path.join(host, "state"),
  };
}

function execLog(): { node: string; argv: string[]; exitCode: number; via?: string; redirects?: string[] }[] {
  const file = path.join(host, "state", "exec.log");
  return fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l));
}

function inRootfs(node: FakeNode, p: string): string {
  return path.join(node.rootfs, p);
}

beforeEach(() => {
  host = fs.mkdtempSync(path.join(os.tmpdir(), "kina-fake-node-"));
  fs.mkdirSync(path.join(host, "state"));
  writeKubeApiStub(path.join(host, "kube-api-stub"));
  savedApiDir = process.env.KINA_FAKE_KUBE_API_DIR;
  process.env.KINA_FAKE_KUBE_API_DIR = path.join(host, "kube-api-stub");
});

afterEach(() => {
  if (savedApiDir === undefined) delete process.env.KINA_FAKE_KUBE_API_DIR;
  else process.env.KINA_FAKE_KUBE_API_DIR = savedApiDir;
  fs.rmSync(host, { recursive: true, force: true });
});

describe("fake node mini shell", () => {
  it.each([
    ["pipes", "cat /kind/version | cat"],
    ["command substitution", "echo $(cat /kind/version)"],
    ["backticks", "echo `cat /kind/version`"],
    ["parameter expansion", "echo $HOME"],
    ["expansion in double quotes", 'echo "$HOME"'],
    ["fd redirection", "cat /kind/version 2>&1"],
    ["stderr to file", "cat /nope 2> /tmp/err"],
    ["input redirection", "cat < /kind/version"],
    ["here-document", "cat <<EOF\nx\nEOF"],
    ["loops", "for f in a b; do echo $f; done"],
    ["if", "if test -f /kind/version; then echo yes; fi"],
    ["background jobs", "sleep 1 &"],
    ["subshells", "(cat /kind/version)"],
    ["globs", "rm -f /etc/cni/net.d/*"],
    ["assignments", "FOO=bar cat /kind/version"],
    ["cd", "cd /etc && cat crictl.yaml"],
  ])("refuses %s with exit 2 before running anything", async (_what, script) => {
    const node = makeNode("n1", "192.168.64.3");
    const r = await execInNode(node, ["sh", "-c", `mkdir -p /marker\n${script}`]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^fake sh: unsupported: /);
    expect(fs.existsSync(inRootfs(node, "marker"))).toBe(false);
  });

  it("refuses sh without -c", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const r = await execInNode(node, ["sh"], "cat /kind/version\n");
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain("fake sh: unsupported: sh without -c");
  });

  it("reports syntax errors like dash", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const r = await execInNode(node, ["sh", "-c", "cat >"]);
    expect(r).toMatchObject({ exitCode: 2, stderr: "sh: 1: Syntax error: end of file unexpected\n" });
    const r2 = await execInNode(node, ["sh", "-c", "true &&"]);
    expect(r2.exitCode).toBe(2);
    expect(r2.stderr).toContain("Syntax error");
  });

  it("runs quoted words, comments, && and || chains", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const script = [
      "# node prep",
      "set -eu",
      "mkdir -p '/etc/with space' && echo \"one  two\" # trailing comment",
      "test -f /does-not-exist || echo 'fallback ran'",
      "false && echo never",
      "echo done;echo again",
    ].join("\n");
    const r = await execInNode(node, ["sh", "-c", script]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("one  two\nfallback ran\ndone\nagain\n");
    expect(fs.statSync(inRootfs(node, "etc/with space")).isDirectory()).toBe(true);
  });

  it("stops at the first failing command under set -e, but not inside an && list", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const r = await execInNode(node, ["sh", "-c", "set -e; cat /missing; mkdir -p /after"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("cat: /missing: No such file or directory");
    expect(fs.existsSync(inRootfs(node, "after"))).toBe(false);

    const r2 = await execInNode(node, ["sh", "-c", "set -e; false && true; mkdir -p /after"]);
    expect(r2.exitCode).toBe(0);
    expect(fs.existsSync(inRootfs(node, "after"))).toBe(true);
  });

  it("says 'not found' for unknown commands inside a script", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const r = await execInNode(node, ["sh", "-c", "kubectl get nodes"]);
    expect(r).toMatchObject({ exitCode: 127, stderr: "sh: 1: kubectl: not found\n" });
  });
});

describe("fake node files", () => {
  it("writes `cat > PATH` from stdin inside the node rootfs only", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const config = "apiVersion: kubeadm.k8s.io/v1beta4\nkind: InitConfiguration\n";
    const r = await execInNode(node, ["sh", "-c", "mkdir -p /kind && cat > /kind/kubeadm.conf"], config);
    expect(r.exitCode).toBe(0);
    expect(fs.readFileSync(inRootfs(node, "kind/kubeadm.conf"), "utf8")).toBe(config);

    // `..` cannot climb out of the rootfs: it stops at the node's /.
    const escape = await execInNode(node, ["sh", "-c", "cat > ../../../../../escaped.txt"], "x");
    expect(escape.exitCode).toBe(0);
    expect(fs.existsSync(inRootfs(node, "escaped.txt"))).toBe(true);
    expect(fs.existsSync(path.join(host, "escaped.txt"))).toBe(false);
    expect(fs.existsSync(path.join(host, "state", "escaped.txt"))).toBe(false);

    const append = await execInNode(node, ["sh", "-c", "cat >> /kind/kubeadm.conf"], "---\n");
    expect(append.exitCode).toBe(0);
    expect(fs.readFileSync(inRootfs(node, "kind/kubeadm.conf"), "utf8")).toBe(config + "---\n");
  });

  it("refuses a symlink that points out of the rootfs", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const outside = path.join(host, "outside");
    fs.mkdirSync(outside);
    fs.symlinkSync(outside, inRootfs(node, "etc/link"));
    const r = await execInNode(node, ["sh", "-c", "cat > /etc/link/x"], "secret");
    expect(r.exitCode).not.toBe(0);
    expect(fs.existsSync(path.join(outside, "x"))).toBe(false);
  });

  it("fails a redirect into a missing directory like dash", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const r = await execInNode(node, ["sh", "-c", "cat > /no/such/dir/file"], "x");
    expect(r).toMatchObject({ exitCode: 2, stderr: "sh: 1: cannot create /no/such/dir/file: Directory nonexistent\n" });
  });

  it("ships the kindest/node files kina reads", async () => {
    const node = makeNode("n1", "192.168.64.3");
    expect((await execInNode(node, ["cat", "/kind/version"])).stdout).toBe("v1.35.5\n");
    const cni = await execInNode(node, ["cat", "/kind/manifests/default-cni.yaml"]);
    expect(cni.stdout).toContain("would you kindly template this file");
    expect(cni.stdout).toContain("{{ .PodSubnet }}");
    expect(cni.stdout).toContain("kind: DaemonSet");
    const storage = await execInNode(node, ["cat", "/kind/manifests/default-storage.yaml"]);
    expect(storage.stdout).toContain("storageclass.kubernetes.io/is-default-class");
    expect(storage.stdout).toContain("rancher.io/local-path");
    const kernel = await execInNode(node, ["zcat", "/proc/config.gz"]);
    expect(kernel.exitCode).toBe(0);
    expect(kernel.stdout).toContain("CONFIG_VXLAN=y");
    expect(kernel.stdout).not.toMatch(/^CONFIG_BPF_JIT=y/m);
  });

  it("exits 127 for programs the node does not have", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const r = await execInNode(node, ["helm", "version"]);
    expect(r).toMatchObject({ exitCode: 127, stderr: 'exec: "helm": executable file not found in $PATH\n' });
  });
});

describe("fake node services and tools", () => {
  it("shows the containerd socket only while containerd runs", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const sock = ["test", "-S", "/run/containerd/containerd.sock"];
    expect((await execInNode(node, sock)).exitCode).toBe(0);
    expect((await execInNode(node, ["test", "-f", "/run/containerd/containerd.sock"])).exitCode).toBe(1);
    expect((await execInNode(node, ["systemctl", "stop", "containerd"])).exitCode).toBe(0);
    expect((await execInNode(node, sock)).exitCode).toBe(1);
    const inactive = await execInNode(node, ["systemctl", "is-active", "containerd"]);
    expect(inactive).toMatchObject({ exitCode: 3, stdout: "inactive\n" });
    expect((await execInNode(node, ["systemctl", "restart", "containerd"])).exitCode).toBe(0);
    expect((await execInNode(node, sock)).exitCode).toBe(0);
    const journal = await execInNode(node, ["journalctl", "-u", "containerd", "--no-pager"]);
    expect(journal.stdout).toContain("Stopped containerd.service");
    const unknown = await execInNode(node, ["systemctl", "restart", "docker"]);
    expect(unknown).toMatchObject({ exitCode: 5, stderr: "Failed to restart docker.service: Unit docker.service not found.\n" });
  });

  it("ip addr shows lo and eth0 with the VM's address; other objects and devices are refused", async () => {
    const node = makeNode("n1", "192.168.64.7");
    const all = await execInNode(node, ["ip", "addr"]);
    expect(all.exitCode).toBe(0);
    expect(all.stdout).toContain("inet 127.0.0.1/8 scope host lo");
    expect(all.stdout).toContain("inet 192.168.64.7/24 brd 192.168.64.255 scope global eth0");
    expect((await execInNode(node, ["ip", "a", "show", "dev", "eth0"])).stdout).not.toContain(" lo:");
    expect(await execInNode(node, ["ip", "addr", "show", "wlan0"])).toMatchObject({ exitCode: 1, stderr: 'Device "wlan0" does not exist.\n' });
    expect(await execInNode(node, ["ip", "bogus"])).toMatchObject({ exitCode: 255, stderr: 'Object "bogus" is unknown, try "ip help".\n' });
  });

  it("records sysctls and iptables rules, and refuses what the kernel lacks", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const prep = [
      "set -e",
      "sysctl -w net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1",
      "update-alternatives --set iptables /usr/sbin/iptables-nft",
      "iptables-nft -t mangle -A OUTPUT -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1220",
    ].join("\n");
    const r = await execInNode(node, ["sh", "-c", prep]);
    expect(r.exitCode).toBe(0);
    expect((await execInNode(node, ["sysctl", "-n", "net.ipv4.ip_forward"])).stdout).toBe("1\n");
    const rules = await execInNode(node, ["iptables", "-t", "mangle", "-S", "OUTPUT"]);
    expect(rules.stdout).toContain("-A OUTPUT -p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1220");
    const check = await execInNode(node, ["iptables", "-t", "mangle", "-C", "OUTPUT", "-p", "tcp", "--tcp-flags", "SYN,RST", "SYN", "-j", "TCPMSS", "--set-mss", "1220"]);
    expect(check.exitCode).toBe(0);
    // The Kata kernel has no xt_socket.
    const socketMatch = await execInNode(node, ["iptables", "-t", "mangle", "-A", "PREROUTING", "-m", "socket", "-j", "ACCEPT"]);
    expect(socketMatch.exitCode).toBe(2);
    expect(socketMatch.stderr).toContain("Couldn't load match `socket'");
    const unknownKey = await execInNode(node, ["sysctl", "-w", "net.no.such=1"]);
    expect(unknownKey).toMatchObject({ exitCode: 255, stderr: "sysctl: cannot stat /proc/sys/net/no/such: No such file or directory\n" });
  });

  it("imports image archives with ctr and rejects non-tar input", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const ctr = ["ctr", "--namespace", "k8s.io", "images"];
    const tar = makeTar({ "manifest.json": JSON.stringify([{ Config: "blobs/sha256/abc", RepoTags: ["my-app:dev"] }]) });
    const imported = await execInNode(node, [...ctr, "import", "--all-platforms", "-"], tar);
    expect(imported.exitCode).toBe(0);
    expect(imported.stdout).toContain("unpacking docker.io/library/my-app:dev");
    const list = await execInNode(node, [...ctr, "ls", "-q"]);
    expect(list.stdout).toContain("docker.io/library/my-app:dev\n");
    expect(list.stdout).toContain("registry.k8s.io/pause:3.10\n");
    const tagged = await execInNode(node, [...ctr, "tag", "registry.k8s.io/pause:3.10", "registry.k8s.io/pause:3.10.1"]);
    expect(tagged).toMatchObject({ exitCode: 0, stdout: "registry.k8s.io/pause:3.10.1\n" });
    const garbage = await execInNode(node, [...ctr, "import", "-"], "this is not a tar archive at all".repeat(20));
    expect(garbage.exitCode).toBe(1);
    expect(garbage.stderr).toMatch(/^ctr: /);
  });

  it("ctr import fails when the OCI index names a blob the archive lacks", async () => {
    const node = makeNode("n1", "192.168.64.3");
    const digest = `sha256:${"a".repeat(64)}`;
    const index = { schemaVersion: 2, manifests: [{ digest, mediaType: "application/vnd.oci.image.index.v1+json", size: 2, annotations: { "io.containerd.image.name": "docker.io/library/app:1" } }] };
    const ctr = ["ctr", "--namespace=k8s.io", "images"];
    const partial = await execInNode(node, [...ctr, "import", "-"], makeTar({ "oci-layout": "{}", "index.json": JSON.stringify(index) }));
    expect(partial).toMatchObject({ exitCode: 1, stderr: `ctr: failed to import: content digest ${digest}: not found\n` });
    expect((await execInNode(node, [...ctr, "ls", "-q"])).stdout).not.toContain("app:1");
    const whole = await execInNode(node, [...ctr, "import", "-"], makeTar({ "index.json": JSON.stringify(index), [`blobs/sha256/${"a".repeat(64)}`]: "{}" }));
    expect(whole.exitCode).toBe(0);
    expect((await execInNode(node, [...ctr, "ls"])).stdout).toMatch(new RegExp(`docker.io/library/app:1\\s+\\S+\\s+${digest}`));
  });
});

describe("fake kubeadm", () => {
  const initConfig = (ip: string, version = "v1beta4") =>
    [
      `apiVersion: kubeadm.k8s.io/${version}`,
      "kind: InitConfiguration",
      "localAPIEndpoint:",
      `  advertiseAddress: ${ip}`,
      "  bindPort: 6443",
      "nodeRegistration:",
      "  name: dev-control-plane",
      "  criSocket: unix:///run/containerd/containerd.sock",
      "---",
      `apiVersion: kubeadm.k8s.io/${version}`,
      "kind: ClusterConfiguration",
      "kubernetesVersion: v1.35.5",
      `controlPlaneEndpoint: ${ip}:6443`,
      "networking:",
      "  podSubnet: 10.244.0.0/16",
      "---",
      "apiVersion: kubelet.config.k8s.io/v1beta1",
      "kind: KubeletConfiguration",
      "cgroupDriver: systemd",
      "failSwapOn: false",
      "",
    ].join("\n");

  async function writeConfig(node: FakeNode, text: string) {
    const r = await execInNode(node, ["sh", "-c", "cat > /kind/kubeadm.conf"], text);
    expect(r.exitCode).toBe(0);
  }

  const init = ["kubeadm", "init", "--config", "/kind/kubeadm.conf", "--ignore-preflight-errors", "Swap,SystemVerification", "--skip-token-print", "--v=6"];

  it("fails a second init with FileAvailable errors until kubeadm reset -f has run", async () => {
    const cp = makeNode("dev-control-plane", "192.168.64.3", 6445);
    await writeConfig(cp, initConfig("192.168.64.3"));

    const first = await execInNode(cp, init);
    expect(first.stderr).toBe("");
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain("Your Kubernetes control-plane has initialized successfully!");
    expect(first.stdout).not.toContain("abcdef.0123456789abcdef");
    expect(fs.readFileSync(inRootfs(cp, "etc/kubernetes/manifests/kube-apiserver.yaml"), "utf8")).toContain("--advertise-address=192.168.64.3");
    const start = stubCalls().find((c) => c.script === "start")!;
    const arg = (n: string) => start.args![start.args!.indexOf(n) + 1];
    expect(arg("--listen-port")).toBe("6445");
    expect(arg("--listen-host")).toBe("127.0.0.1");
    expect(arg("--advertise-address")).toBe("192.168.64.3");
    expect(arg("--node-name")).toBe("dev-control-plane");
    expect(arg("--admin-conf")).toBe(inRootfs(cp, "etc/kubernetes/admin.conf"));
    expect(arg("--pki-dir")).toBe(inRootfs(cp, "etc/kubernetes/pki"));
    expect(arg("--state-dir")).toBe(path.join(cp.stateDir, "apiserver"));

    const second = await execInNode(cp, init);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toContain(
      "[ERROR FileAvailable--etc-kubernetes-manifests-kube-apiserver.yaml]: /etc/kubernetes/manifests/kube-apiserver.yaml already exists",
    );

    const reset = await execInNode(cp, ["kubeadm", "reset", "-f"]);
    expect(reset.exitCode).toBe(0);
    expect(stubCalls().filter((c) => c.script === "stop")).toHaveLength(1);
    expect(fs.existsSync(inRootfs(cp, "etc/kubernetes/admin.conf"))).toBe(false);

    const third = await execInNode(cp, init);
    expect(third.exitCode).toBe(0);
    expect(stubCalls().filter((c) => c.script === "start")).toHaveLength(2);
  });

  it("asks for confirmation when reset runs without -f", async () => {
    const cp = makeNode("dev-control-plane", "192.168.64.3", 6445);
    const r = await execInNode(cp, ["kubeadm", "reset"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("aborted reset operation");
  });

  it("rejects a v1beta4 config that uses v1beta3's map-shaped extraArgs", async () => {
    const cp = makeNode("dev-control-plane", "192.168.64.3", 6445);
    const bad = initConfig("192.168.64.3") + "---\napiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\napiServer:\n  extraArgs:\n    runtime-config: \"\"\n";
    await writeConfig(cp, bad);
    const r = await execInNode(cp, init);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("cannot unmarshal object into Go struct field ClusterConfiguration.apiServer.extraArgs of type []v1beta4.Arg");
    expect(stubCalls()).toHaveLength(0);
  });

  it("joins a worker with the printed join command and registers it with the API server", async () => {
    const cp = makeNode("dev-control-plane", "192.168.64.3", 6445);
    const worker = makeNode("dev-worker", "192.168.64.4");
    await writeConfig(cp, initConfig("192.168.64.3"));

    const early = await execInNode(cp, ["kubeadm", "token", "create", "--print-join-command"]);
    expect(early.exitCode).toBe(1);
    expect(early.stderr).toContain("/etc/kubernetes/admin.conf: no such file or directory");

    expect((await execInNode(cp, init)).exitCode).toBe(0);
    const token = await execInNode(cp, ["kubeadm", "token", "create", "--print-join-command"]);
    expect(token.exitCode).toBe(0);
    const m = /^kubeadm join (\S+) --token (\S+) --discovery-token-ca-cert-hash (sha256:[0-9a-f]{64})\s*$/.exec(token.stdout);
    expect(m).not.toBeNull();
    const [, endpoint, tok, hash] = m!;
    expect(endpoint).toBe("192.168.64.3:6443");
    expect(tok).toBe("abcdef.0123456789abcdef");
    // kubeadm's pin: sha256 over the CA's SubjectPublicKeyInfo.
    const ca = new crypto.X509Certificate(fs.readFileSync(inRootfs(cp, "etc/kubernetes/pki/ca.crt")));
    const spki = ca.publicKey.export({ type: "spki", format: "der" });
    expect(hash).toBe(`sha256:${crypto.createHash("sha256").update(spki).digest("hex")}`);

    const wrongHash = await execInNode(worker, ["kubeadm", "join", endpoint, "--token", tok, "--discovery-token-ca-cert-hash", `sha256:${"0".repeat(64)}`]);
    expect(wrongHash.exitCode).toBe(1);
    expect(wrongHash.stderr).toContain("none of the public keys");

    const wrongHost = await execInNode(worker, ["kubeadm", "join", "192.168.64.99:6443", "--token", tok, "--discovery-token-ca-cert-hash", hash]);
    expect(wrongHost.exitCode).toBe(1);
    expect(wrongHost.stderr).toContain("couldn't validate the identity of the API Server");

    const joined = await execInNode(worker, ["kubeadm", "join", endpoint, "--token", tok, "--discovery-token-ca-cert-hash", hash, "--ignore-preflight-errors", "all"]);
    expect(joined.exitCode).toBe(0);
    expect(joined.stdout).toContain("This node has joined the cluster");
    expect(fs.existsSync(inRootfs(worker, "etc/kubernetes/kubelet.conf"))).toBe(true);
    const registered = stubCalls().filter((c) => c.script === "registerNode");
    expect(registered).toHaveLength(1);
    expect(registered[0].params).toMatchObject({
      adminConf: inRootfs(cp, "etc/kubernetes/admin.conf"),
      name: "dev-worker",
      ip: "192.168.64.4",
      role: "worker",
    });

    const again = await execInNode(worker, ["kubeadm", "join", endpoint, "--token", tok, "--discovery-token-ca-cert-hash", hash]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain("[ERROR FileAvailable--etc-kubernetes-kubelet.conf]");
  });

  it("refuses a control-plane join without the shared certificates", async () => {
    const cp = makeNode("dev-control-plane", "192.168.64.3", 6445);
    const cp2 = makeNode("dev-control-plane2", "192.168.64.5");
    await writeConfig(cp, initConfig("192.168.64.3"));
    expect((await execInNode(cp, init)).exitCode).toBe(0);
    const join = (await execInNode(cp, ["kubeadm", "token", "create", "--print-join-command"])).stdout.trim().split(/\s+/);
    const r = await execInNode(cp2, [...join, "--control-plane"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("The certificates that must be shared among control plane instances are provided");
  });
});

describe("exec.log", () => {
  it("records every exec in order, script commands before their sh line", async () => {
    const cp = makeNode("dev-control-plane", "192.168.64.3");
    const worker = makeNode("dev-worker", "192.168.64.4");
    await execInNode(cp, ["test", "-S", "/run/containerd/containerd.sock"]);
    await execInNode(worker, ["sh", "-c", "set -e\nmkdir -p /kind\ncat > /kind/kubeadm.conf"], "x");
    await execInNode(cp, ["nonexistent-tool"]);
    await execInNode(cp, ["sh", "-c", "echo a | cat"]);
    expect(execLog()).toEqual([
      { node: "dev-control-plane", argv: ["test", "-S", "/run/containerd/containerd.sock"], exitCode: 0 },
      { node: "dev-worker", argv: ["set", "-e"], exitCode: 0, via: "sh" },
      { node: "dev-worker", argv: ["mkdir", "-p", "/kind"], exitCode: 0, via: "sh" },
      { node: "dev-worker", argv: ["cat"], exitCode: 0, via: "sh", redirects: [">", "/kind/kubeadm.conf"] },
      { node: "dev-worker", argv: ["sh", "-c", "set -e\nmkdir -p /kind\ncat > /kind/kubeadm.conf"], exitCode: 0 },
      { node: "dev-control-plane", argv: ["nonexistent-tool"], exitCode: 127 },
      { node: "dev-control-plane", argv: ["sh", "-c", "echo a | cat"], exitCode: 2 },
    ]);
  });
});

// A minimal ustar archive: enough for `ctr images import` to find the image index.
function makeTar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write("0000644\0", 100);
    header.write("0000000\0", 108);
    header.write("0000000\0", 116);
    header.write(data.length.toString(8).padStart(11, "0") + "\0", 124);
    header.write("00000000000\0", 136);
    header.write("        ", 148);
    header.write("0", 156);
    header.write("ustar\0", 257);
    header.write("00", 263);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148);
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}
