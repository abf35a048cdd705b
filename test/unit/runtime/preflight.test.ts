import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ContainerCli } from "../../../src/runtime/container.js";
import { PreflightError } from "../../../src/runtime/errors.js";
import { assertMultiNodeSupported, checkHost } from "../../../src/runtime/preflight.js";
import { fixture, StubCli, type StubRule } from "./stub-cli.js";

let container: StubCli;
let swVers: StubCli;

const versionRule = (v: string): StubRule => ({ argv: ["--version"], stdout: `container CLI version ${v} (build: release, commit: 0190097)\n` });
const statusRule = (file: string, exitCode = 0): StubRule => ({ argv: ["system", "status"], stdout: fixture(file), exitCode });

beforeEach(() => {
  container = new StubCli("container");
  swVers = new StubCli("sw_vers");
  swVers.respond([{ argv: ["-productVersion"], stdout: "26.0\n" }]);
  container.respond([versionRule("1.2.2"), statusRule("system-status-running.json")]);
});
afterEach(() => {
  container.cleanup();
  swVers.cleanup();
});

const check = () => checkHost({ cli: new ContainerCli({ binary: container.binary }), swVers: swVers.binary });
const preflightFailure = async (): Promise<PreflightError> => {
  const error = await check().catch((e: unknown) => e);
  expect(error).toBeInstanceOf(PreflightError);
  return error as PreflightError;
};

describe("checkHost", () => {
  it("reports versions and multi-node capability on macOS 26", async () => {
    await expect(check()).resolves.toEqual({ containerVersion: "1.2.2", macosVersion: "26.0", multiNodeCapable: true });
  });

  it("reports a macOS 15 host as single-node only", async () => {
    swVers.respond([{ argv: ["-productVersion"], stdout: "15.6.1\n" }]);
    await expect(check()).resolves.toMatchObject({ macosVersion: "15.6.1", multiNodeCapable: false });
  });

  it("takes sw_vers from $KINA_SW_VERS", async () => {
    const before = process.env["KINA_SW_VERS"];
    process.env["KINA_SW_VERS"] = swVers.binary;
    try {
      await expect(checkHost({ cli: new ContainerCli({ binary: container.binary }) })).resolves.toMatchObject({ macosVersion: "26.0" });
    } finally {
      if (before === undefined) delete process.env["KINA_SW_VERS"];
      else process.env["KINA_SW_VERS"] = before;
    }
  });

  it("without sw_vers the host is not a Mac", async () => {
    const error = await checkHost({ cli: new ContainerCli({ binary: container.binary }), swVers: `${swVers.dir}/missing` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PreflightError);
    expect((error as PreflightError).reason).toBe("not-macos");
    expect((error as Error).message).toContain("not a Mac with Apple container");
  });

  it("without `container` it says how to install it", async () => {
    const error = await checkHost({ cli: new ContainerCli({ binary: `${container.dir}/missing` }), swVers: swVers.binary }).catch((e: unknown) => e);
    expect((error as PreflightError).reason).toBe("container-missing");
    expect((error as Error).message).toContain("install from github.com/apple/container releases, or set KINA_CONTAINER");
  });

  it("refuses container 1.2.0 and accepts 1.2.1", async () => {
    container.respond([versionRule("1.2.0"), statusRule("system-status-running.json")]);
    const error = await preflightFailure();
    expect(error.reason).toBe("container-too-old");
    expect(error.message).toContain("1.2.0 broke sysctl writes; kina needs >= 1.2.1");
    container.respond([versionRule("1.2.1"), statusRule("system-status-running.json")]);
    await expect(check()).resolves.toMatchObject({ containerVersion: "1.2.1" });
  });

  it("a stopped service says to run `container system start`", async () => {
    container.respond([versionRule("1.2.2"), statusRule("system-status-unregistered.json", 1)]);
    const error = await preflightFailure();
    expect(error.reason).toBe("service-not-running");
    expect(error.message).toContain("run `container system start`");
  });

  it("an XPC failure while asking for status also says to start the service", async () => {
    container.respond([
      versionRule("1.2.2"),
      {
        argv: ["system", "status"],
        exitCode: 1,
        stderr: 'Error: interrupted: "XPC connection error: Connection invalid"\nEnsure container system service has been started with `container system start`.\n',
      },
    ]);
    expect((await preflightFailure()).reason).toBe("service-not-running");
  });
});

describe("assertMultiNodeSupported", () => {
  it("refuses several nodes before macOS 26, with the reason", () => {
    expect(() => assertMultiNodeSupported("15.6.1", 3)).toThrow(PreflightError);
    try {
      assertMultiNodeSupported("15.6.1", 2);
    } catch (error) {
      expect((error as PreflightError).reason).toBe("multi-node-unsupported");
      expect((error as Error).message).toContain("needs macOS 26");
      expect((error as Error).message).toContain("cannot reach each other");
    }
  });

  it("allows one node anywhere and several on macOS 26+", () => {
    expect(() => assertMultiNodeSupported("15.6.1", 1)).not.toThrow();
    expect(() => assertMultiNodeSupported("26.0", 4)).not.toThrow();
    expect(() => assertMultiNodeSupported("27.1", 2)).not.toThrow();
  });
});
