// Behaviour of the fake Apple `container` CLI (test/doubles/container/container) that kina relies
// on: grammar and exit codes, JSON shapes, IP rotation, error texts, fault injection, service state,
// macOS gating and build recording (reference/apple-container.md §2–§6).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

const CONTAINER = resolve(import.meta.dirname, "container/container");
const SW_VERS = resolve(import.meta.dirname, "bin/sw_vers");
const NODE_IMAGE = "kindest/node:v1.35.5";

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

let stateDir: string;
let workDir: string;

function run(file: string, args: string[], opts: { env?: Record<string, string>; input?: string } = {}): Promise<Result> {
  return new Promise((done, fail) => {
    const child = spawn(file, args, {
      env: { ...process.env, KINA_FAKE_CONTAINER_STATE: stateDir, ...opts.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code, signal) => done({ code, signal, stdout, stderr }));
    // A command that never reads stdin (e.g. exec without -i) may exit before we finish writing.
    child.stdin.on("error", () => {});
    if (opts.input === undefined) child.stdin.end();
    else child.stdin.end(opts.input);
  });
}

const container = (args: string[], opts?: { env?: Record<string, string>; input?: string }) => run(CONTAINER, args, opts);

async function ok(args: string[], opts?: { env?: Record<string, string>; input?: string }): Promise<string> {
  const r = await container(args, opts);
  expect(r.stderr.startsWith("Error:") ? r.stderr : "", `container ${args.join(" ")}`).toBe("");
  expect(r.code, `container ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r.stdout;
}

interface Attachment {
  ipv4Address: string;
  ipv4Gateway: string;
  hostname: string;
  network: string;
}
interface Managed {
  id: string;
  configuration: Record<string, any>;
  status: { state: string; networks: Attachment[]; startedDate?: string };
}

async function inspect(id: string): Promise<Managed> {
  const parsed = JSON.parse(await ok(["inspect", id])) as Managed[];
  expect(parsed).toHaveLength(1);
  return parsed[0]!;
}

const runNode = (name: string, extra: string[] = []) => ok(["run", "-d", "--name", name, ...extra, NODE_IMAGE]);

beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), "kina-fake-container-"));
  workDir = mkdtempSync(join(tmpdir(), "kina-fake-container-work-"));
});

afterEach(() => {
  rmSync(stateDir, { recursive: true, force: true });
  rmSync(workDir, { recursive: true, force: true });
});

describe("grammar", () => {
  it("prints the 1.2.2 version line", async () => {
    expect(await ok(["--version"])).toBe("container CLI version 1.2.2 (build: release, commit: 0190097)\n");
  });

  it.each(["--privileged", "--hostname", "--sysctl", "--restart"])("rejects Docker-only %s with exit 64", async (flag) => {
    const r = await container(["run", "-d", "--name", "n1", flag, "x", NODE_IMAGE]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(new RegExp(`^Error: Unknown option '${flag}'\nUsage: container run `));
    expect(await ok(["list", "--all", "--quiet"])).toBe("");
  });

  it("exits 64 when the image argument is missing", async () => {
    const r = await container(["run", "-d", "--name", "n1"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain("Error: Missing expected argument '<image>'");
  });

  it("accepts --opt=value and short clusters, and passes words after the image to the container", async () => {
    await ok(["run", "-dt", "--name=n1", "-c", "2", "-m", "512m", NODE_IMAGE, "--privileged", "-v"]);
    const c = await inspect("n1");
    expect(c.configuration.resources).toMatchObject({ cpus: 2, memoryInBytes: 512 * 1024 * 1024 });
    expect(c.configuration.initProcess.terminal).toBe(true);
    expect(c.configuration.initProcess.arguments).toEqual(["/sbin/init", "--privileged", "-v"]);
  });

  it("rejects --progress on create but accepts it on run", async () => {
    expect((await container(["create", "--progress", "none", "--name", "n1", NODE_IMAGE])).code).toBe(64);
    await ok(["run", "-d", "--progress", "none", "--name", "n1", NODE_IMAGE]);
  });

  it("reports unknown top-level words as missing plugins, and honours aliases", async () => {
    const r = await container(["images"]);
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^Error: Plugin 'container-images' not found\./);
    await runNode("n1");
    expect(await ok(["ls", "-q"])).toBe("n1\n");
    expect(await ok(["i", "ls", "-q"])).toBe("kindest/node:v1.35.5\n");
    expect(await ok(["rm", "-f", "n1"])).toBe("n1\n");
  });

  it("refuses to run without a state directory", async () => {
    const r = await run(CONTAINER, ["list"], { env: { KINA_FAKE_CONTAINER_STATE: "" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("KINA_FAKE_CONTAINER_STATE");
  });
});

describe("run, inspect and list output", () => {
  it("emits the 1.x ManagedContainer shape with a CIDR IPv4 address", async () => {
    expect(await runNode("kina-cp", ["--cap-add", "ALL", "--masked-path", "NONE", "--read-only-path", "NONE", "-l", "io.kina.cluster=dev", "-p", "127.0.0.1:6445:6443", "-c", "4", "-m", "4g"])).toBe("kina-cp\n");
    const raw = await ok(["inspect", "kina-cp"]);
    expect(raw).toContain('"ipv4Address" : "192.168.64.2\\/24"');
    const c = JSON.parse(raw)[0] as Managed;
    expect(Object.keys(c)).toEqual(["configuration", "id", "status"]);
    expect(c.id).toBe("kina-cp");
    expect(c.status.state).toBe("running");
    expect(c.status.startedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(c.status.networks[0]).toMatchObject({ ipv4Address: "192.168.64.2/24", ipv4Gateway: "192.168.64.1", hostname: "kina-cp", network: "default" });
    expect(c.configuration).toMatchObject({
      id: "kina-cp",
      capAdd: ["ALL"],
      maskedPaths: [],
      readonlyPaths: [],
      labels: { "io.kina.cluster": "dev" },
      image: { reference: "docker.io/kindest/node:v1.35.5" },
      publishedPorts: [{ hostAddress: "127.0.0.1", hostPort: 6445, containerPort: 6443, proto: "tcp", count: 1 }],
      resources: { cpus: 4, memoryInBytes: 4 * 1024 ** 3, cpuOverhead: 1 },
      stopSignal: "SIGRTMIN+3",
      initProcess: { executable: "/usr/local/bin/entrypoint", arguments: ["/sbin/init"] },
    });
    const list = await ok(["list", "--format", "json"]);
    expect(list.trimEnd().split("\n")).toHaveLength(1);
    expect(JSON.parse(list)).toEqual(JSON.parse(raw));
  });

  it("omits optional fields that were not given", async () => {
    await runNode("n1");
    const c = await inspect("n1");
    expect("maskedPaths" in c.configuration).toBe(false);
    expect("shmSize" in c.configuration).toBe(false);
    expect(c.configuration.dns).toEqual({ nameservers: [], options: [], searchDomains: [] });
  });

  it("lists only running containers unless --all, and -q prints nothing for none", async () => {
    await ok(["create", "--name", "n1", NODE_IMAGE]);
    expect(await ok(["list", "-q"])).toBe("");
    expect(await ok(["list", "-a", "-q"])).toBe("n1\n");
    const c = await inspect("n1");
    expect(c.status).toEqual({ networks: [], state: "stopped" });
  });

  it("seeds a node container's rootfs from node-rootfs", async () => {
    await runNode("n1");
    const rootfs = join(stateDir, "containers", "n1", "rootfs");
    expect(existsSync(rootfs)).toBe(true);
    const fixture = resolve(import.meta.dirname, "container/node-rootfs/kind/version");
    if (existsSync(fixture)) expect(readFileSync(join(rootfs, "kind/version"), "utf8")).toBe(readFileSync(fixture, "utf8"));
  });
});

describe("IP allocation", () => {
  it("empties status.networks on stop and gives a new IP on every start", async () => {
    await runNode("n1");
    const first = (await inspect("n1")).status.networks[0]!.ipv4Address;
    expect(await ok(["stop", "-t", "30", "n1"])).toBe("n1\n");
    const stopped = await inspect("n1");
    expect(stopped.status.state).toBe("stopped");
    expect(stopped.status.networks).toEqual([]);
    expect(await ok(["stop", "n1"])).toBe("n1\n");
    await ok(["start", "n1"]);
    const second = (await inspect("n1")).status.networks[0]!.ipv4Address;
    expect(second).not.toBe(first);
    await ok(["stop", "n1"]);
    await ok(["start", "n1"]);
    const third = (await inspect("n1")).status.networks[0]!.ipv4Address;
    expect(new Set([first, second, third]).size).toBe(3);
  });

  it("hands out distinct addresses to concurrent runs", async () => {
    const names = Array.from({ length: 8 }, (_, i) => `node${i}`);
    const results = await Promise.all(names.map((n) => container(["run", "-d", "--name", n, NODE_IMAGE])));
    expect(results.map((r) => r.code)).toEqual(names.map(() => 0));
    const all = JSON.parse(await ok(["list", "--format", "json"])) as Managed[];
    expect(all.map((c) => c.id).sort()).toEqual([...names].sort());
    expect(new Set(all.map((c) => c.status.networks[0]!.ipv4Address)).size).toBe(names.length);
  });
});

describe("errors", () => {
  it("refuses a name clash on run and create", async () => {
    await runNode("n1");
    const r = await container(["run", "-d", "--name", "n1", NODE_IMAGE]);
    expect([r.code, r.stderr]).toEqual([1, "Error: container with id n1 already exists\n"]);
    const c = await container(["create", "--name", "n1", NODE_IMAGE]);
    expect([c.code, c.stderr]).toEqual([1, "Error: container already exists: n1\n"]);
  });

  it("validates names, memory and images", async () => {
    expect((await container(["run", "-d", "--name", "x", NODE_IMAGE])).stderr).toBe("Error: container ID x is not a valid container ID\n");
    const mem = await container(["run", "-d", "--name", "n1", "-m", "100m", NODE_IMAGE]);
    expect([mem.code, mem.stderr]).toEqual([1, "Error: minimum memory amount allowed is 200 MiB (got 104857600 bytes)\n"]);
    const missing = await container(["run", "-d", "--name", "n1", "kindest/does-not-exist:v1"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("404");
  });

  it("uses the reference's texts for missing and running containers", async () => {
    await runNode("n1");
    expect((await container(["inspect", "zz", "n1", "aa"])).stderr).toBe("Error: container not found: aa, zz\n");
    expect((await container(["start", "zz"])).stderr).toBe("Error: get failed: container zz not found\n");
    expect((await container(["exec", "zz", "true"])).stderr).toBe("Error: get failed: container zz not found\n");
    expect((await container(["stop", "zz"])).stderr).toBe(
      'Error: internalError: "failed to stop container" (cause: "notFound: "container with ID zz not found"")\n',
    );
    const del = await container(["delete", "n1"]);
    expect([del.code, del.stderr]).toEqual([
      1,
      'Error: internalError: "failed to delete container" (cause: "invalidState: "container n1 is running and can not be deleted"")\n',
    ]);
    expect(await ok(["delete", "--force", "n1"])).toBe("n1\n");
  });

  it("refuses exec in a stopped container", async () => {
    await ok(["create", "--name", "n1", NODE_IMAGE]);
    const r = await container(["exec", "n1", "true"]);
    expect([r.code, r.stderr]).toEqual([1, "Error: container n1 is not running\n"]);
  });
});

describe("exec", () => {
  it("exits with the command's exit code and forwards stdin only with -i", async () => {
    await runNode("n1");
    expect((await container(["exec", "n1", "false"])).code).toBe(1);
    expect(await ok(["exec", "-i", "n1", "cat"], { input: "piped\n" })).toBe("piped\n");
    expect(await ok(["exec", "n1", "cat"], { input: "piped\n" })).toBe("");
    const log = readFileSync(join(stateDir, "exec.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(log.map((e) => e.argv)).toEqual([["false"], ["cat"], ["cat"]]);
  });
});

describe("fault injection", () => {
  it("fires a rule the given number of times, then behaves normally", async () => {
    writeFileSync(join(stateDir, "faults.json"), JSON.stringify({ rules: [{ argv: ["run", "-d"], times: 2, exitCode: 3, stderr: "Error: injected" }] }));
    for (let i = 0; i < 2; i++) {
      const r = await container(["run", "-d", "--name", "n1", NODE_IMAGE]);
      expect([r.code, r.stderr]).toEqual([3, "Error: injected\n"]);
    }
    expect(JSON.parse(readFileSync(join(stateDir, "faults.json"), "utf8")).rules).toEqual([]);
    await runNode("n1");
  });

  it("matches '*' against one word and aliases against their command", async () => {
    await runNode("n1");
    writeFileSync(join(stateDir, "faults.json"), JSON.stringify({ rules: [{ argv: ["exec", "*", "kubeadm"], times: 1, exitCode: 7 }, { argv: ["list"], times: 1, exitCode: 9 }] }));
    expect((await container(["exec", "n1", "kubeadm", "init"])).code).toBe(7);
    expect((await container(["ls"])).code).toBe(9);
    expect((await container(["ls"])).code).toBe(0);
  });

  it("kills the caller after the work when crashCaller/after is set", async () => {
    writeFileSync(join(stateDir, "faults.json"), JSON.stringify({ rules: [{ argv: ["run"], crashCaller: true, after: true }] }));
    const r = await run("/bin/sh", ["-c", `"$0" run -d --name n1 ${NODE_IMAGE}; echo survived`, CONTAINER]);
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout).not.toContain("survived");
    rmSync(join(stateDir, "faults.json"));
    expect((await inspect("n1")).status.state).toBe("running");
  });

  it("kills the caller before any work when after is false", async () => {
    writeFileSync(join(stateDir, "faults.json"), JSON.stringify({ rules: [{ argv: ["run"], crashCaller: true, after: false }] }));
    const r = await run("/bin/sh", ["-c", `"$0" run -d --name n1 ${NODE_IMAGE}; echo survived`, CONTAINER]);
    expect(r.signal).toBe("SIGKILL");
    rmSync(join(stateDir, "faults.json"));
    expect((await container(["inspect", "n1"])).code).toBe(1);
  });
});

describe("numbered crashes (the crash matrix)", () => {
  const calls = () => readFileSync(join(stateDir, "calls.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
  // A stand-in for kina: a node process whose argv ends in dist/src/cli/main.js runs `container` through /bin/sh,
  // so the double has to find it above its direct parent.
  async function asKina(script: string): Promise<Result> {
    const dir = join(workDir, "dist/src/cli");
    mkdirSync(dir, { recursive: true });
    const entry = join(dir, "main.js");
    writeFileSync(entry, `require("node:child_process").execFileSync("/bin/sh", ["-c", ${JSON.stringify(script)}, ${JSON.stringify(CONTAINER)}], { stdio: "inherit" }); console.log("kina survived");`);
    return run(process.execPath, [entry]);
  }

  it("numbers every invocation across processes and logs its argv", async () => {
    writeFileSync(join(stateDir, "faults.json"), JSON.stringify({ rules: [], recordCalls: true }));
    await ok(["--version"]);
    await runNode("n1");
    await ok(["ls"]);
    expect(calls().map((c) => [c.n, c.argv[0]])).toEqual([[1, "--version"], [2, "run"], [3, "ls"]]);
  });

  it("kills the kina ancestor before call n does anything", async () => {
    writeFileSync(join(stateDir, "faults.json"), JSON.stringify({ rules: [], crashAtCall: { n: 2, after: false } }));
    const r = await asKina(`"$0" --version && "$0" run -d --name n1 ${NODE_IMAGE}; echo shell survived`);
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout).not.toContain("kina survived");
    rmSync(join(stateDir, "faults.json"));
    expect((await container(["inspect", "n1"])).code).toBe(1);
  });

  it("kills the kina ancestor after call n did its work, before it prints the answer", async () => {
    writeFileSync(join(stateDir, "faults.json"), JSON.stringify({ rules: [], crashAtCall: { n: 1, after: true } }));
    const r = await asKina(`"$0" run -d --name n1 ${NODE_IMAGE}`);
    expect(r.signal).toBe("SIGKILL");
    expect(r.stdout).not.toContain("n1");
    rmSync(join(stateDir, "faults.json"));
    expect((await inspect("n1")).status.state).toBe("running");
  });
});

describe("service stopped", () => {
  const hint = "\nEnsure container system service has been started with `container system start`.\n";

  it("answers like an apiserver that is not running, until system start", async () => {
    await runNode("n1");
    writeFileSync(join(stateDir, "service-stopped"), "");
    const list = await container(["list"]);
    expect([list.code, list.stderr]).toEqual([
      1,
      `Error: internalError: "failed to list containers" (cause: "interrupted: "XPC connection error: Connection invalid"")${hint}`,
    ]);
    const runR = await container(["run", "-d", "--name", "n2", NODE_IMAGE]);
    expect(runR.stderr).toBe(`Error: interrupted: "XPC connection error: Connection invalid"${hint}`);
    const status = await container(["system", "status"]);
    expect([status.code, status.stdout]).toEqual([1, "apiserver is not running and not registered with launchd\n"]);
    const json = await container(["system", "status", "--format", "json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: "unregistered", appRoot: "" });
    expect(await ok(["--version"])).toContain("1.2.2");

    await ok(["system", "start", "--enable-kernel-install"]);
    expect(JSON.parse(await ok(["system", "status", "--format", "json"]))).toMatchObject({ status: "running", apiServerAppName: "container-apiserver" });
    // Containers never restart by themselves after the service comes back.
    expect((await inspect("n1")).status.state).toBe("stopped");
  });
});

describe("macOS gating of networks", () => {
  it("has no network group before macOS 26", async () => {
    const env = { KINA_FAKE_MACOS_VERSION: "15.6" };
    const r = await container(["network", "list"], { env });
    expect(r.code).toBe(64);
    expect(r.stderr).toMatch(/^Error: Plugin 'container-network' not found\./);
    const runR = await container(["run", "-d", "--name", "n1", "--network", "kina-dev", NODE_IMAGE], { env });
    expect([runR.code, runR.stderr]).toEqual([1, "Error: non-default network configuration requires macOS 26 or newer\n"]);
    expect((await run(SW_VERS, ["-productVersion"], { env })).stdout).toBe("15.6\n");
  });

  it("creates networks on macOS 26 and attaches containers on a distinct /24", async () => {
    expect(await ok(["network", "create", "--label", "io.kina.cluster=dev", "kina-dev"])).toBe("kina-dev\n");
    const networks = JSON.parse(await ok(["network", "list", "--format", "json"]));
    expect(networks.map((n: any) => [n.id, n.status.ipv4Subnet])).toEqual([
      ["default", "192.168.64.0/24"],
      ["kina-dev", "192.168.65.0/24"],
    ]);
    await runNode("n1", ["--network", "kina-dev"]);
    expect((await inspect("n1")).status.networks[0]).toMatchObject({ network: "kina-dev", ipv4Address: "192.168.65.2/24" });
    expect((await container(["network", "delete", "kina-dev"])).code).toBe(1);
    await ok(["delete", "-f", "n1"]);
    expect(await ok(["network", "rm", "kina-dev"])).toBe("kina-dev\n");
    expect((await run(SW_VERS, ["-productVersion"])).stdout).toBe("26.0\n");
  });
});

describe("networks as 1.x keeps them", () => {
  it("network delete is refused while any container references the network, stopped ones too", async () => {
    await ok(["network", "create", "kina-dev"]);
    await runNode("n1", ["--network", "kina-dev"]);
    await ok(["stop", "n1"]);
    const refused = await container(["network", "delete", "kina-dev"]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("with referring containers: n1");
    await ok(["delete", "n1"]);
    await ok(["network", "delete", "kina-dev"]);
  });

  it("network create rejects label keys with '_' or '..'", async () => {
    for (const key of ["io_kina", "io..kina"]) {
      const r = await container(["network", "create", "--label", `${key}=x`, "kina-x"]);
      expect(r.code, key).toBe(1);
      expect(r.stderr).toContain(`invalid label key: ${key}`);
    }
    await ok(["network", "create", "--label", "io.kina.cluster=x", "kina-x"]);
  });
});

describe("build", () => {
  it("validates the context and Dockerfile", async () => {
    const missing = await container(["build", "-t", "kina/node:dev", join(workDir, "nope")]);
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain("context dir does not exist");
    const noFile = await container(["build", "-t", "kina/node:dev", workDir]);
    expect([noFile.code, noFile.stderr.split("\n")[0]]).toEqual([64, "Error: dockerfile not found in context dir"]);
  });

  it("records tags, context and build args, and the result runs as a node image", async () => {
    const context = join(workDir, "node");
    mkdirSync(context);
    writeFileSync(join(context, "Dockerfile"), "FROM kindest/node:v1.35.5\n");
    const out = await ok(["build", "-t", "kina/node:dev", "--build-arg", "KUBE_VERSION=v1.35.5", "--build-arg", "X=y", "--progress", "plain", context]);
    expect(out).toBe("docker.io/kina/node:dev\n");
    const builds = readFileSync(join(stateDir, "build.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(builds).toHaveLength(1);
    expect(builds[0]).toMatchObject({
      tags: ["docker.io/kina/node:dev"],
      context,
      file: join(context, "Dockerfile"),
      buildArgs: { KUBE_VERSION: "v1.35.5", X: "y" },
    });
    const image = JSON.parse(await ok(["image", "inspect", "kina/node:dev"]));
    expect(image[0].configuration.name).toBe("docker.io/kina/node:dev");
    await ok(["run", "-d", "--name", "n1", "kina/node:dev"]);
    expect((await inspect("n1")).configuration.stopSignal).toBe("SIGRTMIN+3");
  });
});

describe("image save", () => {
  it("writes the archive with -o (references on stdout) and refuses a platform the image has no content for", async () => {
    await ok(["image", "pull", "alpine:3.20"]);
    const file = join(workDir, "alpine.tar");
    expect(await ok(["image", "save", "--platform", "linux/arm64", "-o", file, "alpine:3.20"])).toBe("alpine:3.20\n");
    expect(readFileSync(file).subarray(257, 262).toString()).toBe("ustar");
    const wrong = await container(["image", "save", "--platform", "linux/amd64", "-o", file, "alpine:3.20"]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("image docker.io/library/alpine:3.20 has no content for platform linux/amd64; available platforms: linux/arm64");
  });
});
