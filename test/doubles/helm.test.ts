// The helm double is as strict as helm about what kina sends: unknown commands and flags, a
// missing argument, an unknown chart version, a malformed --set, and its fail-once knob.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO, tempDir } from "../helpers/run.js";

const HELM = join(REPO, "test/doubles/helm/helm");

function helm(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [HELM, ...args], { encoding: "utf8", env: { PATH: process.env.PATH, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const INSTALL = ["upgrade", "--install", "cilium", "cilium", "--repo", "https://helm.cilium.io", "--version", "1.20.1", "--namespace", "kube-system"];

describe("helm double", () => {
  it("answers version like helm 3", () => {
    expect(helm(["version", "--short"])).toMatchObject({ code: 0, stdout: "v3.19.0+g3d8990f\n" });
    expect(helm(["version", "--template", "{{.Version}}"]).stdout).toBe("v3.19.0\n");
    expect(helm(["version"]).stdout).toMatch(/^version\.BuildInfo\{Version:"v3\.19\.0"/);
  });

  it("rejects what helm rejects, with helm's messages and exit 1", () => {
    expect(helm(["version", "--foo"])).toMatchObject({ code: 1, stderr: "Error: unknown flag: --foo\n" });
    expect(helm(["install", "x"])).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown command "install" for "helm"') });
    expect(helm(["upgrade", "--install", "cilium"])).toMatchObject({ code: 1, stderr: expect.stringContaining('"helm upgrade" requires 2 arguments') });
    expect(helm(["upgrade", "--install", "cilium", "cilium", "--version"])).toMatchObject({ code: 1, stderr: "Error: flag needs an argument: --version\n" });
    expect(helm(["upgrade", "--install", "cilium", "cilium"])).toMatchObject({ code: 1, stderr: expect.stringContaining("non-absolute URLs") });
    expect(helm([...INSTALL.slice(0, 7), "9.9.9"])).toMatchObject({ code: 1, stderr: expect.stringContaining('chart "cilium" version "9.9.9" not found') });
    expect(helm([...INSTALL, "--set", "novalue"])).toMatchObject({ code: 1, stderr: expect.stringContaining('key "novalue" has no value') });
    expect(helm([...INSTALL, "--kubeconfig", "/nope"])).toMatchObject({ code: 1, stderr: expect.stringContaining("Kubernetes cluster unreachable") });
  });

  it("logs every call, and fails once when told to", () => {
    const dir = tempDir("helm-double-");
    const env = { KINA_FAKE_HELM_LOG: join(dir, "helm.log"), KINA_FAKE_HELM_FAIL_ONCE: join(dir, "failed") };
    const first = helm([...INSTALL, "--kubeconfig", "/nope"], env);
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('Error: looks like "https://helm.cilium.io" is not a valid chart repository or cannot be reached');
    expect(existsSync(env.KINA_FAKE_HELM_FAIL_ONCE)).toBe(true);
    // The second call gets past the repository (and fails here only for the missing cluster).
    expect(helm([...INSTALL, "--kubeconfig", "/nope"], env).stderr).toContain("Kubernetes cluster unreachable");
    const log = readFileSync(env.KINA_FAKE_HELM_LOG, "utf8").trim().split("\n").map((l) => JSON.parse(l).argv);
    expect(log).toEqual([[...INSTALL, "--kubeconfig", "/nope"], [...INSTALL, "--kubeconfig", "/nope"]]);
  });
});
