// What kina does to the user's kubeconfig, seen from the user's side: hints that work with a
// non-default --kubeconfig, --no-switch-context honoured for a new file, the one-time backup of
// the user's own file (never of a file kina created), and which context is current after a write.

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";

const mac = useFakeMacs();

const kubectl = (m: FakeMac, args: string[]) =>
  execFileSync("/usr/bin/kubectl", args, { env: { ...process.env, HOME: m.home, KUBECONFIG: "" }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** The `kubectl …` line kina printed after "ready", as argv. */
function hintedKubectl(stderr: string): string[] {
  const line = stderr.split("\n").find((l) => l.trim().startsWith("kubectl cluster-info"));
  if (!line) throw new Error(`no kubectl hint in:\n${stderr}`);
  return line.trim().split(/\s+/).slice(1);
}

const USER_FILE = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: "https://prod.example:6443"}
contexts:
- name: prod
  context: {cluster: prod, user: prod}
current-context: prod
users:
- name: prod
  user: {token: not-a-real-one}
`;

describe("kubeconfig hygiene", () => {
  it("--kubeconfig FILE (new): the printed hint names FILE and works, after create and after start; kina's context is set and said so", async () => {
    const m = mac();
    const file = join(m.root, "kc", "cluster.yaml");
    const created = await m.kina(["create", "x", "--kubeconfig", file]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain('Set kubectl context to "kina-x"');
    const hint = hintedKubectl(created.stderr);
    expect(hint).toEqual(["cluster-info", "--context", "kina-x", "--kubeconfig", file]);
    expect(kubectl(m, hint)).toContain("is running at");
    // kina created FILE: nothing of the user's to back up, and ~/.kube/config was not touched.
    expect(existsSync(`${file}.kina.bak`)).toBe(false);
    expect(existsSync(join(m.home, ".kube", "config"))).toBe(false);

    expect((await m.kina(["stop", "x"])).code).toBe(0);
    const started = await m.kina(["start", "x"]);
    expect(started.code, started.stderr).toBe(0);
    expect(hintedKubectl(started.stderr)).toEqual(hint);
    // start did not write the kubeconfig, so it does not claim to have switched anything.
    expect(started.stderr).not.toContain("Set kubectl context");
    expect(kubectl(m, hint)).toContain("is running at");
  });

  it("--no-switch-context into a new file leaves current-context unset and says so", async () => {
    const m = mac();
    const file = join(m.root, "fresh.yaml");
    const created = await m.kina(["create", "y", "--kubeconfig", file, "--no-switch-context"]);
    expect(created.code, created.stderr).toBe(0);
    const doc = parse(readFileSync(file, "utf8"));
    expect(doc["current-context"] ?? "").toBe("");
    expect(doc.contexts.map((c: { name: string }) => c.name)).toEqual(["kina-y"]);
    expect(created.stderr).toContain("has no current context");
    expect(created.stderr).not.toContain("Set kubectl context");
    expect(kubectl(m, hintedKubectl(created.stderr))).toContain("is running at");
  });

  it("the backup holds the user's file as it was before kina's first write, later writes keep it; the user's context is kept and said so", async () => {
    const m = mac();
    const file = join(m.root, "mine.yaml");
    writeFileSync(file, USER_FILE, { mode: 0o600 });
    const created = await m.kina(["create", "z", "--kubeconfig", file, "--no-switch-context"]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toContain('Kept kubectl context "prod"');
    expect(readFileSync(`${file}.kina.bak`, "utf8")).toBe(USER_FILE);
    expect(kubectl(m, ["--kubeconfig", file, "config", "current-context"]).trim()).toBe("prod");

    // A later write (export kubeconfig after the user removed kina's context) leaves the backup alone.
    kubectl(m, ["--kubeconfig", file, "config", "delete-context", "kina-z"]);
    const exported = await m.kina(["export", "kubeconfig", "--name", "z", "--kubeconfig", file]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stderr).toContain('Set kubectl context to "kina-z"');
    expect(readFileSync(`${file}.kina.bak`, "utf8")).toBe(USER_FILE);
    expect(hintedKubectl(exported.stderr)).toEqual(["cluster-info", "--context", "kina-z", "--kubeconfig", file]);

    // A file kina created itself is never backed up, not at the second write either.
    const own = join(m.root, "kina-made.yaml");
    const first = await m.kina(["export", "kubeconfig", "--name", "z", "--kubeconfig", own, "--no-switch-context"]);
    expect(first.code, first.stderr).toBe(0);
    kubectl(m, ["--kubeconfig", own, "config", "delete-context", "kina-z"]);
    const again = await m.kina(["export", "kubeconfig", "--name", "z", "--kubeconfig", own]);
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(`${own}.kina.bak`)).toBe(false);
    expect(kubectl(m, ["--kubeconfig", own, "config", "current-context"]).trim()).toBe("kina-z");

    // delete cleans every file kina wrote the cluster into, the exported one too; the user's
    // own entries stay.
    expect((await m.kina(["delete", "z"])).code).toBe(0);
    for (const f of [file, own]) expect(kubectl(m, ["--kubeconfig", f, "config", "get-contexts", "-o", "name"])).not.toContain("kina-z");
    expect(kubectl(m, ["--kubeconfig", file, "config", "get-contexts", "-o", "name"]).trim()).toBe("prod");
  });
});
