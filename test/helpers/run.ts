// Runs the kina CLI as a real child process (the built dist/ or the fake-steps entry).

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const REPO = resolve(import.meta.dirname, "../..");
export const KINA_BIN = join(REPO, "dist/src/cli/main.js");
export const FAKE_KINA = join(REPO, "test/fixtures/fake-kina.mjs");

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function tempDir(prefix = "kina-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function start(entry: string, args: string[], env: NodeJS.ProcessEnv, input?: string): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn(process.execPath, [entry, ...args], {
    env: { PATH: process.env.PATH, HOME: env.HOME ?? tempDir("kina-home-"), ...env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  const done = new Promise<Result>((resolveDone) => {
    child.on("close", (code, signal) => resolveDone({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

export function run(entry: string, args: string[], env: NodeJS.ProcessEnv, input?: string): Promise<Result> {
  return start(entry, args, env, input).done;
}

/** Resolves when the child's stdout contains `marker` (the child announces it reached a point). */
export function waitForOutput(child: ChildProcess, marker: string): Promise<void> {
  return new Promise((resolveWait, reject) => {
    let seen = "";
    const onData = (d: Buffer) => {
      seen += d.toString();
      if (seen.includes(marker)) {
        child.stdout!.off("data", onData);
        resolveWait();
      }
    };
    child.stdout!.on("data", onData);
    child.on("close", () => reject(new Error(`child exited before printing ${marker}; stdout: ${seen}`)));
  });
}

export function readJournal(path: string): string[] {
  return existsSync(path) ? readFileSync(path, "utf8").trim().split("\n").filter(Boolean) : [];
}

/**
 * The CLI on fake steps (test/fixtures/fake-kina.mjs) in a fresh KINA_HOME: `steps` scripts the
 * fake steps (hang, failAttempts, …); the journal says which steps ran and what was torn down.
 */
export function fakeKina(steps: Record<string, unknown> = {}) {
  const home = tempDir();
  const journal = join(home, "journal.log");
  const env = { KINA_HOME: home, HOME: home, KINA_FAKE_JOURNAL: journal, KINA_FAKE_STEPS: JSON.stringify(steps) };
  return {
    home,
    env,
    kina: (args: string[], input?: string) => run(FAKE_KINA, args, env, input),
    runs: () => readJournal(journal).filter((l) => l.startsWith("run ")),
    teardowns: () => readJournal(journal).filter((l) => l.startsWith("teardown ")),
    statePath: (name = "dev") => join(home, "clusters", name, "state.json"),
    created: () => existsSync(join(home, "clusters")),
  };
}
