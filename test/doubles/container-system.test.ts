// The `container system` answers kina doctor reads from the double (reference §3.8, §4.5, §7, §13):
// the apiserver keeps its version across an upgrade until stop + start, guest kernels under the app
// root, `kernel set` and `property list`, and the grammar errors (exit 64) of those commands.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const CONTAINER = resolve(import.meta.dirname, "container/container");

function fake() {
  const dir = mkdtempSync(join(tmpdir(), "kina-system-"));
  const run = (args: string[], version = "1.2.2") =>
    spawnSync(CONTAINER, args, { env: { ...process.env, KINA_FAKE_CONTAINER_STATE: dir, KINA_FAKE_CONTAINER_VERSION: version }, encoding: "utf8" });
  const json = (args: string[], version?: string) => JSON.parse(run(args, version).stdout);
  const defaultKernel = () => basename(readlinkSync(join(dir, "app-root", "kernels", "default.kernel-arm64")));
  return { dir, run, json, defaultKernel };
}

describe("container system (double)", () => {
  it("the apiserver stays at its old version after an upgrade until stop + start", () => {
    const f = fake();
    expect(f.json(["system", "status", "--format", "json"]).apiServerVersion).toContain("version 1.2.2");
    const upgraded = f.json(["system", "status", "--format", "json"], "1.4.1");
    expect([upgraded.client.version, upgraded.server.version]).toEqual(["1.4.1", "1.2.2"]);
    const rows = f.json(["system", "version", "--format", "json"], "1.4.1");
    expect(rows.map((r: { appName: string; version: string }) => [r.appName, r.version])).toEqual([
      ["container", "1.4.1"],
      ["container-apiserver", "container-apiserver version 1.2.2 (build: release, commit: 0190097)"],
    ]);
    f.run(["system", "start"], "1.4.1"); // a running service is not restarted by start
    expect(f.json(["system", "status", "--format", "json"], "1.4.1").server.version).toBe("1.2.2");
    f.run(["system", "stop"], "1.4.1");
    f.run(["system", "start"], "1.4.1");
    expect(f.json(["system", "status", "--format", "json"], "1.4.1").server.version).toBe("1.4.1");
  });

  it("installs the release's recommended kernel once; an upgrade keeps it until kernel set --recommended", () => {
    const f = fake();
    f.run(["system", "status"]);
    expect(f.defaultKernel()).toBe("vmlinux-6.18.15-186");
    f.run(["system", "status"], "1.4.1");
    expect(f.defaultKernel()).toBe("vmlinux-6.18.15-186");
    expect(f.json(["system", "property", "list", "--format", "json"], "1.4.1").kernel.binaryPath).toMatch(/vmlinux-6\.18\.35-197-debug$/);
    expect(f.run(["system", "kernel", "set", "--recommended", "--force"], "1.4.1").status).toBe(0);
    expect(f.defaultKernel()).toBe("vmlinux-6.18.35-197-debug");
    // The kernel file embeds its configuration as CONFIG_IKCONFIG does.
    const image = readFileSync(join(f.dir, "app-root", "kernels", "vmlinux-6.18.35-197-debug"));
    expect(image.includes(Buffer.from("IKCFG_ST"))).toBe(true);
  });

  it("refuses what the real parser refuses: unknown options and formats exit 64", () => {
    const f = fake();
    expect(f.run(["system", "kernel", "set", "--bogus"]).status).toBe(64);
    expect(f.run(["system", "kernel", "frob"]).status).toBe(64);
    expect(f.run(["system", "property", "list", "--format", "yaml"]).status).toBe(64);
    expect(f.run(["system", "property", "get", "x"]).status).toBe(64);
    const stopped = fake();
    stopped.run(["system", "stop"]);
    const r = stopped.run(["system", "property", "list"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("XPC connection error");
  });
});
