import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ContainerCli } from "../../../src/runtime/container.js";
import {
  AbortedError,
  CommandFailedError,
  CommandTimeoutError,
  ContainerCliMissingError,
  InvalidArgumentError,
  NotFoundError,
  NotRunningError,
  ServiceNotStartedError,
  UnexpectedOutputError,
  UnknownOptionError,
} from "../../../src/runtime/errors.js";
import type { CommandRecord } from "../../../src/runtime/process.js";
import { ipv4Of } from "../../../src/runtime/schemas.js";
import { fixture, StubCli } from "./stub-cli.js";

const VERSION = "container CLI version 1.2.2 (build: release, commit: 0190097)\n";

let stub: StubCli;
let records: CommandRecord[];
let cli: ContainerCli;

beforeEach(() => {
  stub = new StubCli();
  records = [];
  cli = new ContainerCli({ binary: stub.binary, onCommand: (r) => records.push(r) });
});
afterEach(() => stub.cleanup());

describe("ContainerCli against a stub executable", () => {
  it("passes argv as an array (no shell) and reports every command to onCommand", async () => {
    stub.respond([{ argv: ["run"], stdout: "dev-control-plane\n", stderr: "progress\n" }]);
    const id = await cli.run({
      name: "dev-control-plane",
      image: "kina/node:v1",
      labels: { "io.kina.note": "a b $(touch /tmp/pwned) ; `x`" },
    });
    expect(id).toBe("dev-control-plane");
    const [call] = stub.calls();
    expect(call?.args).toEqual([
      "run", "-d", "--name", "dev-control-plane",
      "--cap-add", "ALL", "--masked-path", "NONE", "--read-only-path", "NONE",
      "-l", "io.kina.note=a b $(touch /tmp/pwned) ; `x`",
      "--progress", "none", "kina/node:v1",
    ]);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      argv: [stub.binary, ...call!.args],
      exitCode: 0,
      stdout: "dev-control-plane\n",
      stderr: "progress\n",
    });
  });

  it("exec sends stdin with -i only when stdin is given, and never logs the stdin bytes", async () => {
    stub.respond([{ argv: ["exec"], stdout: "unpacking\n" }]);
    const withInput = await cli.exec("dev-worker", ["ctr", "-n", "k8s.io", "images", "import", "-"], { stdin: "SECRET-TAR" });
    expect(withInput).toMatchObject({ exitCode: 0, stdout: "unpacking\n" });
    const without = await cli.exec("dev-worker", ["true"], { env: { A: "1" } });
    expect(without.exitCode).toBe(0);
    expect(stub.calls().map((c) => [c.args, c.stdin])).toEqual([
      [["exec", "-i", "dev-worker", "ctr", "-n", "k8s.io", "images", "import", "-"], "SECRET-TAR"],
      [["exec", "-e", "A=1", "dev-worker", "true"], ""],
    ]);
    expect(records[0]?.stdinBytes).toBe(10);
    expect(JSON.stringify(records)).not.toContain("SECRET-TAR");
  });

  it("exec resolves with a failing workload's exit code and output", async () => {
    stub.respond([{ argv: ["exec"], exitCode: 3, stdout: "partial\n", stderr: "Error: something in the workload\n" }]);
    await expect(cli.exec("dev-worker", ["kubeadm", "init"])).resolves.toMatchObject({
      exitCode: 3,
      stdout: "partial\n",
      stderr: "Error: something in the workload\n",
    });
  });

  it("exec rejects with typed errors when `container` itself fails", async () => {
    stub.respond([{ argv: ["exec", "*", "*"], exitCode: 1, stderr: "Error: container dev-worker is not running\n" }]);
    await expect(cli.exec("dev-worker", ["true"])).rejects.toBeInstanceOf(NotRunningError);
    stub.respond([{ argv: ["exec"], exitCode: 1, stderr: "Error: get failed: container dev-worker not found\n" }]);
    await expect(cli.exec("dev-worker", ["true"])).rejects.toBeInstanceOf(NotFoundError);
    stub.respond([
      {
        argv: ["exec"],
        exitCode: 1,
        stderr: `Error: internalError: "failed to list containers" (cause: "interrupted: "XPC connection error: Connection invalid"")\nEnsure container system service has been started with \`container system start\`.\n`,
      },
    ]);
    await expect(cli.exec("dev-worker", ["true"])).rejects.toBeInstanceOf(ServiceNotStartedError);
  });

  it("writeFile pipes content into `sh -c 'cat > PATH && chmod MODE PATH'`: one exec", async () => {
    stub.respond([{ argv: ["exec"] }]);
    await cli.writeFile("dev-control-plane", "/kind/kubeadm.conf", "kind: InitConfiguration\n", 0o600);
    expect(stub.calls().map((c) => [c.args, c.stdin])).toEqual([
      [["exec", "-i", "dev-control-plane", "sh", "-c", "cat > /kind/kubeadm.conf && chmod 0600 /kind/kubeadm.conf"], "kind: InitConfiguration\n"],
    ]);
  });

  it("writeFile refuses a path that would need quoting, before running anything", async () => {
    await expect(cli.writeFile("dev-control-plane", "/tmp/x; reboot", "x")).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(stub.calls()).toEqual([]);
  });

  it("writeFile fails loudly when the write fails in the node", async () => {
    stub.respond([{ argv: ["exec"], exitCode: 1, stderr: "sh: can't create /ro/x: Read-only file system\n" }]);
    await expect(cli.writeFile("dev-control-plane", "/ro/x", "x")).rejects.toBeInstanceOf(CommandFailedError);
  });

  it("readFile returns exact bytes, can keep them out of the log, and maps a missing file", async () => {
    stub.respond([{ argv: ["exec", "dev-control-plane", "cat", "/etc/kubernetes/admin.conf"], stdout: "client-key-data: c2VjcmV0\n" }]);
    const text = await cli.readFile("dev-control-plane", "/etc/kubernetes/admin.conf", { redact: true });
    expect(text).toBe("client-key-data: c2VjcmV0\n");
    expect(records[0]?.stdout).not.toContain("c2VjcmV0");
    expect(records[0]?.stdoutRedacted).toBe(true);
    stub.respond([{ argv: ["exec"], exitCode: 1, stderr: "cat: /nope: No such file or directory\n" }]);
    await expect(cli.readFile("dev-control-plane", "/nope")).rejects.toBeInstanceOf(NotFoundError);
  });

  it("inspect parses the node; tryInspect gives undefined for a missing one", async () => {
    stub.respond([
      { argv: ["inspect", "dev-control-plane"], stdout: fixture("container-inspect-running.json") },
      { argv: ["inspect", "dev-worker2"], exitCode: 1, stderr: "Error: container not found: dev-worker2\n" },
    ]);
    const node = await cli.inspect("dev-control-plane");
    expect(ipv4Of(node)).toBe("192.168.64.3");
    await expect(cli.tryInspect("dev-worker2")).resolves.toBeUndefined();
    await expect(cli.inspect("dev-worker2")).rejects.toThrow("container dev-worker2 not found");
  });

  it("list asks for JSON and parses running and stopped nodes", async () => {
    stub.respond([{ argv: ["list", "--all", "--format", "json"], stdout: fixture("container-list-all.json") }]);
    const nodes = await cli.list({ all: true });
    expect(nodes.map((n) => n.status.state)).toEqual(["running", "stopped"]);
    stub.respond([{ argv: ["list", "--format", "json"], stdout: "[]\n" }]);
    await expect(cli.list()).resolves.toEqual([]);
  });

  it("lifecycle, image and network commands build the documented argv", async () => {
    stub.respond([
      { argv: ["image", "inspect"], stdout: fixture("image-inspect.json") },
      { argv: ["image", "load"], stdout: "docker.io/library/app:dev\n" },
      { argv: ["network", "list"], stdout: fixture("network-list.json") },
      { argv: ["*"] },
    ]);
    await cli.start("dev-worker");
    await cli.stop("dev-worker", { timeSeconds: 30 });
    await cli.delete("dev-worker", { force: true });
    await cli.logs("dev-worker", { boot: true, lines: 50 });
    const image = await cli.imageInspect("kina/node:v1");
    await cli.imagePull("kindest/node:v1.35.5", { platform: "linux/arm64" });
    await cli.imageSave(["app:dev"], { output: "/tmp/app.tar" });
    const loaded = await cli.imageLoad("/tmp/app.tar");
    await cli.build({ context: "images/node", tag: "kina/node:v1", buildArgs: { BASE: "kindest/node" }, arch: "arm64" });
    await cli.networkCreate("kina-dev", { "io.kina.cluster": "dev" });
    const networks = await cli.networkList();
    await cli.networkDelete("kina-dev");
    expect(image.configuration.name).toBe("docker.io/kindest/node:v1.35.5");
    expect(loaded).toEqual(["docker.io/library/app:dev"]);
    expect(networks.map((n) => n.id)).toEqual(["default", "kina-dev"]);
    expect(stub.calls().map((c) => c.args)).toEqual([
      ["start", "dev-worker"],
      ["stop", "--time", "30", "dev-worker"],
      ["delete", "--force", "dev-worker"],
      ["logs", "--boot", "-n", "50", "dev-worker"],
      ["image", "inspect", "kina/node:v1"],
      ["image", "pull", "--progress", "none", "--platform", "linux/arm64", "kindest/node:v1.35.5"],
      ["image", "save", "-o", "/tmp/app.tar", "app:dev"],
      ["image", "load", "-i", "/tmp/app.tar"],
      ["build", "-t", "kina/node:v1", "--build-arg", "BASE=kindest/node", "-a", "arm64", "--progress", "plain", "images/node"],
      ["network", "create", "--label", "io.kina.cluster=dev", "kina-dev"],
      ["network", "list", "--format", "json"],
      ["network", "delete", "kina-dev"],
    ]);
  });

  it("tryImageInspect gives undefined for a missing image", async () => {
    stub.respond([{ argv: ["image", "inspect"], exitCode: 1, stderr: "Error: image not found: kina/node:v9\n" }]);
    await expect(cli.tryImageInspect("kina/node:v9")).resolves.toBeUndefined();
  });

  it("version parses `--version` and is asked once", async () => {
    stub.respond([{ argv: ["--version"], stdout: VERSION }]);
    await expect(cli.version()).resolves.toBe("1.2.2");
    await expect(cli.withOptions({ onCommand: () => {} }).version()).resolves.toBe("1.2.2");
    expect(stub.calls()).toHaveLength(1);
  });

  it("exit 64 becomes UnknownOptionError naming the version `container` reports", async () => {
    stub.respond([
      { argv: ["--version"], stdout: "container CLI version 1.1.0 (build: release, commit: 1234567)\n" },
      { argv: ["run"], exitCode: 64, stderr: "Error: Unknown option '--read-only-path'\nUsage: container run <options> <image>\n" },
    ]);
    const error = await cli.run({ name: "n1", image: "i", labels: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect((error as Error).message).toContain("it rejected '--read-only-path'; kina needs >= 1.2.1, found 1.1.0");
  });

  it("systemStatus resolves with the status document even when `container` exits 1", async () => {
    stub.respond([{ argv: ["system", "status", "--format", "json"], exitCode: 1, stdout: fixture("system-status-unregistered.json") }]);
    await expect(cli.systemStatus()).resolves.toMatchObject({ status: "unregistered" });
  });

  it("unreadable JSON is an UnexpectedOutputError, not a crash", async () => {
    stub.respond([{ argv: ["list"], stdout: '[{"id":"x","status":"running"}]' }]);
    await expect(cli.list()).rejects.toBeInstanceOf(UnexpectedOutputError);
  });

  it("a missing binary is ContainerCliMissingError with the install hint", async () => {
    const missing = new ContainerCli({ binary: `${stub.dir}/no-such-container` });
    const error = await missing.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerCliMissingError);
    expect((error as Error).message).toContain(
      "kina needs Apple's `container` CLI on macOS",
    );
    expect((error as Error).message).toContain("install from github.com/apple/container releases, or set KINA_CONTAINER");
  });

  it("uses $KINA_CONTAINER when no binary is given", async () => {
    const before = process.env["KINA_CONTAINER"];
    process.env["KINA_CONTAINER"] = stub.binary;
    try {
      expect(new ContainerCli().binary).toBe(stub.binary);
    } finally {
      if (before === undefined) delete process.env["KINA_CONTAINER"];
      else process.env["KINA_CONTAINER"] = before;
    }
  });

  it("aborting the signal kills the running command", async () => {
    stub.respond([{ argv: ["exec"], hang: true }]);
    const controller = new AbortController();
    const aborting = cli.withOptions({ signal: controller.signal });
    const pending = aborting.exec("dev-worker", ["sleep", "infinity"]).catch((e: unknown) => e);
    while (stub.calls().length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(new Error("user pressed ctrl-c"));
    const error = await pending;
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toEqual(new Error("user pressed ctrl-c"));
    expect(records.at(-1)?.failure).toBe("aborted");
  });

  it("exec timeoutMs kills a command that does not finish", async () => {
    stub.respond([{ argv: ["exec"], hang: true }]);
    await expect(cli.exec("dev-worker", ["sleep", "infinity"], { timeoutMs: 300 })).rejects.toBeInstanceOf(CommandTimeoutError);
  });
});
