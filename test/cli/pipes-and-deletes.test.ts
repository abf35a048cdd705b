// kind's delete spellings, and a reader that goes away: `kina get clusters | head -1` or
// `kina create 2>&1 | head -3` end quietly and never abort the command.

import { spawn } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";
import { FAKE_KINA, KINA_BIN, fakeKina, readJournal, run, tempDir } from "../helpers/run.js";

const mac = useFakeMacs();


/** Runs the real kina with one of its output pipes closed before it writes anything. */
function withClosedPipe(args: string[], env: NodeJS.ProcessEnv, which: "stdout" | "stderr"): Promise<{ code: number | null; other: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KINA_BIN, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    child[which].destroy();
    let other = "";
    child[which === "stdout" ? "stderr" : "stdout"].on("data", (d) => (other += d));
    child.on("close", (code) => resolve({ code, other }));
  });
}

describe("kind's delete spellings", () => {
  it("delete clusters A B, delete clusters --all, and delete A B", async () => {
    const t = fakeKina();
    for (const n of ["a", "b", "c", "d", "e"]) expect((await t.kina(["create", n])).code).toBe(0);
    expect((await t.kina(["delete", "clusters", "a", "b"])).code).toBe(0);
    expect((await t.kina(["get", "clusters"])).stdout).toBe("c\nd\ne\n");
    expect((await t.kina(["delete", "c", "d"])).code).toBe(0);
    expect((await t.kina(["get", "clusters"])).stdout).toBe("e\n");
    expect((await t.kina(["delete", "clusters", "--all"])).code).toBe(0);
    expect((await t.kina(["get", "clusters"])).stdout).toBe("");
    expect(t.teardowns()).toEqual(["teardown a", "teardown b", "teardown c", "teardown d", "teardown e"]);
  });

  it("delete clusters with neither names nor --all is a usage error that deletes nothing", async () => {
    const t = fakeKina();
    await t.kina(["create", "a"]);
    const r = await t.kina(["delete", "clusters"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("delete clusters needs cluster names or --all");
    expect(t.teardowns()).toEqual([]);
  });
});

describe("a reader that goes away", () => {
  it("get clusters into a closed stdout exits 0 with no stack trace", async () => {
    const t = fakeKina();
    for (const n of ["a", "b", "c"]) await t.kina(["create", n]);
    const r = await withClosedPipe(["get", "clusters"], t.env, "stdout");
    expect(r.code).toBe(0);
    expect(r.other).not.toMatch(/EPIPE|at .*\.js:\d+/);
  });

  it("a create whose stderr reader is gone still finishes the cluster", async () => {
    const m = mac();
    const r = await withClosedPipe(["create", "dev"], m.env, "stderr");
    expect(r.code).toBe(0);
    expect(m.state().machine.value).toBe("ready");
    const lock = await run(KINA_BIN, ["status", "dev", "--json"], m.env);
    expect(JSON.parse(lock.stdout).phase).toBe("ready");
  });
});
