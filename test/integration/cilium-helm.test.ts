// `networking.cni: cilium` installed with the user's helm (the helm double on PATH records every
// call): the chart pinned, the API reached through the control plane's stable name and port 6443
// instead of the Service IP, the datapath chosen from the node kernels; no helm call at all on a
// kernel Cilium cannot run on; a missing or failing helm leaves the cluster for `kina retry cni`.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";
import { REPO } from "../helpers/run.js";

const KUBECTL = "/usr/bin/kubectl";
const HELM_DOUBLE_DIR = join(REPO, "test/doubles/helm");
const CILIUM = "kind: Cluster\napiVersion: kina.x-k8s.io/v1alpha4\nnetworking:\n  cni: cilium\n";

const macs = useFakeMacs();

/** PATH without any directory that holds a helm. */
function withoutHelm(path: string): string {
  return path
    .split(delimiter)
    .filter((d) => d && !existsSync(join(d, "helm")))
    .join(delimiter);
}

/** A Mac on container 1.4.1 (default kernel with BPF JIT) with the helm double on PATH. */
function mac(env: NodeJS.ProcessEnv = {}): FakeMac & { helmLog: string; helmCalls(): string[][] } {
  const m = macs({ KINA_FAKE_CONTAINER_VERSION: "1.4.1", ...env });
  const helmLog = join(m.root, "helm.log");
  m.env.KINA_FAKE_HELM_LOG = helmLog;
  m.env.PATH = `${HELM_DOUBLE_DIR}${delimiter}${m.env.PATH}`;
  return Object.assign(m, {
    helmLog,
    helmCalls: () =>
      existsSync(helmLog)
        ? readFileSync(helmLog, "utf8").trim().split("\n").filter(Boolean).map((l) => (JSON.parse(l) as { argv: string[] }).argv)
        : [],
  });
}

function kubectl(m: FakeMac, args: string[]): string {
  return execFileSync(KUBECTL, ["--kubeconfig", join(m.home, ".kube", "config"), ...args], { encoding: "utf8" });
}

/** The `--set` values of one helm call, as key → value. */
function sets(argv: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  argv.forEach((a, i) => {
    if (a !== "--set") return;
    const [k, v] = argv[i + 1]!.split("=") as [string, string];
    out[k] = v;
  });
  return out;
}

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i < 0 ? undefined : argv[i + 1];
}

const kubeadmInits = (m: FakeMac) =>
  m.execLog().filter((e) => e.argv[0] === "kubeadm" && e.argv[1] === "init" && e.argv.length > 2 && e.argv[2] !== "phase").length;

describe("cni: cilium with helm", () => {
  it("on a kernel with BPF JIT: helm installs the pinned chart with the service-host values and the tunnel datapath; the cluster ends ready", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--config", "-"], { input: CILIUM });
    expect(r.code, r.stderr).toBe(0);

    const calls = m.helmCalls();
    expect(calls[0]).toEqual(["version", "--short"]);
    const install = calls.find((a) => a[0] === "upgrade")!;
    expect(install.slice(0, 4)).toEqual(["upgrade", "--install", "cilium", "cilium"]);
    expect(flag(install, "--repo")).toBe("https://helm.cilium.io");
    expect(flag(install, "--version")).toBe("1.20.1");
    expect(flag(install, "--namespace")).toBe("kube-system");
    expect(flag(install, "--kubeconfig")).toBe(join(m.env.KINA_HOME!, "clusters", "dev", "kubeconfig"));
    expect(sets(install)).toEqual({
      k8sServiceHost: "kina-control-plane",
      k8sServicePort: "6443",
      "ipam.mode": "kubernetes",
      kubeProxyReplacement: "false",
      "operator.replicas": "1",
      routingMode: "tunnel",
      tunnelProtocol: "vxlan",
    });
    // The choice and its reason are shown while it runs.
    expect(r.stderr).toContain("cniInstalled: Cilium 1.20.1: tunnel (vxlan) datapath, every node has CONFIG_VXLAN; kube-proxy replacement off");

    const status = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(status.phase).toBe("ready");
    expect(status.steps.find((s: { id: string }) => s.id === "cniInstalled").status).toBe("done");
    expect(kubectl(m, ["get", "nodes", "--no-headers"])).toMatch(/^dev-control-plane\s+Ready/);
    const ds = kubectl(m, ["-n", "kube-system", "get", "daemonsets", "-o", "name"]);
    expect(ds).toContain("daemonset.apps/cilium");
    expect(ds).not.toContain("kindnet");
    // The agent reaches the API at the control plane's stable name, which every node resolves.
    const ip = m.containers()[0]!.ip!;
    expect(m.container(["exec", "dev-control-plane", "cat", "/etc/hosts"])).toMatch(new RegExp(`^${ip.replaceAll(".", "\\.")}\tkina-control-plane$`, "m"));
  });

  it("with a worker: both nodes' kernels are read, both nodes end Ready", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "--config", "-"], { input: `${CILIUM}nodes:\n- role: control-plane\n- role: worker\n` });
    expect(r.code, r.stderr).toBe(0);
    const zcats = m.execLog().filter((e) => e.argv[0] === "zcat" && e.argv[1] === "/proc/config.gz");
    expect(new Set(zcats.map((e) => e.node))).toEqual(new Set(["dev-control-plane", "dev-worker"]));
    const nodes = kubectl(m, ["get", "nodes", "--no-headers"]);
    expect(nodes).toMatch(/dev-control-plane\s+Ready/);
    expect(nodes).toMatch(/dev-worker\s+Ready/);
  });

  it("on a kernel without BPF JIT: refused before kubeadm init and helm is never called", async () => {
    const m = mac({ KINA_FAKE_CONTAINER_VERSION: "1.2.2" });
    const r = await m.kina(["create", "dev", "--config", "-"], { input: CILIUM });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("missing CONFIG_BPF_JIT");
    expect(kubeadmInits(m)).toBe(0);
    expect(m.helmCalls()).toEqual([]);
    expect(existsSync(m.helmLog)).toBe(false);
  });

  it("helm missing from PATH: exit 1 naming helm and how to install it, cni failed; with helm on PATH `kina retry cni` completes", async () => {
    const m = mac();
    const noHelm = withoutHelm(m.env.PATH!);
    const r = await m.kina(["create", "dev", "--config", "-"], { input: CILIUM, env: { PATH: noHelm } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cniInstalled failed: networking.cni: cilium is installed with helm, and helm was not found on PATH");
    expect(r.stderr).toContain("brew install helm");
    expect(r.stderr).toContain("kina retry cni dev");
    const failed = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(failed.steps.find((s: { id: string }) => s.id === "cniInstalled").status).toBe("failed");
    expect(m.containers().map((c) => [c.id, c.state])).toEqual([["dev-control-plane", "running"]]);

    const retried = await m.kina(["retry", "cni", "dev"]);
    expect(retried.code, retried.stderr).toBe(0);
    const done = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(done.phase).toBe("ready");
    expect(m.helmCalls().filter((a) => a[0] === "upgrade")).toHaveLength(1);
    expect(kubeadmInits(m)).toBe(1);
    expect(kubectl(m, ["get", "nodes", "--no-headers"])).toMatch(/^dev-control-plane\s+Ready/);
  });

  it("helm failing once (chart repository unreachable): the step fails with helm's error, `kina retry cni` installs", async () => {
    const m = mac();
    const marker = join(m.root, "helm-failed-once");
    const env = { KINA_FAKE_HELM_FAIL_ONCE: marker };
    const r = await m.kina(["create", "dev", "--config", "-"], { input: CILIUM, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('helm upgrade --install cilium (chart cilium 1.20.1) failed (exit 1): Error: looks like "https://helm.cilium.io" is not a valid chart repository');
    expect(r.stderr).toContain("kina retry cni dev");
    expect(m.state().steps.bootstrap.cniInstalled.status).toBe("failed");

    const retried = await m.kina(["retry", "cni", "dev"], { env });
    expect(retried.code, retried.stderr).toBe(0);
    const upgrades = m.helmCalls().filter((a) => a[0] === "upgrade");
    expect(upgrades).toHaveLength(2);
    expect(upgrades[1]).toEqual(upgrades[0]);
    expect(m.state().steps.bootstrap.cniInstalled.attempts).toHaveLength(2);
    expect(kubeadmInits(m)).toBe(1);
    // A retry on the ready cluster upgrades the same release in place.
    const again = await m.kina(["retry", "cni", "dev"], { env });
    expect(again.code, again.stderr).toBe(0);
    const secrets = kubectl(m, ["-n", "kube-system", "get", "secrets", "-l", "owner=helm,name=cilium", "-o", "name"]);
    expect(secrets.trim().split("\n").sort()).toEqual(["secret/sh.helm.release.v1.cilium.v1", "secret/sh.helm.release.v1.cilium.v2"]);
  });
});
