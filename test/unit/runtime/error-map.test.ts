import { describe, expect, it } from "vitest";
import { mapCliFailure } from "../../../src/runtime/error-map.js";
import {
  AlreadyExistsError,
  CommandFailedError,
  NotFoundError,
  NotRunningError,
  RuntimeError,
  ServiceNotStartedError,
  UnknownOptionError,
} from "../../../src/runtime/errors.js";

const ENSURE = "Ensure container system service has been started with `container system start`.";
const fail = (args: string[], stderr: string, exitCode = 1, version?: string) =>
  mapCliFailure({ argv: ["container", ...args], exitCode, stderr, ...(version ? { version } : {}) });

describe("mapping `container` failures (reference §5 texts)", () => {
  it("XPC errors mean the service is not started, whatever the command", () => {
    const direct = fail(["run", "-d", "x"], `Error: interrupted: "XPC connection error: Connection invalid"\n${ENSURE}\n`);
    const wrapped = fail(
      ["list", "--format", "json"],
      `Error: internalError: "failed to list containers" (cause: "interrupted: "XPC connection error: Connection invalid"")\n${ENSURE}\n`,
    );
    for (const error of [direct, wrapped]) {
      expect(error).toBeInstanceOf(ServiceNotStartedError);
      expect(error.message).toContain("run `container system start`");
    }
  });

  it("exit 64 with an unknown option names the option, the minimum and the found version", () => {
    const error = fail(["run", "--hostname", "x", "img"], "Error: Unknown option '--hostname'\nUsage: container run [<options>] <image> [<arguments> ...]\n", 64, "1.1.0");
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect(error.message).toContain(
      "`container` is too old or too new for kina: it rejected '--hostname'; kina needs >= 1.2.1, found 1.1.0",
    );
  });

  it("exit 64 with a 'Did you mean' suffix still extracts the option; unknown version is said so", () => {
    const error = fail(["run", "--read-only-path", "NONE", "img"], "Error: Unknown option '--read-only-path'. Did you mean '--read-only'?\n", 64);
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect((error as UnknownOptionError).rejected).toBe("'--read-only-path'");
    expect(error.message).toContain("found an unknown version");
  });

  it("a missing `network` command group (macOS 15) points at macOS 26", () => {
    const error = fail(["network", "list", "--format", "json"], "Error: Plugin 'container-network' not found.\n", 64, "1.2.2");
    expect(error).toBeInstanceOf(UnknownOptionError);
    expect(error.hint).toContain("macOS 26");
  });

  it.each([
    [["inspect", "a", "b"], "Error: container not found: a, b", "a, b"],
    [["start", "dev-worker"], "Error: get failed: container dev-worker not found", "dev-worker"],
    [["exec", "dev-worker", "true"], "Error: get failed: container dev-worker not found", "dev-worker"],
    [["stop", "dev-worker"], 'Error: internalError: "failed to stop container" (cause: "notFound: "container with ID dev-worker not found"")', "dev-worker"],
    [["delete", "dev-worker"], 'Error: internalError: "failed to delete container" (cause: "notFound: "container with ID dev-worker not found"")', "dev-worker"],
    [["logs", "dev-worker"], 'Error: failed to get logs for container dev-worker (cause: "internalError: "failed to open container logs: notFound: "container with ID dev-worker not found""")', "dev-worker"],
  ])("container not found: %j", (args, stderr, name) => {
    const error = fail(args, `${stderr}\n`);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).kind).toBe("container");
    expect((error as NotFoundError).resourceName).toBe(name);
  });

  it("image and network not found", () => {
    const image = fail(["image", "inspect", "kina/node:v1"], "Error: image not found: kina/node:v1\n");
    expect(image).toBeInstanceOf(NotFoundError);
    expect((image as NotFoundError).kind).toBe("image");
    expect(image.hint).toContain("container image pull kina/node:v1");
    const tagged = fail(["image", "tag", "x:1", "y:1"], "Error: image with reference x:1\n");
    expect((tagged as NotFoundError).resourceName).toBe("x:1");
    const network = fail(["run", "--network", "kina-dev", "img"], "Error: network kina-dev not found\n");
    expect((network as NotFoundError).kind).toBe("network");
    const inspected = fail(["network", "inspect", "kina-dev"], "Error: network not found: kina-dev\n");
    expect((inspected as NotFoundError).resourceName).toBe("kina-dev");
  });

  it("already exists from run and from create", () => {
    const run = fail(["run", "-d", "--name", "dev-control-plane", "img"], "Error: container with id dev-control-plane already exists\n");
    const create = fail(["create", "--name", "dev-control-plane", "img"], "Error: container already exists: dev-control-plane\n");
    for (const error of [run, create]) {
      expect(error).toBeInstanceOf(AlreadyExistsError);
      expect((error as AlreadyExistsError).resourceName).toBe("dev-control-plane");
      expect(error.hint).toContain("container delete --force dev-control-plane");
    }
  });

  it("not running from exec and from kill", () => {
    const exec = fail(["exec", "dev-worker", "true"], "Error: container dev-worker is not running\n");
    expect(exec).toBeInstanceOf(NotRunningError);
    expect(exec.message).toContain("container start dev-worker");
    const kill = fail(["kill", "dev-worker"], 'Error: internalError: "failed to kill container" (cause: "invalidState: "no runtime client exists: container is stopped"")\n');
    expect((kill as NotRunningError).containerName).toBe("dev-worker");
  });

  it("anything else is a CommandFailedError with argv, exit code, stderr tail and a known fix", () => {
    const error = fail(
      ["run", "-d", "--name", "n1", "img"],
      "Error: default kernel not configured for architecture arm64, please use the `container system kernel set` command to configure it\n",
    );
    expect(error).toBeInstanceOf(CommandFailedError);
    expect(error).toBeInstanceOf(RuntimeError);
    const failed = error as CommandFailedError;
    expect(failed.argv).toEqual(["container", "run", "-d", "--name", "n1", "img"]);
    expect(failed.exitCode).toBe(1);
    expect(failed.message).toContain("exit code 1");
    expect(failed.message).toContain("default kernel not configured");
    expect(failed.hint).toContain("container system kernel set --recommended");
  });

  it("keeps only the tail of a long stderr", () => {
    const stderr = Array.from({ length: 200 }, (_, i) => `line ${i}`).join("\n");
    const failed = fail(["build", "."], stderr) as CommandFailedError;
    expect(failed.stderrTail).toContain("line 199");
    expect(failed.stderrTail).not.toContain("line 100\n");
  });
});
