// State files across kina versions. For every earlier schema version there is a fixture
// (fixtures/state-v<N>.json, a ready one-node cluster as that version wrote it; the test fails
// when a new version has none): reading it changes nothing, the first write migrates it and keeps
// the old bytes beside it once (state.json.v<N>.bak, 0600), and the cluster works on. A file from a
// newer kina is refused by every command, byte-identical, with no backup and no lock left.

import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MIGRATIONS } from "../../state/migrations.js";
import { SCHEMA_VERSION } from "../../state/schema.js";
import { fakeKina } from "../helpers/run.js";

const FIXTURES = join(import.meta.dirname, "fixtures");
const EARLIER = Array.from({ length: SCHEMA_VERSION - 1 }, (_, i) => i + 1);

describe("state files from every earlier schema version", () => {
  it("each earlier version has a migration and a fixture", () => {
    for (const v of EARLIER) {
      expect(MIGRATIONS[v], `migration ${v} → ${v + 1}`).toBeTypeOf("function");
      expect(existsSync(join(FIXTURES, `state-v${v}.json`)), `fixtures/state-v${v}.json`).toBe(true);
    }
  });

  for (const v of EARLIER) {
    it(`version ${v}: read untouched, migrated on the first write with one backup kept, then stop and start work`, async () => {
      const t = fakeKina();
      // The config block as this kina resolves it (the old file's own was the same shape).
      expect((await t.kina(["create", "dev"])).code).toBe(0);
      const config = JSON.parse(readFileSync(t.statePath(), "utf8")).config;
      const old = JSON.parse(readFileSync(join(FIXTURES, `state-v${v}.json`), "utf8"));
      old.config = config;
      const text = `${JSON.stringify(old, null, 2)}\n`;
      writeFileSync(t.statePath(), text, { mode: 0o600 });
      const backup = `${t.statePath()}.v${v}.bak`;

      for (const args of [["status", "dev", "--json"], ["status", "dev", "--graph"], ["status", "dev"], ["get", "clusters"]]) {
        const r = await t.kina(args);
        expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(0);
        expect(readFileSync(t.statePath(), "utf8"), args.join(" ")).toBe(text);
        expect(existsSync(backup), args.join(" ")).toBe(false);
      }
      const doc = JSON.parse((await t.kina(["status", "dev", "--json"])).stdout);
      expect(doc.phase).toBe("ready");
      expect(doc.steps.filter((s: { status: string }) => s.status === "done")).toHaveLength(7);

      const stop = await t.kina(["stop", "dev"]);
      expect(stop.code, stop.stderr).toBe(0);
      expect(readFileSync(backup, "utf8")).toBe(text);
      expect((statSync(backup).mode & 0o777).toString(8)).toBe("600");
      const migrated = JSON.parse(readFileSync(t.statePath(), "utf8"));
      expect(migrated.schemaVersion).toBe(SCHEMA_VERSION);
      // The old attempts survived the migration.
      expect(migrated.steps.bootstrap.kubeadmInit.attempts[0].log).toBe("/old/kubeadmInit-1.log");

      const startR = await t.kina(["start", "dev"]);
      expect(startR.code, startR.stderr).toBe(0);
      expect(readFileSync(backup, "utf8")).toBe(text); // kept once, not overwritten by later writes
      expect(JSON.parse((await t.kina(["status", "dev", "--json"])).stdout).phase).toBe("ready");
    });
  }
});

describe("a state file from a newer kina", () => {
  it("every command refuses it, exit 1, naming both versions; the file stays byte-identical, no backup, no lock", async () => {
    const t = fakeKina();
    expect((await t.kina(["create", "dev"])).code).toBe(0);
    const future = JSON.parse(readFileSync(t.statePath(), "utf8"));
    future.schemaVersion = SCHEMA_VERSION + 1;
    future.somethingNew = { kina: "from the future" };
    const text = JSON.stringify(future, null, 2);
    writeFileSync(t.statePath(), text);
    const dir = join(t.home, "clusters/dev");
    const entries = readdirSync(dir).sort();
    const commands = [
      ["status", "dev"],
      ["status", "dev", "--json"],
      ["resume", "dev"],
      ["resume", "dev", "--dry-run"],
      ["retry", "cni", "dev"],
      ["stop", "dev"],
      ["start", "dev"],
      ["install", "storage", "dev"],
      ["uninstall", "storage", "dev"],
      ["create", "dev"],
      ["get", "nodes", "--name", "dev"],
    ];
    for (const args of commands) {
      const r = await t.kina(args);
      expect(r.code, `${args.join(" ")}: ${r.stderr}`).toBe(1);
      expect(r.stderr, args.join(" ")).toContain(`was written by a newer kina (state schema version ${SCHEMA_VERSION + 1}; this kina understands up to ${SCHEMA_VERSION})`);
      expect(r.stderr, args.join(" ")).toContain("kina left it untouched");
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(readFileSync(t.statePath(), "utf8"), args.join(" ")).toBe(text);
      expect(readdirSync(dir).sort(), args.join(" ")).toEqual(entries);
    }
    // delete removes the VMs by label but keeps the folder and the file it cannot read.
    const del = await t.kina(["delete", "dev"]);
    expect(del.stderr).toContain("newer kina");
    expect(readFileSync(t.statePath(), "utf8")).toBe(text);
    expect(t.runs()).toHaveLength(8 - 1); // only the create's steps (nodesJoined skipped) ever ran
  });
});
