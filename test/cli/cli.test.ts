// The CLI as a user meets it: help, exit codes, and the fast paths that must not load the
// Kubernetes client.

import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAKE_KINA, KINA_BIN, REPO, run, tempDir } from "../helpers/run.js";

function importsOf(args: string[], env: NodeJS.ProcessEnv, exit = 0): string[] {
  const log = join(tempDir(), "imports.log");
  const r = spawnSync(process.execPath, ["--import", join(REPO, "test/fixtures/record-imports.mjs"), KINA_BIN, ...args], {
    env: { PATH: process.env.PATH, ...env, KINA_IMPORT_LOG: log },
    encoding: "utf8",
  });
  expect(r.status, r.stderr).toBe(exit);
  return readFileSync(log, "utf8").split("\n");
}

const HEAVY = ["@kubernetes/client-node", "/zod/", "/execa/", "/xstate/", "/yargs/", "/dist/src/steps/", "/dist/src/cli/app.js"];

describe("fast commands stay light", () => {
  it("status [--graph|--json], get clusters [--json], --version and version load none of client-node, zod, execa, xstate, yargs or the steps", async () => {
    const home = tempDir();
    const env = { KINA_HOME: home, HOME: home };
    await run(FAKE_KINA, ["create", "dev"], { ...env, KINA_FAKE_STEPS: "{}" });
    for (const args of [["status", "dev"], ["status", "dev", "--graph"], ["status", "dev", "--json"], ["get", "clusters"], ["get", "clusters", "--json"], ["--version"], ["version"]]) {
      const urls = importsOf(args, env);
      expect(urls.some((u) => u.endsWith("/dist/src/cli/main.js")), args.join(" ")).toBe(true);
      for (const heavy of HEAVY) {
        expect(urls.filter((u) => u.includes(heavy)), `${args.join(" ")} loaded ${heavy}`).toEqual([]);
      }
    }
  });

  it("the same check sees a dependency the bundled bin loads: --help loads yargs, a state file off the schema loads zod", async () => {
    const home = tempDir();
    const env = { KINA_HOME: home, HOME: home };
    expect(importsOf(["--help"], env).some((u) => u.includes("/node_modules/yargs/"))).toBe(true);
    await run(FAKE_KINA, ["create", "dev"], { ...env, KINA_FAKE_STEPS: "{}" });
    const path = join(home, "clusters", "dev", "state.json");
    const state = JSON.parse(readFileSync(path, "utf8"));
    state.steps.bootstrap.vmRunning.status = "sideways";
    writeFileSync(path, JSON.stringify(state));
    expect(importsOf(["status", "dev"], env, 1).some((u) => u.includes("/node_modules/zod/"))).toBe(true);
    const r = await run(KINA_BIN, ["status", "dev"], env);
    expect(r.stderr).toContain("does not match kina's state schema (steps.bootstrap.vmRunning.status:");
  });
});

describe("the hand-parsed fast path", () => {
  it("prints byte for byte what the yargs app prints, with the same exit code", async () => {
    const home = tempDir();
    const env = { KINA_HOME: home, HOME: home };
    await run(FAKE_KINA, ["create", "dev"], { ...env, KINA_FAKE_STEPS: "{}" });
    await run(FAKE_KINA, ["create", "bad"], { ...env, KINA_FAKE_STEPS: JSON.stringify({ cniInstalled: { failAttempts: 1 } }) });
    // Each fast spelling beside one that only yargs takes (--name, an explicit --verbosity=0).
    const pairs: [string[], string[]][] = [["--version"], ["version"], ["get", "clusters"], ["get", "clusters", "--json"]].map((a) => [a, [...a, "--verbosity=0"]]);
    for (const name of ["dev", "bad", "nope", "Bad_Name"]) {
      for (const view of [[], ["--graph"], ["--json"]]) pairs.push([["status", name, ...view], ["status", "--name", name, ...view]]);
    }
    for (const [fast, slow] of pairs) {
      const [a, b] = [await run(KINA_BIN, fast, env), await run(KINA_BIN, slow, env)];
      expect({ code: a.code, stdout: a.stdout, stderr: a.stderr }, fast.join(" ")).toEqual({ code: b.code, stdout: b.stdout, stderr: b.stderr });
    }
  });
});

describe("usage", () => {
  it("--help lists every command", async () => {
    const r = await run(KINA_BIN, ["--help"], { HOME: tempDir() });
    expect(r.code).toBe(0);
    for (const cmd of ["create", "resume", "retry <step>", "status", "delete", "get", "export", "exec <node>", "build", "version", "completion"]) {
      expect(r.stdout).toContain(`kina ${cmd}`);
    }
  });

  it("unknown commands and options exit 2 with a pointer to --help", async () => {
    for (const args of [["frobnicate"], ["create", "dev", "--privileged"], []]) {
      const r = await run(KINA_BIN, args, { HOME: tempDir() });
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toContain("kina --help");
    }
  });

  it("status of a cluster that does not exist says how to list clusters", async () => {
    const home = tempDir();
    const r = await run(KINA_BIN, ["status", "nope"], { HOME: home, KINA_HOME: home });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no cluster "nope"');
    expect(r.stderr).toContain("kina get clusters");
  });

  it("version prints kina's version; completion prints a shell script", async () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    expect((await run(KINA_BIN, ["--version"], {})).stdout.trim()).toBe(pkg.version);
    expect((await run(KINA_BIN, ["version"], {})).stdout).toContain(`kina v${pkg.version}`);
    const completion = await run(KINA_BIN, ["completion"], { SHELL: "/bin/bash" });
    expect(completion.code).toBe(0);
    expect(completion.stdout).toContain("complete");
  });

  it("status --json follows the documented schema", async () => {
    const home = tempDir();
    const env = { KINA_HOME: home, HOME: home, KINA_FAKE_STEPS: JSON.stringify({ cniInstalled: { failAttempts: 1, error: "boom" } }) };
    await run(FAKE_KINA, ["create", "dev"], env);
    const doc = JSON.parse((await run(FAKE_KINA, ["status", "dev", "--json"], env)).stdout);
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(["name", "phase", "steps", "nodes"]));
    expect(doc.phase).toBe("failed");
    const cni = doc.steps.find((s: { id: string }) => s.id === "cniInstalled");
    expect(cni).toMatchObject({ short: "cni", status: "failed", attempts: 1, error: "boom" });
    expect(typeof cni.startedAt).toBe("string");
    expect(typeof cni.durationMs).toBe("number");
    expect(cni.log).toMatch(/cniInstalled-1\.log$/);
  });
});
