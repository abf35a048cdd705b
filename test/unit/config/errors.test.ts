// What a user reads when a config file is wrong: the field, the value they wrote, the nearest
// allowed name; kina-only fields in a kind file are flagged; unusable files say why in words.

import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfigFile, parseConfigText } from "../../../src/config/load.js";
import { UsageError } from "../../../src/config/resolve.js";
import { nearestName } from "../../../src/config/schema.js";
import { tempDir } from "../../helpers/run.js";

const KINA = "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\n";
const KIND = "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\n";

function refusal(text: string): string {
  try {
    parseConfigText(text, 'config file "c.yaml"');
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected the config to be refused");
}

async function loadRefusal(path: string, stdinText = ""): Promise<string> {
  try {
    await loadConfigFile(path, Readable.from([stdinText]));
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected the config to be refused");
}

describe("config errors name the field, echo the value and suggest the near name", () => {
  it.each([
    [`${KINA}nodes:\n- role: control-plane\n  cpu: 4\n`, 'nodes[0].cpu: unknown field; did you mean "cpus"?'],
    [`${KINA}nodes:\n- role: control-plane\n  memroy: 4g\n`, 'nodes[0].memroy: unknown field; did you mean "memory"?'],
    [`${KINA}networking:\n  podSubnt: 10.244.0.0/16\n`, 'networking.podSubnt: unknown field; did you mean "podSubnet"?'],
    [`${KINA}node:\n- role: worker\n`, '\n  node: unknown field; did you mean "nodes"?'],
    [`${KINA}nodes:\n- role: contol-plane\n`, 'nodes[0].role: invalid value "contol-plane"; allowed: control-plane, worker; did you mean "control-plane"?'],
    [`${KINA}networking:\n  cni: calico\n`, 'networking.cni: invalid value "calico"; allowed: kindnet, cilium, none'],
    [`${KINA}nodes:\n- role: worker\n  cpus: four\n`, 'nodes[0].cpus: expected number, got "four"'],
    [`${KINA}nodes:\n- role: worker\n  frobnicate: 1\n`, "nodes[0].frobnicate: unknown field; allowed: role, image, labels"],
    [`${KINA}timeouts:\n  addon: 1m\n`, 'timeouts.addon: unknown step; allowed: image, vm'],
    [`${KINA}timeouts:\n  addon: 1m\n`, '(or their step ids); did you mean "addons"?'],
  ])("%j → %s", (text, line) => {
    expect(refusal(text)).toContain(line);
  });

  it("suggests only names that are near", () => {
    expect(nearestName("cpu", ["role", "cpus", "memory"])).toBe("cpus");
    expect(nearestName("zzzzzz", ["role", "cpus", "memory"])).toBeUndefined();
    expect(nearestName("x", ["vm", "cni"])).toBeUndefined();
  });
});

describe("a kind.x-k8s.io file with kina-only fields", () => {
  it("is accepted with one warning per field naming it and the kina apiVersion", () => {
    const warnings: string[] = [];
    parseConfigText(
      `${KIND}kubernetesVersion: v1.35.5\naddons: [storage]\ntimeouts:\n  cni: 1m\nnetworking:\n  cni: kindnet\nnodes:\n- role: control-plane\n  cpus: 4\n  memory: 4g\n`,
      'config file "k.yaml"',
      (m) => warnings.push(m),
    );
    const fields = ["kubernetesVersion", "addons", "timeouts", "networking.cni", "nodes[0].cpus", "nodes[0].memory"];
    expect(warnings).toHaveLength(fields.length);
    for (const [i, field] of fields.entries()) {
      expect(warnings[i]).toContain(field);
      expect(warnings[i]).toContain("apiVersion: kina.x-k8s.io/v1alpha4");
    }
  });

  it("a plain kind file and a kina file with the same fields get no warning", () => {
    const warnings: string[] = [];
    parseConfigText(`${KIND}nodes:\n- role: control-plane\n`, "x", (m) => warnings.push(m));
    parseConfigText(`${KINA}nodes:\n- role: control-plane\n  cpus: 4\n`, "x", (m) => warnings.push(m));
    expect(warnings).toEqual([]);
  });
});

describe("unusable config files say why in words", () => {
  it("an empty file, empty stdin or a comment-only file: config is empty", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "empty.yaml"), "");
    writeFileSync(join(dir, "comments.yaml"), "# nothing here\n");
    expect(await loadRefusal(join(dir, "empty.yaml"))).toMatch(/^config file ".*empty.yaml" is empty: it needs at least "apiVersion: kina.x-k8s.io\/v1alpha4"/);
    expect(await loadRefusal(join(dir, "comments.yaml"))).toContain("is empty");
    expect(await loadRefusal("-", "")).toMatch(/^config from stdin is empty/);
    expect(await loadRefusal("-", "\n\n")).toMatch(/^config from stdin is empty/);
  });

  it("a missing file, a directory, an unreadable file: no raw ENOENT/EISDIR/EACCES", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "sub"));
    const secret = join(dir, "secret.yaml");
    writeFileSync(secret, KINA);
    chmodSync(secret, 0o000);
    const missing = await loadRefusal("x.yaml");
    expect(missing).toBe('config file "x.yaml" not found');
    expect(await loadRefusal(join(dir, "sub"))).toBe(`config file "${join(dir, "sub")}" is a directory, not a file`);
    // root reads anything: the permission case is only observable as another user.
    if (process.getuid?.() !== 0) expect(await loadRefusal(secret)).toContain("cannot be read: permission denied");
    for (const m of [missing, await loadRefusal(join(dir, "sub"))]) expect(m).not.toMatch(/ENOENT|EISDIR|EACCES/);
  });

  it("a YAML scalar or list is not a config", () => {
    expect(refusal("hello\n")).toContain("expected a YAML mapping");
    expect(refusal("- a\n- b\n")).toContain("got a list");
  });
});
