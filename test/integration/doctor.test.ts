// kina doctor against the fake Mac: a healthy host passes; each check fails (or warns, where a
// problem only may hurt) with its fix; a check whose own tool is missing or cannot answer warns.

import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";
import { KINA_BIN, REPO } from "../helpers/run.js";

const mac = useFakeMacs();

interface Line {
  level: string;
  id: string;
  finding: string;
  fix?: string;
}

/** The report as the user reads it: `level  id: finding`, then an optional `fix: …` line. */
function report(stdout: string): Map<string, Line> {
  const lines = new Map<string, Line>();
  let last: Line | undefined;
  for (const text of stdout.split("\n")) {
    const row = /^(ok|warn|fail)\s+([a-z-]+): (.*)$/.exec(text);
    if (row) {
      last = { level: row[1]!, id: row[2]!, finding: row[3]! };
      lines.set(last.id, last);
      continue;
    }
    const fix = /^\s+fix: (.*)$/.exec(text);
    if (fix && last) last.fix = fix[1]!;
  }
  return lines;
}

async function doctor(m: FakeMac, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const result = await m.kina(["doctor", ...args], { env });
  return { ...result, checks: report(result.stdout) };
}

function writeConfig(m: FakeMac, name: string, yaml: string): string {
  const path = join(m.root, name);
  writeFileSync(path, yaml);
  return path;
}

const CILIUM = "kind: Cluster\napiVersion: kina.x-k8s.io/v1alpha4\nnetworking:\n  cni: cilium\n";
const TWO_NODES = "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n- role: worker\n";
const ALL_CHECKS = ["container", "service", "version-skew", "kernel", "macos", "memory", "subnet", "leftover-vms", "helm"];

describe("kina doctor", () => {
  it("passes on a healthy fake Mac: one ok line per check, exit 0", async () => {
    const m = mac();
    const r = await doctor(m);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect([...r.checks.keys()]).toEqual(ALL_CHECKS);
    for (const line of r.checks.values()) expect(line.level, `${line.id}: ${line.finding}`).toBe("ok");
    expect(r.checks.get("container")!.finding).toContain("1.2.2");
    expect(r.checks.get("kernel")!.finding).toMatch(/vmlinux-6\.18\.15-186 .*embedded.*everything kindnet needs/);
  });

  it("fails when `container` is missing or too old", async () => {
    const m = mac();
    const missing = await doctor(m, [], { KINA_CONTAINER: join(m.root, "no-such-container") });
    expect(missing.code).toBe(1);
    expect(missing.checks.get("container")).toMatchObject({ level: "fail", finding: expect.stringContaining("not found") });
    expect(missing.checks.get("container")!.fix).toContain("1.2.1");
    // The checks that need `container` cannot answer: they warn, they do not fail.
    for (const id of ["service", "version-skew", "kernel", "leftover-vms"]) expect(missing.checks.get(id)!.level, id).toBe("warn");

    const old = await doctor(mac(), [], { KINA_FAKE_CONTAINER_VERSION: "1.2.0" });
    expect(old.code).toBe(1);
    expect(old.checks.get("container")).toMatchObject({ level: "fail", finding: expect.stringContaining("1.2.0") });
  });

  it("knows the 1.3.0 and 1.4.1 changes", async () => {
    const r = await doctor(mac(), [], { KINA_FAKE_CONTAINER_VERSION: "1.4.1" });
    expect(r.code, r.stdout).toBe(0);
    expect(r.checks.get("container")!.finding).toMatch(/--scheme auto.*removed.*nested `system status`/);
    expect(r.checks.get("service")!.level).toBe("ok");
  });

  it.each(["1.2.2", "1.4.1"])("fails when the system service is stopped (container %s status shape)", async (version) => {
    const m = mac({ KINA_FAKE_CONTAINER_VERSION: version });
    m.container(["system", "stop"]);
    const r = await doctor(m);
    expect(r.code).toBe(1);
    expect(r.checks.get("service")).toMatchObject({ level: "fail", fix: "container system start" });
    expect(r.checks.get("version-skew")!.level).toBe("warn");
    expect(r.checks.get("kernel")!.level).toBe("warn");
  });

  it("warns on client/apiserver skew and an old kernel after an upgrade; the fixes clear both", async () => {
    const m = mac();
    m.container(["system", "status"]); // the apiserver and kernel of 1.2.2 are in place
    const upgraded = { KINA_FAKE_CONTAINER_VERSION: "1.4.1" };
    const r = await doctor(m, [], upgraded);
    expect(r.code, r.stdout).toBe(0);
    expect(r.checks.get("version-skew")).toMatchObject({
      level: "warn",
      finding: expect.stringMatching(/client 1\.4\.1 but apiserver 1\.2\.2/),
      fix: "container system stop && container system start",
    });
    expect(r.checks.get("kernel")).toMatchObject({
      level: "warn",
      finding: expect.stringMatching(/vmlinux-6\.18\.15-186 is older than vmlinux-6\.18\.35-197-debug/),
      fix: "container system kernel set --recommended --force",
    });

    const env = { ...m.env, ...upgraded };
    const { execFileSync } = await import("node:child_process");
    for (const args of [["system", "stop"], ["system", "start"], ["system", "kernel", "set", "--recommended", "--force"]]) {
      execFileSync(m.env.KINA_CONTAINER!, args, { env: { ...process.env, ...env } });
    }
    const fixed = await doctor(m, [], upgraded);
    expect(fixed.checks.get("version-skew")!.level).toBe("ok");
    expect(fixed.checks.get("kernel")).toMatchObject({ level: "ok", finding: expect.stringContaining("vmlinux-6.18.35-197-debug") });
  });

  it("reads the skew from `system version` on releases before 1.4.1", async () => {
    const m = mac();
    m.container(["system", "status"]);
    const r = await doctor(m, [], { KINA_FAKE_CONTAINER_VERSION: "1.3.1" });
    expect(r.checks.get("version-skew")).toMatchObject({ level: "warn", finding: expect.stringContaining("`container system version`") });
  });

  it("fails the kernel check for a cilium config on a kernel without BPF JIT; warns on 1.3.0's kernel", async () => {
    const m = mac();
    const config = writeConfig(m, "cilium.yaml", CILIUM);
    const r = await doctor(m, ["--config", config]);
    expect(r.code).toBe(1);
    const kernel = r.checks.get("kernel")!;
    expect(kernel.level).toBe("fail");
    expect(kernel.finding).toMatch(/lacks BPF, BPF_SYSCALL, BPF_JIT|lacks BPF_JIT/);
    expect(kernel.finding).toContain("NET_CLS_BPF");
    expect(kernel.finding).toContain("NET_SCH_INGRESS");
    expect(kernel.fix).toContain("BPF_JIT");

    // A fresh 1.4.1 install boots Kata 3.32's debug kernel: JIT and BTF, but no cls_bpf/ingress.
    const fresh = mac({ KINA_FAKE_CONTAINER_VERSION: "1.4.1" });
    const f = await doctor(fresh, ["--config", writeConfig(fresh, "cilium.yaml", CILIUM)]);
    expect(f.checks.get("kernel")).toMatchObject({ level: "warn", finding: expect.stringContaining("NET_CLS_BPF") });
    expect(f.checks.get("kernel")!.finding).not.toContain("BPF_JIT");
  });

  it("fails a multi-node config on macOS 15, passes a single node there", async () => {
    const m = mac({ KINA_FAKE_MACOS_VERSION: "15.5" });
    const r = await doctor(m, ["--config", writeConfig(m, "two.yaml", TWO_NODES)]);
    expect(r.code).toBe(1);
    expect(r.checks.get("macos")).toMatchObject({ level: "fail", finding: expect.stringMatching(/15\.5 with a 2-node config/) });
    expect(r.checks.get("macos")!.fix).toContain("macOS 26");
    const single = await doctor(m);
    expect(single.checks.get("macos")!.level).toBe("ok");
  });

  it("fails when the Mac has less memory than the nodes ask for, warns when too little is free", async () => {
    const m = mac();
    const config = writeConfig(m, "two.yaml", TWO_NODES);
    const small = await doctor(m, ["--config", config], { KINA_FAKE_MEMSIZE: String(4 * 1024 ** 3) });
    expect(small.code).toBe(1);
    expect(small.checks.get("memory")).toMatchObject({ level: "fail", finding: expect.stringMatching(/4\.0 GiB in all.*2 nodes need 6\.3 GiB/) });
    expect(small.checks.get("memory")!.fix).toContain("nodes[].memory");
    const busy = await doctor(m, ["--config", config], { KINA_FAKE_FREE_MEMORY: String(2 * 1024 ** 3) });
    expect(busy.code).toBe(0);
    expect(busy.checks.get("memory")).toMatchObject({ level: "warn", finding: expect.stringContaining("only 2.0 GiB free") });
  });

  it("warns when a route (a VPN) overlaps the VM subnet, the default or config.toml's [network] subnet", async () => {
    const m = mac();
    const r = await doctor(m, [], { KINA_FAKE_ROUTES: "192.168.64/20 utun5" });
    expect(r.code).toBe(0);
    expect(r.checks.get("subnet")).toMatchObject({
      level: "warn",
      finding: expect.stringMatching(/192\.168\.64\.0\/24 .*overlaps 192\.168\.64\.0\/20 via utun5/),
      fix: expect.stringContaining("[network] subnet"),
    });

    const custom = mac();
    mkdirSync(join(custom.fake, "app-root", "config"), { recursive: true });
    writeFileSync(join(custom.fake, "app-root", "config", "config.toml"), '[network]\nsubnet = "10.8.3.0/24"\n');
    const c = await doctor(custom, [], { KINA_FAKE_ROUTES: "10.8/16 utun4" });
    expect(c.checks.get("subnet")).toMatchObject({ level: "warn", finding: expect.stringMatching(/10\.8\.3\.0\/24 \(\[network\] subnet.*10\.8\.0\.0\/16 via utun4/) });
    // The default subnet does not collide with that VPN.
    expect((await doctor(mac(), [], { KINA_FAKE_ROUTES: "10.8/16 utun4" })).checks.get("subnet")!.level).toBe("ok");
  });

  it("judges the kernel from a running node, and warns about VMs of a cluster kina has no state for", async () => {
    const m = mac();
    const create = await m.kina(["create", "dev"]);
    expect(create.code, create.stderr).toBe(0);
    const withNode = await doctor(m, ["--name", "dev"]);
    expect(withNode.code, withNode.stdout).toBe(0);
    expect(withNode.checks.get("kernel")!.finding).toContain("dev-control-plane's /proc/config.gz");
    expect(withNode.checks.get("leftover-vms")!.level).toBe("ok");

    rmSync(join(m.env.KINA_HOME!, "clusters", "dev"), { recursive: true, force: true });
    const r = await doctor(m);
    expect(r.code).toBe(0);
    expect(r.checks.get("leftover-vms")).toMatchObject({
      level: "warn",
      finding: expect.stringContaining("dev (dev-control-plane)"),
      fix: expect.stringContaining("container delete --force dev-control-plane"),
    });
    expect(r.checks.get("leftover-vms")!.fix).toContain("kina delete dev");
    // The fix works: kina delete removes the VMs by label even without state.
    expect((await m.kina(["delete", "dev"])).code).toBe(0);
    expect((await doctor(m)).checks.get("leftover-vms")!.level).toBe("ok");
  });

  it("warns when helm is missing with a cilium config; ok once helm is on PATH", async () => {
    const m = mac();
    const config = writeConfig(m, "cilium.yaml", CILIUM);
    const r = await doctor(m, ["--config", config]);
    expect(r.checks.get("helm")).toMatchObject({ level: "warn", finding: expect.stringContaining("not found on PATH") });
    const bin = join(m.root, "helm-bin");
    mkdirSync(bin);
    writeFileSync(join(bin, "helm"), '#!/bin/sh\n[ "$1 $2" = "version --short" ] && echo "v3.19.0+g1234567" && exit 0\nexit 1\n');
    chmodSync(join(bin, "helm"), 0o755);
    const withHelm = await doctor(m, ["--config", config], { PATH: `${bin}:${m.env.PATH}` });
    expect(withHelm.checks.get("helm")).toMatchObject({ level: "ok", finding: expect.stringContaining("v3.19.0") });
  });

  it("warns, never fails, for checks whose own tool is missing (sw_vers, sysctl, vm_stat, netstat)", async () => {
    const m = mac();
    // Only node stays on PATH (the `container` double runs on it); the host tools are gone.
    const r = await doctor(m, [], { PATH: dirname(process.execPath) });
    expect(r.code, r.stdout).toBe(0);
    expect(r.checks.get("macos")).toMatchObject({ level: "warn", finding: expect.stringContaining("sw_vers") });
    expect(r.checks.get("memory")).toMatchObject({ level: "warn", finding: expect.stringContaining("sysctl") });
    expect(r.checks.get("subnet")).toMatchObject({ level: "warn", finding: expect.stringContaining("netstat") });
    expect(r.checks.get("container")!.level).toBe("ok");
  });

  it("does not load the Kubernetes client", () => {
    const m = mac();
    const log = join(m.root, "imports.log");
    const r = spawnSync(process.execPath, ["--import", join(REPO, "test/fixtures/record-imports.mjs"), KINA_BIN, "doctor"], {
      env: { ...m.env, KINA_IMPORT_LOG: log },
      encoding: "utf8",
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const urls = readFileSync(log, "utf8").split("\n");
    expect(urls.some((u) => u.includes("/dist/src/doctor/"))).toBe(true);
    expect(urls.filter((u) => u.includes("@kubernetes/client-node"))).toEqual([]);
  });

  it("refuses a bad --config with exit 2 before checking anything", async () => {
    const m = mac();
    const r = await doctor(m, ["--config", writeConfig(m, "bad.yaml", "kind: Cluster\napiVersion: kina.x-k8s.io/v1alpha4\nnetworking:\n  cni: flannel\n")]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("cni");
    expect(r.checks.size).toBe(0);
  });
});
