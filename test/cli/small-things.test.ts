// The small things a new user trips on: the step count, status's exit code for a failed cluster,
// `get nodes` listing only VMs that exist, a delete that cannot remove the state folder saying so,
// and -q / -v.

import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { useFakeMacs } from "../helpers/fake-mac.js";
import { FAKE_KINA, KINA_BIN, fakeKina, readJournal, run, tempDir } from "../helpers/run.js";

const mac = useFakeMacs();


describe("the step count", () => {
  it("a single-node create counts all eight steps of the chain and prints the skipped one in chain order", async () => {
    const t = fakeKina();
    const r = await t.kina(["create", "dev"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Bootstrapping cluster "dev" (8 steps)');
    const order = r.stderr
      .split("\n")
      .filter((l) => /^ • \w+ \.\.\. [✓–]/.test(l))
      .map((l) => l.split(" ")[2]);
    expect(order).toEqual(["imageBuilt", "vmRunning", "kubeadmInit", "kubeconfigExported", "nodesJoined", "untainted", "cniInstalled", "addonsReady"]);
  });
});

describe("kina status of a failed cluster", () => {
  it("exits 1 in every view, and still prints the view", async () => {
    const t = fakeKina({ kubeadmInit: { failAttempts: 1 } });
    expect((await t.kina(["create", "dev"])).code).toBe(1);
    const plain = await t.kina(["status", "dev"]);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/kubeadmInit\s+failed/);
    const json = await t.kina(["status", "dev", "--json"]);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).phase).toBe("failed");
    expect((await t.kina(["status", "dev", "--graph"])).code).toBe(1);
    // Once resumed to ready, status is 0 again.
    expect((await t.kina(["resume", "dev"])).code).toBe(0);
    expect((await t.kina(["status", "dev"])).code).toBe(0);
  });
});

describe("kina get nodes", () => {
  it("a cluster kina does not know is an error, not a list of planned names", async () => {
    const t = fakeKina();
    const r = await t.kina(["get", "nodes", "foreign"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no cluster "foreign"');
    expect(r.stdout).toBe("");
  });

  it("a cluster whose VMs were never made lists no planned names", async () => {
    const t = fakeKina({ imageBuilt: { failAttempts: 1 } });
    expect((await t.kina(["create", "dev"])).code).toBe(1);
    const r = await t.kina(["get", "nodes", "dev"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain('No nodes found for cluster "dev".');
  });

  it("lists the VMs that exist", async () => {
    const t = fakeKina();
    await t.kina(["create", "dev"]);
    expect((await t.kina(["get", "nodes", "dev"])).stdout).toBe("dev-control-plane\n");
  });
});

describe("kina delete of a cluster whose state cannot be read", () => {
  it("removes the VMs by label, keeps the folder, and says exactly that instead of 'Deleted'", async () => {
    const t = fakeKina();
    await t.kina(["create", "dev"]);
    writeFileSync(t.statePath(), '{"schemaVersion": 2, "steps": {');
    const r = await t.kina(["delete", "dev"]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toContain("Deleted");
    expect(r.stderr).toMatch(/ERROR: cluster "dev" is only partly deleted: its VMs and network were removed \(found by label\), but its state folder .*clusters\/dev was kept because state file .*state\.json cannot be read: it is not valid JSON/);
    expect(r.stderr.match(/hint:/g)).toHaveLength(1);
    expect(t.teardowns()).toEqual(["teardown dev"]);
    // Never overwritten, never removed.
    expect(readFileSync(t.statePath(), "utf8")).toBe('{"schemaVersion": 2, "steps": {');
  });

  it("delete A B goes on to B after A is only partly deleted, and exits 1", async () => {
    const t = fakeKina();
    await t.kina(["create", "a"]);
    await t.kina(["create", "b"]);
    writeFileSync(t.statePath("a"), "not json");
    const r = await t.kina(["delete", "a", "b"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Deleted cluster "b".');
    expect(existsSync(join(t.home, "clusters", "b"))).toBe(false);
    expect(existsSync(t.statePath("a"))).toBe(true);
  });
});

describe("-q and -v", () => {
  it("-q: a successful create prints nothing; a failed one prints only the error and its hint", async () => {
    const ok = fakeKina();
    const r = await ok.kina(["create", "dev", "-q"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const bad = fakeKina({ kubeadmInit: { failAttempts: 1, error: "kubeadm said no", hint: "look at the log" } });
    const f = await bad.kina(["-q", "create", "dev"]);
    expect(f.code).toBe(1);
    const lines = f.stderr.trim().split("\n");
    expect(lines[0]).toBe("ERROR: kubeadmInit failed: kubeadm said no");
    expect(lines).toContain("  hint: look at the log");
    expect(f.stderr).not.toMatch(/Bootstrapping|•|Next:/);
  });

  it("-q keeps data: get clusters and version -q print on stdout", async () => {
    const t = fakeKina();
    await t.kina(["create", "dev", "-q"]);
    const r = await t.kina(["get", "clusters", "-q"]);
    expect(r.stdout).toBe("dev\n");
    expect((await t.kina(["version", "-q"])).stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
  });

  it("-v streams each step's commands to stderr as they run (the real steps, fake Mac); -v 2 adds their output", async () => {
    const m = mac();
    const r = await m.kina(["create", "dev", "-v"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^ {3}vmRunning\| \$ \S*container run .*dev-control-plane/m);
    expect(r.stderr).toMatch(/^ {3}kubeadmInit\| \$ \S*container exec .*dev-control-plane kubeadm init .*→ exit 0/m);
    expect(r.stderr).not.toMatch(/\| +(stdout|stderr)\| /);
    // The same text is in the step log: -v streams it, it does not invent it.
    const log = readFileSync(join(m.env.KINA_HOME!, "clusters", "dev", "logs", "kubeadmInit-1.log"), "utf8");
    expect(log).toMatch(/kubeadm init/);

    const m2 = mac();
    const r2 = await m2.kina(["create", "dev", "-v", "2"]);
    expect(r2.code, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/^ {3}\w+\| +stdout\| /m);
  });
});

describe("a reader that goes away mid-create", () => {
  it("`kina create dev 2>&1 | head -3`: progress stops, the create completes, no lock is left", async () => {
    const m = mac();
    const kina = [process.execPath, KINA_BIN, "create", "dev"].map((a) => JSON.stringify(a)).join(" ");
    const shown = await new Promise<string>((resolve, reject) =>
      execFile("bash", ["-c", `${kina} 2>&1 | head -3; wait`], { env: { ...process.env, ...m.env } }, (error, stdout) =>
        error ? reject(error) : resolve(stdout),
      ),
    );
    expect(shown.split("\n")[0]).toBe('Bootstrapping cluster "dev" (8 steps)');
    // head exits after three lines; the create must still have run to the end: bash's `|` waits
    // for kina too, so by now it has exited.
    const status = await m.kina(["status", "dev", "--json"]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout).phase).toBe("ready");
    expect(existsSync(join(m.env.KINA_HOME!, "clusters", "dev", "lock"))).toBe(false);
  });
});
