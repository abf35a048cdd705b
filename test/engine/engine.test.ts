// The resumable engine, driven through the real CLI in a child process with test steps injected
// (test/fixtures/fake-kina.mjs): persistence order, crash and resume, retry, verify-on-resume,
// the lock, and refusal of unreadable state.

import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chainSteps } from "../../machines/workflows.js";
import { FAKE_KINA, readJournal, run, start, tempDir, waitForOutput } from "../helpers/run.js";

const STEP_IDS = chainSteps("bootstrap").map((s) => s.id);

function setup(steps: Record<string, unknown> = {}) {
  const home = tempDir();
  const journal = join(home, "journal.log");
  const env = (more: Record<string, unknown> = steps) => ({
    KINA_HOME: home,
    HOME: home,
    KINA_FAKE_JOURNAL: journal,
    KINA_FAKE_STEPS: JSON.stringify(more),
  });
  const statePath = (name = "dev") => join(home, "clusters", name, "state.json");
  const status = async (name = "dev") => JSON.parse((await run(FAKE_KINA, ["status", name, "--json"], env())).stdout);
  const runs = () => readJournal(journal).filter((l) => l.startsWith("run ")).map((l) => l.split(" ")[1]);
  const clearJournal = () => writeFileSync(journal, "");
  return { home, journal, env, statePath, status, runs, clearJournal };
}

const WORKER_CONFIG = `apiVersion: kina.x-k8s.io/v1alpha4
kind: Cluster
nodes:
- role: control-plane
- role: worker
`;

describe("create", () => {
  it("runs every step once and ends ready; one-node clusters skip nodesJoined", async () => {
    const t = setup();
    const r = await run(FAKE_KINA, ["create", "dev"], t.env());
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Cluster "dev" is ready.');
    expect(t.runs()).toEqual(STEP_IDS.filter((s) => s !== "nodesJoined"));
    const doc = await t.status();
    expect(doc.phase).toBe("ready");
    expect(doc.steps.find((s: { id: string }) => s.id === "nodesJoined").status).toBe("skipped");
    expect(doc.nodes).toEqual([{ name: "dev-control-plane", role: "control-plane", ip: "192.168.64.2" }]);
  });

  it("clusters with workers join them and keep the control-plane taint", async () => {
    const t = setup();
    const r = await run(FAKE_KINA, ["create", "dev", "--config", "-"], t.env(), WORKER_CONFIG);
    expect(r.code).toBe(0);
    expect(t.runs()).toContain("nodesJoined");
    expect(t.runs()).not.toContain("untainted");
    expect((await t.status()).steps.find((s: { id: string }) => s.id === "untainted").status).toBe("skipped");
  });

  it("persists each transition before the next step starts", async () => {
    const t = setup();
    await run(FAKE_KINA, ["create", "dev"], t.env());
    const disk = readJournal(t.journal).filter((l) => l.startsWith("disk "));
    const ran = STEP_IDS.filter((s) => s !== "nodesJoined");
    expect(disk).toHaveLength(ran.length);
    ran.forEach((id, i) => {
      // When step i starts, state.json already names it as the machine state, marks it running
      // with its attempt, and has every earlier step done.
      expect(disk[i]).toBe(`disk ${id}: machine=bootstrap.${id}.running status=running attempts=1 done=${ran.slice(0, i).join(",")}`);
    });
  });

  it("keeps the cluster on failure and prints the exact next commands", async () => {
    const t = setup({ cniInstalled: { failAttempts: 1, error: "DaemonSet kindnet not ready" } });
    const r = await run(FAKE_KINA, ["create", "dev"], t.env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("cniInstalled failed: DaemonSet kindnet not ready");
    expect(r.stderr).toMatch(/log: .*cniInstalled-1\.log/);
    expect(r.stderr).toContain("kina resume dev");
    expect(r.stderr).toContain("kina retry cni dev");
    expect(r.stderr).toContain("kina delete dev");
    const doc = await t.status();
    expect(doc.phase).toBe("failed");
    expect(doc.steps.find((s: { id: string }) => s.id === "cniInstalled")).toMatchObject({ status: "failed", attempts: 1, error: "DaemonSet kindnet not ready" });
    expect(readJournal(t.journal)).not.toContain("teardown dev");
  });

  it("--delete-on-failure tears the cluster down like kind", async () => {
    const t = setup({ kubeadmInit: { failAttempts: 1 } });
    const r = await run(FAKE_KINA, ["create", "dev", "--delete-on-failure"], t.env());
    expect(r.code).toBe(1);
    expect(readJournal(t.journal)).toContain("teardown dev");
    expect(existsSync(join(t.home, "clusters", "dev"))).toBe(false);
  });

  it("a step that outlives its timeout fails with the timeout named", async () => {
    const t = setup({ untainted: { hang: true } });
    const r = await run(FAKE_KINA, ["create", "dev", "--timeout", "untaint=200ms"], t.env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("untainted timed out after 200ms");
  });

  it("refuses a second create of the same name", async () => {
    const t = setup();
    await run(FAKE_KINA, ["create", "dev"], t.env());
    const r = await run(FAKE_KINA, ["create", "dev"], t.env());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cluster "dev" already exists');
  });
});

describe("kill -9 inside a step, then resume", () => {
  for (const id of STEP_IDS) {
    it(`re-runs exactly ${id} and continues`, async () => {
      const t = setup();
      const args = id === "nodesJoined" ? ["create", "dev", "--config", "-"] : ["create", "dev"];
      const input = id === "nodesJoined" ? WORKER_CONFIG : undefined;
      const { child, done } = start(FAKE_KINA, args, t.env({ [id]: { hang: true } }), input);
      await waitForOutput(child, `RUNNING ${id}`);
      child.kill("SIGKILL");
      expect((await done).signal).toBe("SIGKILL");

      const graph = await run(FAKE_KINA, ["status", "dev", "--graph"], t.env({}));
      expect(graph.stdout).toMatch(new RegExp(`! ${id}\\s.*interrupted`));

      const before = t.runs();
      expect(before.at(-1)).toBe(id);
      t.clearJournal();
      const r = await run(FAKE_KINA, ["resume", "dev"], t.env({}));
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("taking over the lock");
      const applicable = STEP_IDS.filter((s) => s !== (input ? "untainted" : "nodesJoined"));
      // Nothing before the interrupted step runs again; it and the rest run once each.
      expect(t.runs()).toEqual(applicable.slice(applicable.indexOf(id)));
      expect(readJournal(t.journal)[0]).toBe(`run ${id} attempt=2 reason=the previous attempt was interrupted`);
      expect((await t.status()).phase).toBe("ready");
    });
  }
});

describe("resume after a failure", () => {
  it("re-verifies done steps, re-runs one whose result vanished and says why", async () => {
    const t = setup({ cniInstalled: { failAttempts: 1 } });
    expect((await run(FAKE_KINA, ["create", "dev"], t.env())).code).toBe(1);
    t.clearJournal();
    const r = await run(FAKE_KINA, ["resume", "dev"], t.env({ vmRunning: { vanished: "VM dev-control-plane is gone" } }));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("vmRunning: re-running because its result no longer holds: VM dev-control-plane is gone");
    const journal = readJournal(t.journal).filter((l) => !/^(disk|previous) /.test(l));
    expect(journal[0]).toBe("verify imageBuilt");
    expect(journal[1]).toBe("verify vmRunning");
    expect(journal[2]).toMatch(/^run vmRunning attempt=2 reason=its result no longer holds/);
    expect(t.runs()).toEqual(["vmRunning", "cniInstalled", "addonsReady"]);
  });

  it("--dry-run prints skip or run per step and changes nothing", async () => {
    const t = setup({ cniInstalled: { failAttempts: 1 } });
    await run(FAKE_KINA, ["create", "dev"], t.env());
    const before = readFileSync(t.statePath());
    const r = await run(FAKE_KINA, ["resume", "dev", "--dry-run"], t.env({ kubeadmInit: { vanished: "admin.conf missing" } }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/skip\s+imageBuilt\s+done; re-verified/);
    expect(r.stdout).toMatch(/run\s+kubeadmInit\s+done, but verify failed: admin.conf missing/);
    expect(r.stdout).toMatch(/skip\s+nodesJoined\s+not needed/);
    expect(r.stdout).toMatch(/run\s+cniInstalled\s+failed on attempt 1/);
    expect(r.stdout).toMatch(/run\s+addonsReady\s+not run yet/);
    expect(readFileSync(t.statePath())).toEqual(before);
    expect(t.runs()).toEqual(STEP_IDS.filter((s) => !["nodesJoined", "addonsReady"].includes(s)));
  });

  it("resume of a ready cluster is refused at once with exit 2, naming the state and what is possible", async () => {
    const t = setup();
    await run(FAKE_KINA, ["create", "dev"], t.env());
    t.clearJournal();
    const before = readFileSync(t.statePath());
    const r = await run(FAKE_KINA, ["resume", "dev"], t.env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cluster "dev" is ready (its VMs are running): it cannot resume.');
    expect(r.stderr).toContain("kina retry STEP dev");
    expect(r.stderr).toContain("kina stop dev");
    expect(readJournal(t.journal)).toEqual([]);
    expect(readFileSync(t.statePath())).toEqual(before);
  });
});

describe("retry", () => {
  it("re-runs the named step even when done and re-verifies the later ones", async () => {
    const t = setup();
    await run(FAKE_KINA, ["create", "dev"], t.env());
    t.clearJournal();
    const r = await run(FAKE_KINA, ["retry", "cni", "dev"], t.env());
    expect(r.code).toBe(0);
    const lines = readJournal(t.journal).filter((l) => !/^(disk|previous) /.test(l));
    expect(lines).toEqual([
      "verify imageBuilt",
      "verify vmRunning",
      "verify kubeadmInit",
      "verify kubeconfigExported",
      "verify untainted",
      "run cniInstalled attempt=2 reason=retry requested",
      "verify addonsReady",
    ]);
    const doc = await t.status();
    expect(doc.phase).toBe("ready");
    expect(doc.steps.find((s: { id: string }) => s.id === "cniInstalled").attempts).toBe(2);
  });

  it("a later step whose verify fails is re-run", async () => {
    const t = setup();
    await run(FAKE_KINA, ["create", "dev"], t.env());
    t.clearJournal();
    await run(FAKE_KINA, ["retry", "cniInstalled", "dev"], t.env({ addonsReady: { vanished: "coredns not available" } }));
    expect(t.runs()).toEqual(["cniInstalled", "addonsReady"]);
  });

  it("rejects unknown steps and steps the cluster skips with exit 2", async () => {
    const t = setup();
    await run(FAKE_KINA, ["create", "dev"], t.env());
    const unknown = await run(FAKE_KINA, ["retry", "cnii", "dev"], t.env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown step "cnii"; allowed: image (imageBuilt)');
    const skipped = await run(FAKE_KINA, ["retry", "join", "dev"], t.env());
    expect(skipped.code).toBe(2);
    expect(skipped.stderr).toContain("does not apply");
  });
});

describe("one writer per cluster", () => {
  it("a second command fails at once, naming the process that holds the lock", async () => {
    const t = setup();
    const { child, done } = start(FAKE_KINA, ["create", "dev"], t.env({ vmRunning: { hang: true } }));
    await waitForOutput(child, "RUNNING vmRunning");
    const second = await run(FAKE_KINA, ["resume", "dev"], t.env({}));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`pid ${child.pid}`);
    expect(second.stderr).toContain("kina create dev");
    const del = await run(FAKE_KINA, ["delete", "dev"], t.env({}));
    expect(del.code).toBe(1);
    child.kill("SIGKILL");
    await done;
  });
});

describe("unreadable state is refused and left byte-identical", () => {
  const cases: [string, string, RegExp][] = [
    ["corrupt", '{"schemaVersion": 1, "name": "dev", "steps": {', /not valid JSON/],
    ["future", JSON.stringify({ schemaVersion: 99, name: "dev", whatever: true }), /newer kina \(state schema version 99/],
    ["wrong shape", JSON.stringify({ schemaVersion: 1, name: "dev" }), /does not match kina's state schema/],
  ];
  for (const [label, content, message] of cases) {
    it(`${label} state.json`, async () => {
      const t = setup();
      await run(FAKE_KINA, ["create", "dev"], t.env());
      writeFileSync(t.statePath(), content);
      for (const args of [["resume", "dev"], ["retry", "cni", "dev"], ["status", "dev"], ["create", "dev"], ["delete", "dev"]]) {
        const r = await run(FAKE_KINA, args, t.env());
        if (args[0] !== "delete") expect(r.code, args.join(" ")).toBe(1);
        expect(r.stderr, args.join(" ")).toMatch(message);
        expect(readFileSync(t.statePath(), "utf8"), args.join(" ")).toBe(content);
      }
    });
  }
});

describe("bad input", () => {
  it("an invalid config exits 2 naming the field and allowed values, and creates nothing", async () => {
    const t = setup();
    const bad = "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: master\nnetworking:\n  kubeProxyMode: ipvs\n  bogus: 1\n";
    const r = await run(FAKE_KINA, ["create", "dev", "--config", "-"], t.env(), bad);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nodes[0].role: invalid value "master"; allowed: control-plane, worker');
    expect(r.stderr).toContain("networking.kubeProxyMode");
    expect(r.stderr).toContain("networking.bogus: unknown field");
    expect(existsSync(join(t.home, "clusters"))).toBe(false);
    expect(t.runs()).toEqual([]);
  });

  it('memory: "4096" (bytes to `container`) exits 2 naming the field and the allowed forms, and creates nothing', async () => {
    const t = setup();
    const r = await run(FAKE_KINA, ["create", "dev", "--config", "-"], t.env(), 'apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n  memory: "4096"\n');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nodes[0].memory: must be a size with a unit: "512m", "4g" or "1.5g"');
    expect(existsSync(join(t.home, "clusters"))).toBe(false);
  });

  it("an invalid name exits 2", async () => {
    const t = setup();
    const r = await run(FAKE_KINA, ["create", "Dev_1"], t.env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("DNS-1123");
    expect(existsSync(join(t.home, "clusters"))).toBe(false);
  });

  it("kind's spelling works: create cluster --name, delete cluster --name", async () => {
    const t = setup();
    expect((await run(FAKE_KINA, ["create", "cluster", "--name", "dev"], t.env())).code).toBe(0);
    expect((await run(FAKE_KINA, ["get", "clusters"], t.env())).stdout).toBe("dev\n");
    expect((await run(FAKE_KINA, ["delete", "cluster", "--name", "dev"], t.env())).code).toBe(0);
    const after = await run(FAKE_KINA, ["get", "clusters"], t.env());
    expect(after.stdout).toBe("");
    expect(after.stderr).toContain("No kina clusters found.");
  });
});
