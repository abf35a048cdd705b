// Whole clusters against both doubles: the Kubernetes-side steps through client-node, the merged
// kubeconfig with the real kubectl, a CNI that never becomes ready, and retry of a done step.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";

const KUBECTL = "/usr/bin/kubectl";
const mac = useFakeMacs();

function kubectl(kubeconfig: string, args: string[]): string {
  return execFileSync(KUBECTL, ["--kubeconfig", kubeconfig, ...args], { encoding: "utf8" });
}

const kubeadmInits = (m: FakeMac) => m.execLog().filter((e) => e.argv[0] === "kubeadm" && e.argv[1] === "init" && !e.via).length;

describe("a whole create", () => {
  it("ends ready, and the merged kubeconfig works with the real kubectl", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse((await m.kina(["status", "dev", "--json"])).stdout);
    expect(doc.phase).toBe("ready");
    expect(doc.context).toBe("kina-dev");
    expect(doc.addons).toEqual({ coredns: { status: "available" }, storage: { status: "available" } });

    const userConfig = join(m.home, ".kube", "config");
    expect(statSync(userConfig).mode & 0o777).toBe(0o600);
    expect(statSync(doc.kubeconfig).mode & 0o777).toBe(0o600);
    expect(kubectl(userConfig, ["config", "current-context"]).trim()).toBe("kina-dev");
    const server = parse(readFileSync(userConfig, "utf8")).clusters[0].cluster.server;
    expect(server).toBe(`https://127.0.0.1:${m.state().outputs.apiServerPort}`);
    const nodes = kubectl(userConfig, ["get", "nodes", "--no-headers"]);
    expect(nodes).toMatch(/^dev-control-plane\s+Ready\s+control-plane/);
    // Untainted (no workers), kindnet pointed at the control plane's stable name, which the node
    // resolves to its address through kina's /etc/hosts block.
    const node = JSON.parse(kubectl(userConfig, ["get", "node", "dev-control-plane", "-o", "json"]));
    expect(node.spec.taints ?? []).toEqual([]);
    const ds = JSON.parse(kubectl(userConfig, ["get", "ds", "kindnet", "-n", "kube-system", "-o", "json", "--show-managed-fields"]));
    const env = ds.spec.template.spec.containers[0].env;
    const ip = m.containers()[0]!.ip;
    expect(env).toContainEqual({ name: "CONTROL_PLANE_ENDPOINT", value: "kina-control-plane:6443" });
    expect(m.container(["exec", "dev-control-plane", "cat", "/etc/hosts"])).toMatch(new RegExp(`^${ip!.replaceAll(".", "\\.")}\tkina-control-plane$`, "m"));
    expect(ds.metadata.managedFields.some((f: { manager: string; operation: string }) => f.manager === "kina" && f.operation === "Apply")).toBe(true);
    const sc = JSON.parse(kubectl(userConfig, ["get", "storageclass", "-o", "json"]));
    expect(sc.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toContain("standard");
  });

  it("keeps foreign kubeconfig entries, switches context only when asked, and delete removes only kina's", async () => {
    const m = mac();
    const a = join(m.root, "a.yaml");
    const b = join(m.root, "b.yaml");
    const foreign = `# my clusters\napiVersion: v1\nkind: Config\nclusters:\n- name: work\n  cluster:\n    server: https://work.example:6443\ncontexts:\n- name: work\n  context:\n    cluster: work\n    user: me\ncurrent-context: work\nusers:\n- name: me\n  user:\n    token: not-a-real-token\n`;
    writeFileSync(a, foreign, { mode: 0o600 });
    writeFileSync(b, foreign.replaceAll("work", "home"), { mode: 0o600 });
    const env = { KUBECONFIG: `${a}:${b}` };
    const r = await m.kina(["create", "dev", "--no-switch-context"], { env });
    expect(r.code, r.stderr).toBe(0);
    const merged = parse(readFileSync(a, "utf8"));
    expect(merged["current-context"]).toBe("work");
    expect(merged.clusters.map((c: { name: string }) => c.name)).toEqual(["work", "kina-dev"]);
    expect(readFileSync(a, "utf8")).toContain("# my clusters");
    expect(readFileSync(`${a}.kina.bak`, "utf8")).toBe(foreign);
    expect(kubectl(a, ["--context", "kina-dev", "get", "nodes", "--no-headers"])).toMatch(/Ready/);

    // A stale copy of kina's entries in the second file is cleaned up too.
    writeFileSync(b, readFileSync(a, "utf8").replaceAll("work", "home"));
    const del = await m.kina(["delete", "dev"], { env });
    expect(del.code, del.stderr).toBe(0);
    for (const file of [a, b]) {
      const after = parse(readFileSync(file, "utf8"));
      expect(after.clusters.map((c: { name: string }) => c.name)).toEqual([file === a ? "work" : "home"]);
      expect(after.users.map((u: { name: string }) => u.name)).toEqual(["me"]);
    }
    expect(m.containers()).toEqual([]);
    expect(existsSync(join(m.env.KINA_HOME!, "clusters", "dev"))).toBe(false);
  });
});

describe("a CNI that never becomes ready", () => {
  it("fails cniInstalled at its timeout, keeps the VM, and resume finishes without a new VM or kubeadm init", async () => {
    const m = mac();
    m.kubeFaults({ daemonSetsNeverReady: ["kindnet"] });
    const r = await m.kina(["create", "dev", "--timeout", "cni=3s"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cniInstalled failed: cniInstalled timed out after 3.0s");
    expect(r.stderr).toContain("kina retry cni dev");
    expect(m.containers().map((c) => [c.id, c.state])).toEqual([["dev-control-plane", "running"]]);
    const graph = await m.kina(["status", "dev", "--graph"]);
    expect(graph.stdout).toMatch(/✗ cniInstalled\s+cni\s+1 attempt/);

    m.kubeFaults({});
    const resumed = await m.kina(["resume", "dev"]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(m.containers()).toHaveLength(1);
    expect(m.state().steps.bootstrap.vmRunning.attempts).toHaveLength(1);
    expect(kubeadmInits(m)).toBe(1);
    expect(m.state().steps.bootstrap.cniInstalled.attempts).toHaveLength(2);
  });
});

describe("retry cni on a ready cluster", () => {
  it("re-applies the CNI and re-verifies addonsReady without re-running it", async () => {
    const m = mac();
    expect((await m.kina(["create", "dev"])).code).toBe(0);
    const before = m.state().steps.bootstrap.addonsReady;
    const r = await m.kina(["retry", "cni", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    const after = m.state();
    expect(after.steps.bootstrap.cniInstalled.attempts).toHaveLength(2);
    expect(readFileSync(after.steps.bootstrap.cniInstalled.attempts[1].log, "utf8")).toContain("apply DaemonSet kube-system/kindnet");
    expect(after.steps.bootstrap.addonsReady.attempts).toHaveLength(1);
    expect(after.steps.bootstrap.addonsReady.verifiedAt > before.verifiedAt).toBe(true);
    expect(r.stderr).toMatch(/addonsReady \.\.\. ✓ already done, verified/);
    expect(kubeadmInits(m)).toBe(1);
  });
});

describe("a cluster with a worker (macOS 26)", () => {
  it("joins the worker on the cluster network, keeps the taint, and both nodes are Ready", async () => {
    const m = mac();
    mkdirSync(m.home, { recursive: true });
    const config = "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n- role: worker\n";
    const r = await m.kina(["create", "dev", "--config", "-"], { input: config });
    expect(r.code, r.stderr).toBe(0);
    const s = m.state();
    expect(s.steps.bootstrap.nodesJoined.status).toBe("done");
    expect(s.steps.bootstrap.untainted.status).toBe("skipped");
    expect(m.containers().map((c) => c.raw.configuration.networks[0].network).sort()).toEqual(["kina-dev", "kina-dev"]);
    const nodes = kubectl(join(m.home, ".kube", "config"), ["get", "nodes", "--no-headers"]);
    expect(nodes).toMatch(/dev-control-plane\s+Ready/);
    expect(nodes).toMatch(/dev-worker\s+Ready/);
    const del = await m.kina(["delete", "dev"]);
    expect(del.code, del.stderr).toBe(0);
    expect(m.container(["network", "list", "--format", "json"])).not.toContain("kina-dev");
  });
});
