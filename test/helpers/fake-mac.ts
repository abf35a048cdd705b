// A pretend Mac for integration tests: the real kina binary with the project's `container` double
// (and its fake nodes, whose kubeadm starts the HTTPS API double) and a fake `sw_vers`.

import { execFileSync } from "node:child_process";
import { afterEach } from "vitest";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { KINA_BIN, REPO, run, start, tempDir, type Result } from "./run.js";

export const CONTAINER_DOUBLE = join(REPO, "test/doubles/container/container");

export interface FakeMac {
  root: string;
  home: string;
  fake: string;
  env: NodeJS.ProcessEnv;
  kina(args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }): Promise<Result>;
  startKina(args: string[], opts?: { env?: NodeJS.ProcessEnv; input?: string }): ReturnType<typeof start>;
  container(args: string[]): string;
  containers(): { id: string; state: string; labels: Record<string, string>; ip?: string; raw: any }[];
  execLog(): { node: string; argv: string[]; exitCode: number; via?: string }[];
  /** Every `container` invocation the double answered, oldest end first (start/end: epoch ms). */
  containerCalls(): { argv: string[]; exitCode: number; start: number; end: number }[];
  faults(rules: unknown[]): void;
  kubeFaults(faults: Record<string, string[]>): void;
  builds(): any[];
  state(name?: string): any;
  cleanup(): void;
}

export function fakeMac(extraEnv: NodeJS.ProcessEnv = {}): FakeMac {
  const root = tempDir("kina-mac-");
  const home = join(root, "home");
  const fake = join(root, "container-state");
  mkdirSync(home, { recursive: true });
  mkdirSync(fake, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    KINA_HOME: join(home, ".kina"),
    KINA_CONTAINER: CONTAINER_DOUBLE,
    KINA_FAKE_CONTAINER_STATE: fake,
    // node first so the doubles' `#!/usr/bin/env node` run on the same Node as the tests.
    PATH: [dirname(process.execPath), join(REPO, "test/doubles/bin"), process.env.PATH].join(":"),
    ...extraEnv,
  };
  const mac: FakeMac = {
    root,
    home,
    fake,
    env,
    kina: (args, opts = {}) => run(KINA_BIN, args, { ...env, ...opts.env }, opts.input),
    startKina: (args, opts = {}) => start(KINA_BIN, args, { ...env, ...opts.env }, opts.input),
    container: (args) => execFileSync(CONTAINER_DOUBLE, args, { env: { ...process.env, ...env }, encoding: "utf8" }),
    containers: () =>
      (JSON.parse(mac.container(["list", "-a", "--format", "json"]) || "[]") as any[]).map((c) => ({
        id: c.id,
        state: c.status.state,
        labels: c.configuration.labels,
        ip: c.status.networks[0]?.ipv4Address?.split("/")[0],
        raw: c,
      })),
    execLog: () =>
      existsSync(join(fake, "exec.log"))
        ? readFileSync(join(fake, "exec.log"), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l))
        : [],
    containerCalls: () =>
      existsSync(join(fake, "container-calls.jsonl"))
        ? readFileSync(join(fake, "container-calls.jsonl"), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l))
        : [],
    faults: (rules) => writeFileSync(join(fake, "faults.json"), JSON.stringify({ rules })),
    kubeFaults: (faults) => writeFileSync(join(fake, "kube-api-faults.json"), JSON.stringify(faults)),
    builds: () =>
      existsSync(join(fake, "build.log"))
        ? readFileSync(join(fake, "build.log"), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l))
        : [],
    state: (name = "dev") => JSON.parse(readFileSync(join(env.KINA_HOME!, "clusters", name, "state.json"), "utf8")),
    cleanup: () => stopApiServers(fake),
  };
  return mac;
}

/** Stops every API double a fake node started (they also exit on their own when idle). */
function stopApiServers(dir: string): void {
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.name === "apiserver.pid") {
        const pid = Number(readFileSync(p, "utf8"));
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
    }
  };
  walk(dir);
}

/** Per-test fake Macs, cleaned up (API doubles stopped) after each test of the calling file. */
export function useFakeMacs(): (env?: NodeJS.ProcessEnv) => FakeMac {
  const macs: FakeMac[] = [];
  afterEach(() => {
    for (const m of macs.splice(0)) m.cleanup();
  });
  return (env = {}) => {
    const m = fakeMac(env);
    macs.push(m);
    return m;
  };
}
