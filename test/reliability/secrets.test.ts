// Secrets and file modes after real creates against the doubles. The key and token material the
// fake nodes generated (admin.conf's client key, every pki/*.key, the bootstrap tokens kubeadm
// registered) must appear in no output of kina and in no file kina wrote, except the kubeconfig
// files whose purpose is to hold the client key. Every file kina writes under $KINA_HOME and the
// user's kubeconfig are 0600 and its folders 0700, also when kina runs under `umask 000`.

import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";
import { KINA_BIN, type Result } from "../helpers/run.js";
import { dirsUnder, filesUnder } from "./helpers.js";

const ONE_WORKER = "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n- role: worker\n";

/** kina under `umask 000`: sh sets it and execs node with the arguments as an array, no quoting. */
function kinaUmask000(m: FakeMac, args: string[], input?: string): Promise<Result> {
  const child = spawn("sh", ["-c", 'umask 000; exec "$@"', "sh", process.execPath, KINA_BIN, ...args], { env: { PATH: process.env.PATH, ...m.env }, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input ?? "");
  return new Promise((resolveDone) => child.on("close", (code, signal) => resolveDone({ code, signal, stdout, stderr })));
}

/** The secrets the doubles made: each as the strings that would show if it leaked. */
function secretsOf(m: FakeMac): { what: string; needles: string[] }[] {
  const out: { what: string; needles: string[] }[] = [];
  const pem = (text: string) =>
    text
      .split("\n")
      .filter((l) => l.length >= 32 && !l.startsWith("-----"))
      .slice(0, 3);
  for (const file of filesUnder(join(m.fake, "containers"))) {
    if (file.endsWith("/etc/kubernetes/admin.conf")) {
      const doc = parse(readFileSync(file, "utf8"));
      for (const u of doc.users ?? []) {
        const data: string | undefined = u.user?.["client-key-data"];
        if (!data) continue;
        // Base64 as in a kubeconfig, and the key's own lines, as a log of `cat` would show them.
        out.push({ what: `${file}: client-key-data`, needles: [data.slice(0, 64), ...pem(Buffer.from(data, "base64").toString("utf8"))] });
      }
    } else if (/\/etc\/kubernetes\/pki\/.*\.key$/.test(file)) {
      out.push({ what: file, needles: pem(readFileSync(file, "utf8")) });
    } else if (basename(file) === "kubeadm.json") {
      const state = JSON.parse(readFileSync(file, "utf8"));
      for (const token of state.tokens ?? []) out.push({ what: `${file}: bootstrap token`, needles: [token, token.split(".")[1]] });
      if (state.certificateKey) out.push({ what: `${file}: certificate key`, needles: [state.certificateKey] });
    }
  }
  return out.filter((s) => s.needles.length > 0);
}

function expectNoLeak(m: FakeMac, outputs: Record<string, string>) {
  const secrets = secretsOf(m);
  // The doubles did make keys and a token: the scan is looking for something real.
  expect(secrets.some((s) => s.what.endsWith("client-key-data"))).toBe(true);
  expect(secrets.some((s) => s.what.endsWith("bootstrap token"))).toBe(true);
  const kinaHome = m.env.KINA_HOME!;
  // Kubeconfig files hold the client key by design; everything else kina wrote must not.
  const designed = new Set([join(kinaHome, "clusters/dev/kubeconfig"), join(m.home, ".kube/config")]);
  const written = filesUnder(kinaHome).filter((f) => !designed.has(f));
  expect(written.some((f) => f.endsWith(".log"))).toBe(true);
  const texts: Record<string, string> = { ...outputs };
  for (const f of written) texts[f] = readFileSync(f, "latin1");
  for (const [where, text] of Object.entries(texts)) {
    for (const s of secrets) for (const needle of s.needles) expect(text.includes(needle), `${s.what} appears in ${where}`).toBe(false);
    expect(text, where).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
  }
  for (const f of designed) expect(existsSync(f), f).toBe(true);
}

function expectPrivateModes(m: FakeMac) {
  const kinaHome = m.env.KINA_HOME!;
  const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
  const files = [...filesUnder(kinaHome), join(m.home, ".kube/config")];
  expect(files).toContain(join(kinaHome, "clusters/dev/state.json"));
  for (const f of files) expect(mode(f), f).toBe("600");
  for (const d of [...dirsUnder(join(kinaHome, "clusters")), join(m.home, ".kube")]) expect(mode(d), d).toBe("700");
}

describe("secrets stay out of output and logs; files stay private", () => {
  const mac = useFakeMacs();

  it("a 1+1 create, status, resume and kubeconfig export under the default umask", { timeout: 180_000 }, async () => {
    const m = mac();
    const create = await m.kina(["create", "dev", "--config", "-", "-v", "2"], { input: ONE_WORKER });
    expect(create.code, create.stderr).toBe(0);
    const status = await m.kina(["status", "dev", "--json"]);
    const graph = await m.kina(["status", "dev", "--graph"]);
    const retry = await m.kina(["retry", "kubeconfig", "dev", "-v", "2"]);
    expect(retry.code, retry.stderr).toBe(0);
    expectNoLeak(m, {
      "create stdout": create.stdout,
      "create stderr (-v 2: every command and its output)": create.stderr,
      "status --json": status.stdout,
      "status --graph": graph.stdout,
      "retry kubeconfig -v 2": retry.stdout + retry.stderr,
    });
    expectPrivateModes(m);
    // The token went to kubeadm (the worker joined) and is shown redacted where the command is logged.
    const joined = m.state().steps.bootstrap.nodesJoined;
    expect(readFileSync(joined.attempts.at(-1).log, "utf8")).toMatch(/kubeadm token create ["']?<redacted>["']? --ttl 1h/);
  });

  it("under umask 000 every file is still 0600 and every folder 0700, and nothing leaks", { timeout: 180_000 }, async () => {
    const m = mac();
    const create = await kinaUmask000(m, ["create", "dev", "--config", "-"], ONE_WORKER);
    expect(create.code, create.stderr).toBe(0);
    const retry = await kinaUmask000(m, ["retry", "cni", "dev"]);
    expect(retry.code, retry.stderr).toBe(0);
    expectPrivateModes(m);
    expectNoLeak(m, { "create output": create.stdout + create.stderr, "retry output": retry.stdout + retry.stderr });
  });
});
