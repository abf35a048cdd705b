// End to end on a Mac with Apple `container` >= 1.2.1 running (`container system start`):
// a real cluster, kubectl against it, a CNI failure resumed, then delete.
//   KINA_E2E=1 npm run test:e2e
// Skipped everywhere else. Uses its own KINA_HOME and KUBECONFIG; never touches ~/.kube/config.

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../..");
const KINA = join(REPO, "dist/src/cli/main.js");
const hasContainer = spawnSync("container", ["--version"]).status === 0;
const enabled = process.env.KINA_E2E === "1" && hasContainer;
const work = mkdtempSync(join(tmpdir(), "kina-e2e-"));
const name = `e2e-${process.pid}`;
const env = { ...process.env, KINA_HOME: join(work, "kina"), KUBECONFIG: join(work, "kubeconfig") };

function kina(args: string[]) {
  return spawnSync(process.execPath, [KINA, ...args], { env, encoding: "utf8" });
}

// Each create's own profile from `kina status --json` (durationMs and containerCalls of every
// step's last attempt), printed as one table when the suite ends: the README's figures from a Mac.
interface ProfileRow {
  id: string;
  status: string;
  durationMs?: number;
  containerCalls?: number;
}
const profiles: { cluster: string; steps: ProfileRow[] }[] = [];

function recordProfile(cluster: string): void {
  const r = kina(["status", cluster, "--json"]);
  if (r.status !== 0) return;
  profiles.push({ cluster, steps: (JSON.parse(r.stdout) as { steps: ProfileRow[] }).steps });
}

afterAll(() => {
  if (profiles.length === 0) return;
  const lines = ["step profile (last attempt of each step; kina status --json)"];
  for (const p of profiles) {
    lines.push(`  ${p.cluster}`, `    ${"step".padEnd(20)} ${"status".padEnd(8)} ${"ms".padStart(8)} ${"container calls".padStart(16)}`);
    let ms = 0;
    let calls = 0;
    for (const s of p.steps) {
      ms += s.durationMs ?? 0;
      calls += s.containerCalls ?? 0;
      lines.push(`    ${s.id.padEnd(20)} ${s.status.padEnd(8)} ${String(s.durationMs ?? "-").padStart(8)} ${String(s.containerCalls ?? "-").padStart(16)}`);
    }
    lines.push(`    ${"total".padEnd(20)} ${"".padEnd(8)} ${String(ms).padStart(8)} ${String(calls).padStart(16)}`);
  }
  console.log(lines.join("\n"));
});

describe.runIf(enabled)("a real kina cluster on Apple container", () => {
  afterAll(() => {
    kina(["delete", name]);
  });

  it("kina doctor passes on this Mac before anything is created (warnings allowed, no fail)", () => {
    const r = kina(["doctor"]);
    console.log(r.stdout);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok {4}container: /m);
    expect(r.stdout).toMatch(/^ok {4}service: /m);
  });

  it("boots a node to kubeadmInit and beyond: kina create", () => {
    const r = kina(["create", name]);
    expect(r.status, r.stderr).toBe(0);
    const status = JSON.parse(kina(["status", name, "--json"]).stdout);
    expect(status.phase).toBe("ready");
    expect(status.steps.find((s: { id: string }) => s.id === "kubeadmInit").status).toBe("done");
    recordProfile(name);
  });

  it("kubectl sees the node Ready through the exported kubeconfig", () => {
    const out = execFileSync("kubectl", ["--context", `kina-${name}`, "get", "nodes", "--no-headers"], { env, encoding: "utf8" });
    expect(out).toMatch(new RegExp(`${name}-control-plane\\s+Ready`));
  });

  it("kina doctor --name reads the running node's kernel config", () => {
    const r = kina(["doctor", "--name", name]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^\\S+\\s+kernel: .*${name}-control-plane's /proc/config.gz`, "m"));
  });

  it("kina load image: a `container build` image runs in a pod with imagePullPolicy Never", () => {
    const tag = `kina-e2e-load:${process.pid}`;
    const ctx = mkdtempSync(join(tmpdir(), "kina-e2e-build-"));
    writeFileSync(join(ctx, "Dockerfile"), 'FROM docker.io/library/busybox:1.36\nCMD ["echo", "hello from kina load"]\n');
    execFileSync("container", ["build", "--progress", "plain", "-t", tag, ctx], { stdio: "inherit" });
    try {
      const loaded = kina(["load", "image", tag, "--name", name]);
      expect(loaded.status, loaded.stderr).toBe(0);
      expect(loaded.stdout).toContain(`${name}-control-plane: docker.io/library/${tag} loaded`);
      const again = kina(["load", "image", tag, "--name", name]);
      expect(again.stdout).toContain("already present (sha256:");
      const kubectl = (args: string[]) => execFileSync("kubectl", ["--context", `kina-${name}`, ...args], { env, encoding: "utf8" });
      kubectl(["run", "loaded", `--image=${tag}`, "--image-pull-policy=Never", "--restart=Never"]);
      kubectl(["wait", "--for=jsonpath={.status.phase}=Succeeded", "pod/loaded", "--timeout=120s"]);
      expect(kubectl(["logs", "loaded"])).toContain("hello from kina load");
      kubectl(["delete", "pod", "loaded", "--wait=false"]);
    } finally {
      spawnSync("container", ["image", "delete", tag]);
    }
  });

  it("after an injected CNI failure, kina resume finishes without a new VM", () => {
    // Break kindnet (delete it) and make cniInstalled fail fast, then resume with the normal timeout.
    execFileSync("kubectl", ["--context", `kina-${name}`, "-n", "kube-system", "delete", "ds", "kindnet"], { env });
    const broken = kina(["retry", "cni", name, "--timeout", "cni=1ms"]);
    expect(broken.status).toBe(1);
    const before = execFileSync("container", ["inspect", `${name}-control-plane`], { encoding: "utf8" });
    const r = kina(["resume", name]);
    expect(r.status, r.stderr).toBe(0);
    const after = execFileSync("container", ["inspect", `${name}-control-plane`], { encoding: "utf8" });
    expect(JSON.parse(after)[0].configuration.creationDate).toBe(JSON.parse(before)[0].configuration.creationDate);
  });

  it("stop then start: the VM comes back with a new IP, no new VM, and the node is Ready again", () => {
    const before = JSON.parse(execFileSync("container", ["inspect", `${name}-control-plane`], { encoding: "utf8" }))[0];
    expect(kina(["stop", name]).status).toBe(0);
    expect(JSON.parse(kina(["status", name, "--json"]).stdout).phase).toBe("stopped");
    const r = kina(["start", name]);
    expect(r.status, r.stderr).toBe(0);
    const after = JSON.parse(execFileSync("container", ["inspect", `${name}-control-plane`], { encoding: "utf8" }))[0];
    expect(after.configuration.creationDate).toBe(before.configuration.creationDate);
    console.log(`address ${before.status.networks[0]?.ipv4Address} -> ${after.status.networks[0]?.ipv4Address}`);
    const out = execFileSync("kubectl", ["--context", `kina-${name}`, "get", "nodes", "--no-headers"], { env, encoding: "utf8" });
    expect(out).toMatch(new RegExp(`${name}-control-plane\\s+Ready`));
  });

  it("kina export logs writes a folder and a .tar.gz with the node journals and no private key", () => {
    const dir = join(work, "logs-bundle");
    const r = kina(["export", "logs", dir, "--name", name]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual([dir, `${dir}.tar.gz`]);
    const listing = execFileSync("tar", ["-tzf", `${dir}.tar.gz`], { encoding: "utf8" });
    for (const part of ["kina/state.json", `nodes/${name}-control-plane/journal-kubelet.log`, `nodes/${name}-control-plane/container-logs.txt`, "cluster/nodes.yaml"]) {
      expect(listing).toContain(part);
    }
    expect(readFileSync(join(dir, `nodes/${name}-control-plane/kind-version.txt`), "utf8")).toMatch(/^v1\./);
    // grep exits 1 when nothing matched: no private key anywhere in the bundle.
    expect(spawnSync("grep", ["-r", "-l", "PRIVATE KEY", dir]).status).toBe(1);
  });

  // Addons, each installed, used from the Mac, and uninstalled.
  const kubectlE2e = (args: string[], input?: string) =>
    execFileSync("kubectl", ["--context", `kina-${name}`, ...args], { env, encoding: "utf8", ...(input !== undefined ? { input } : {}) });
  const nodeIp = () => JSON.parse(kina(["status", name, "--json"]).stdout).nodes[0].ip as string;
  const curl = (url: string) => spawnSync("curl", ["-fsS", "--max-time", "5", "--retry", "30", "--retry-all-errors", "--retry-delay", "2", url], { encoding: "utf8" });
  const webApp = (svcType: string) =>
    [
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers: [{name: web, image: registry.k8s.io/e2e-test-images/agnhost:2.53, args: [netexec, --http-port=8080]}]\n",
      `apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n  type: ${svcType}\n  selector: {app: web}\n  ports: [{port: 8080, targetPort: 8080}]\n`,
    ].join("---\n");

  it("metrics-server: kubectl top nodes works, then uninstall removes it", () => {
    const r = kina(["install", "metrics-server", name]);
    expect(r.status, r.stderr).toBe(0);
    // The first scrape takes one resolution interval (15 s): kubectl top answers once it has one.
    let top = spawnSync("kubectl", ["--context", `kina-${name}`, "top", "nodes"], { env, encoding: "utf8" });
    for (let i = 0; i < 30 && top.status !== 0; i++) {
      spawnSync("sleep", ["2"]);
      top = spawnSync("kubectl", ["--context", `kina-${name}`, "top", "nodes"], { env, encoding: "utf8" });
    }
    expect(top.stdout).toContain(`${name}-control-plane`);
    expect(kina(["uninstall", "metrics-server", name]).status).toBe(0);
  });

  it("loadbalancer: a LoadBalancer Service answers curl from the Mac at its IP", () => {
    expect(kina(["install", "loadbalancer", name]).status).toBe(0);
    kubectlE2e(["apply", "-f", "-"], webApp("LoadBalancer"));
    kubectlE2e(["wait", "service/web", `--for=jsonpath={.status.loadBalancer.ingress[0].ip}=${nodeIp()}`, "--timeout=60s"]);
    kubectlE2e(["rollout", "status", "deployment/web", "--timeout=180s"]);
    const r = curl(`http://${nodeIp()}:8080/hostname`);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^web-/);
    kubectlE2e(["delete", "deployment/web", "service/web"]);
    expect(kina(["uninstall", "loadbalancer", name]).status).toBe(0);
  });

  it("gateway: an HTTPRoute through the Gateway answers curl from the Mac at the node's port 80", () => {
    const r = kina(["install", "gateway", name]);
    expect(r.status, r.stderr).toBe(0);
    kubectlE2e(["apply", "-f", "-"], webApp("ClusterIP"));
    kubectlE2e(
      ["apply", "-f", "-"],
      "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: web}\nspec:\n  parentRefs: [{name: kina, namespace: traefik}]\n  rules: [{backendRefs: [{name: web, port: 8080}]}]\n",
    );
    kubectlE2e(["rollout", "status", "deployment/web", "--timeout=180s"]);
    const answer = curl(`http://${nodeIp()}/hostname`);
    expect(answer.status, answer.stderr).toBe(0);
    expect(answer.stdout).toMatch(/^web-/);
    kubectlE2e(["delete", "httproute/web", "deployment/web", "service/web"]);
    expect(kina(["uninstall", "gateway", name]).status).toBe(0);
    expect(kubectlE2e(["get", "crd", "--no-headers", "-o", "name"])).not.toContain("gateway.networking.k8s.io");
  });

  it("ingress-nginx installs with the retirement warning and uninstalls", () => {
    const r = kina(["install", "ingress-nginx", name]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain("retired");
    expect(kina(["uninstall", "ingress-nginx", name]).status).toBe(0);
  });

  it("delete removes the VM and the kubeconfig entries", () => {
    expect(kina(["delete", name]).status).toBe(0);
    const list = execFileSync("container", ["list", "-a", "--format", "json"], { encoding: "utf8" });
    expect(list).not.toContain(`${name}-control-plane`);
    expect(readFileSync(env.KUBECONFIG!, "utf8")).not.toContain(`kina-${name}`);
  });
});

const macosMajor = Number.parseInt(spawnSync("sw_vers", ["-productVersion"], { encoding: "utf8" }).stdout ?? "0", 10);
const multi = `e2e-mn-${process.pid}`;

describe.runIf(enabled && macosMajor >= 26)("a 1+1 kina cluster on macOS 26", () => {
  const kubectl = (args: string[]) => execFileSync("kubectl", ["--context", `kina-${multi}`, ...args], { env, encoding: "utf8" });
  afterAll(() => {
    kina(["delete", multi]);
  });

  it("creates both nodes on their own network, Ready", () => {
    const config = "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n- role: worker\n";
    const r = spawnSync(process.execPath, [KINA, "create", multi, "--config", "-"], { env, encoding: "utf8", input: config });
    expect(r.status, r.stderr).toBe(0);
    recordProfile(multi);
    expect(kubectl(["get", "nodes", "--no-headers"]).trim().split("\n").filter((l) => /\sReady\s/.test(l))).toHaveLength(2);
  });

  it("a pod on the worker reaches a pod on the control plane (VM-to-VM traffic, TSO off)", () => {
    const onNode = (node: string) =>
      JSON.stringify({ apiVersion: "v1", spec: { nodeName: node, tolerations: [{ operator: "Exists" }] } });
    kubectl(["run", "server", "--image=registry.k8s.io/e2e-test-images/agnhost:2.53", `--overrides=${onNode(`${multi}-control-plane`)}`, "--", "netexec", "--http-port=8080"]);
    kubectl(["wait", "--for=condition=Ready", "pod/server", "--timeout=180s"]);
    const ip = kubectl(["get", "pod", "server", "-o", "jsonpath={.status.podIP}"]).trim();
    // A reply larger than one segment is what stalls while TSO is on (apple/container #2245).
    const body = kubectl([
      "run", "client", "--rm", "-i", "--restart=Never", "--image=registry.k8s.io/e2e-test-images/agnhost:2.53",
      `--overrides=${onNode(`${multi}-worker`)}`, "--", "curl", "-s", "--max-time", "20", `http://${ip}:8080/echo?msg=${"x".repeat(20000)}`,
    ]);
    expect(body).toContain("x".repeat(20000));
  });

  it("stop then start heals both nodes", () => {
    expect(kina(["stop", multi]).status).toBe(0);
    const r = kina(["start", multi]);
    expect(r.status, r.stderr).toBe(0);
    expect(kubectl(["get", "nodes", "--no-headers"]).trim().split("\n").filter((l) => /\sReady\s/.test(l))).toHaveLength(2);
  });
});

const hasHelm = spawnSync("helm", ["version", "--short"]).status === 0;
const cil = `e2e-cilium-${process.pid}`;

describe.runIf(enabled && hasHelm)("cni: cilium on this Mac's default kernel", () => {
  const kubectl = (args: string[]) => execFileSync("kubectl", ["--context", `kina-${cil}`, ...args], { env, encoding: "utf8" });
  const kernelConfig = () => execFileSync("container", ["exec", `${cil}-control-plane`, "zcat", "/proc/config.gz"], { encoding: "utf8" });
  afterAll(() => {
    kina(["delete", cil]);
  });

  it("is refused before kubeadm init naming the missing options, or installed with helm and every node Ready, as the kernel allows", () => {
    const config = "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnetworking:\n  cni: cilium\n";
    const r = spawnSync(process.execPath, [KINA, "create", cil, "--config", "-"], { env, encoding: "utf8", input: config });
    console.log(r.stderr);
    const status = JSON.parse(kina(["status", cil, "--json"]).stdout);
    const step = (id: string) => status.steps.find((s: { id: string }) => s.id === id).status;
    if (r.status !== 0) {
      // A kernel Cilium cannot run on (container < 1.3.0's default has no BPF JIT): refused in vmRunning.
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/cannot run on the kernel of .*: missing CONFIG_/);
      expect(r.stderr).toContain("container system kernel set --recommended");
      expect(step("vmRunning")).toBe("failed");
      expect(step("kubeadmInit")).toBe("pending");
      // Each option named is really off in the kernel the VM booted.
      const named = [...r.stderr.matchAll(/(CONFIG_[A-Z0-9_]+)(?! \(or)/g)].map((m) => m[1]!);
      const booted = kernelConfig();
      for (const option of new Set(named)) expect(booted).not.toMatch(new RegExp(`^${option}=[ym]$`, "m"));
      return;
    }
    expect(step("cniInstalled")).toBe("done");
    expect(status.phase).toBe("ready");
    expect(kernelConfig()).toMatch(/^CONFIG_BPF_JIT=y$/m);
    expect(r.stderr).toMatch(/Cilium 1\.\d+\.\d+: (tunnel \(vxlan\)|native routing) datapath/);
    kubectl(["-n", "kube-system", "rollout", "status", "ds/cilium", "--timeout=300s"]);
    const nodes = kubectl(["get", "nodes", "--no-headers"]).trim().split("\n");
    expect(nodes.every((l) => /\sReady\s/.test(l)), nodes.join("\n")).toBe(true);
    // Pods get addresses from the pod CIDR through Cilium, and CoreDNS runs on it.
    kubectl(["-n", "kube-system", "wait", "--for=condition=Ready", "pod", "-l", "k8s-app=kube-dns", "--timeout=180s"]);
    expect(kubectl(["-n", "kube-system", "get", "pods", "-l", "k8s-app=kube-dns", "-o", "jsonpath={.items[*].status.podIP}"])).toMatch(/^10\.244\./);
  });
});

describe.skipIf(enabled)("macOS end-to-end suite", () => {
  it.skip("needs KINA_E2E=1 on a Mac with Apple container installed and started", () => {});
});
