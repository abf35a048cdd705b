// The real kina binary against the `container` double: imageBuilt, vmRunning and kubeadmInit as a
// Mac user would meet them, including crashes, kubeadm failures and a host that cannot run kina.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";

const mac = useFakeMacs();

const step = (m: FakeMac, id: string) => m.state().steps.bootstrap[id];

describe("create boots the node as the reference allows", () => {
  it("runs the VM with kina's flags, labels and a 127.0.0.1 API port, then kubeadm init", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(step(m, "kubeadmInit").status).toBe("done");

    const [node, ...others] = m.containers();
    expect(others).toEqual([]);
    expect(node!.id).toBe("dev-control-plane");
    expect(node!.state).toBe("running");
    expect(node!.labels).toEqual({ "io.kina.cluster": "dev", "io.kina.role": "control-plane" });
    const cfg = node!.raw.configuration;
    expect(cfg.capAdd).toEqual(["ALL"]);
    expect(cfg.maskedPaths).toEqual([]);
    expect(cfg.readonlyPaths).toEqual([]);
    expect(cfg.resources.cpus).toBe(4);
    expect(cfg.resources.memoryInBytes).toBe(4 * 1024 ** 3);
    const port = m.state().outputs.apiServerPort;
    expect(cfg.publishedPorts).toEqual([{ containerPort: 6443, count: 1, hostAddress: "127.0.0.1", hostPort: port, proto: "tcp" }]);

    // Node prep ran kina's own script inside the node, and kubeadm init used the written config.
    const log = m.execLog();
    expect(log.some((e) => e.via === "kina-script" && e.argv.join(" ") === "sysctl -w net.ipv4.ip_forward=1")).toBe(true);
    expect(log.some((e) => e.via === "kina-script" && e.argv.join(" ").includes("TCPMSS --set-mss 1220"))).toBe(true);
    const init = log.find((e) => e.argv[0] === "kubeadm" && e.argv[1] === "init");
    expect(init?.argv.slice(0, 4)).toEqual(["kubeadm", "init", "--config", "/kind/kubeadm.conf"]);
    expect(init?.exitCode).toBe(0);
    const conf = readFileSync(join(m.fake, "containers/dev-control-plane/rootfs/kind/kubeadm.conf"), "utf8");
    expect(conf).toContain(`advertiseAddress: ${node!.ip}`);
    for (const san of ["127.0.0.1", "localhost", node!.ip!, "dev-control-plane"]) expect(conf).toContain(`- ${san}`);
  });

  it("a crash right after `container run` then resume creates no second VM", async () => {
    const m = mac();
    m.faults([{ argv: ["run"], crashCaller: true, after: true, times: 1 }]);
    const first = await m.kina(["create", "dev"]);
    expect(first.signal).toBe("SIGKILL");
    expect(m.containers().map((c) => c.id)).toEqual(["dev-control-plane"]);

    const r = await m.kina(["resume", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(m.containers().map((c) => c.id)).toEqual(["dev-control-plane"]);
    const vm = step(m, "vmRunning");
    expect(vm.attempts).toHaveLength(2);
    const second = readFileSync(vm.attempts[1].log, "utf8");
    expect(second).not.toMatch(/ run -d /);
    expect(second).toContain("dev-control-plane is already running");
  });

  it("a failed kubeadm init is followed by kubeadm reset -f before the second init", async () => {
    const m = mac();
    m.faults([{ argv: ["exec", "dev-control-plane", "kubeadm", "init"], times: 1, exitCode: 1, stderr: "[ERROR CRI]: container runtime is not running\n" }]);
    const first = await m.kina(["create", "dev"]);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain("kubeadmInit failed: kubeadm init failed in dev-control-plane");
    expect(first.stderr).toContain("container runtime is not running");
    expect(first.stderr).toContain("kina resume dev");

    const r = await m.kina(["resume", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    const kubeadm = m.execLog().filter((e) => e.argv[0] === "kubeadm" && !e.via).map((e) => e.argv.slice(0, 3).join(" "));
    expect(kubeadm).toEqual(["kubeadm reset -f", "kubeadm init --config"]);
    expect(step(m, "kubeadmInit").attempts).toHaveLength(2);
  });

  it("a stopped node VM is started, not recreated, on resume", async () => {
    const m = mac();
    m.faults([{ argv: ["exec", "dev-control-plane", "kubeadm", "init"], times: 1, exitCode: 1 }]);
    await m.kina(["create", "dev"]);
    m.container(["stop", "dev-control-plane"]);
    const r = await m.kina(["resume", "dev"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("vmRunning: re-running because its result no longer holds: VM dev-control-plane is stopped");
    expect(m.containers()).toHaveLength(1);
    expect(m.containers()[0]!.state).toBe("running");
  });

  it("never deletes or reuses a VM with the node's name that kina did not create", async () => {
    const m = mac();
    m.container(["run", "-d", "--name", "dev-control-plane", "docker.io/kindest/node:v1.35.5"]);
    const r = await m.kina(["create", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("a container named dev-control-plane already exists and kina did not create it");
    expect(m.containers().map((c) => [c.id, c.labels])).toEqual([["dev-control-plane", {}]]);
  });
});

describe("host preflight", () => {
  it("container service not started: the documented fix, exit 1, nothing created", async () => {
    const m = mac();
    m.container(["system", "stop"]);
    const r = await m.kina(["create", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("container system start");
    expect(existsSync(join(m.env.KINA_HOME!, "clusters", "dev"))).toBe(false);
  });

  it("container 1.2.0 is refused with the reason", async () => {
    const m = mac({ KINA_FAKE_CONTAINER_VERSION: "1.2.0" });
    const r = await m.kina(["create", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/1\.2\.1/);
    expect(r.stderr).toMatch(/sysctl/);
    expect(m.containers()).toEqual([]);
  });

  it("a multi-node config on macOS 15 is refused up front", async () => {
    const m = mac({ KINA_FAKE_MACOS_VERSION: "15.6" });
    const config = "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n- role: worker\n";
    const r = await m.kina(["create", "dev", "--config", "-"], { input: config });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/macOS 26/);
    expect(m.containers()).toEqual([]);
    expect(existsSync(join(m.env.KINA_HOME!, "clusters", "dev"))).toBe(false);
  });

  it("no container CLI at all says what to install", async () => {
    const m = mac({ KINA_CONTAINER: join("/nonexistent", "container") });
    const r = await m.kina(["create", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/container/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // a message, not a stack trace
  });
});
