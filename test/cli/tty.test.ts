// kina on a real terminal: the built CLI runs in a detached 80×24 tmux pane against the fake Mac,
// and the pane is read back with `capture-pane`. What is on screen at the end is what a user
// sees: every step line intact (the ✗ line naming the failed step too), the ERROR and next steps
// below them, and no progress line left behind, in a cleared pane and in one that has scrolled.

import { execFile, execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { useFakeMacs, type FakeMac } from "../helpers/fake-mac.js";
import { FAKE_KINA, KINA_BIN, run as runKina, tempDir } from "../helpers/run.js";

const mac = useFakeMacs();
const run = promisify(execFile);

function hasTmux(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const KUBEADM_FAILS = [
  { argv: ["exec", "dev-control-plane", "kubeadm", "init"], times: 1, exitCode: 1, stderr: "[ERROR CRI]: container runtime is not running\n" },
];

/**
 * Runs `before; kina ARGS` in a fresh detached 80×24 pane and returns the pane's visible rows once
 * kina has exited. The pane's script signals a tmux channel when it is done (`wait-for`), so the
 * test waits on that, not on a timer.
 */
async function inPane(m: Pick<FakeMac, "env">, before: string, args: string[], entry = KINA_BIN): Promise<string[]> {
  const dir = tempDir("kina-tty-");
  const tmux = (...a: string[]) => run("tmux", ["-L", "kina-test", ...a], { env: { ...process.env, TMUX_TMPDIR: dir } });
  const script = join(dir, "pane.sh");
  const exports = Object.entries(m.env).map(([k, v]) => `export ${k}=${JSON.stringify(v)}`);
  const kina = [process.execPath, entry, ...args].map((a) => JSON.stringify(a)).join(" ");
  writeFileSync(
    script,
    [...exports, before, `${kina}`, `echo "EXIT=$?"`, "tmux -L kina-test wait-for -S kina-done", "exec sleep 600", ""].join("\n"),
  );
  await tmux("new-session", "-d", "-x", "80", "-y", "24", "-s", "kina", `TERM=xterm-256color bash --norc --noprofile ${script}`);
  try {
    await tmux("wait-for", "kina-done");
    const { stdout } = await tmux("capture-pane", "-p", "-t", "kina");
    return stdout.split("\n");
  } finally {
    await tmux("kill-server").catch(() => {});
  }
}

function expectNoProgressLeft(rows: string[]): void {
  // The bar is `[n/N] ▓▓░░ step …`; none of it may be left on screen.
  expect(rows.filter((r) => /^\s*\[\d+\/\d+\]/.test(r) || /[░▓█]/.test(r))).toEqual([]);
}

function expectFailureIntact(rows: string[]): void {
  const at = (re: RegExp) => rows.findIndex((r) => re.test(r));
  const header = at(/^Bootstrapping cluster "dev" \(8 steps\)$/);
  const image = at(/^ • imageBuilt \.\.\. ✓ \d/);
  const vm = at(/^ • vmRunning \.\.\. ✓ \d/);
  const failed = at(/^ • kubeadmInit \.\.\. ✗ [\d.]+m?s: kubeadm init failed in dev-control-plane \(exit 1\):$/);
  const error = at(/^ERROR: kubeadmInit failed: kubeadm init failed in dev-control-plane \(exit 1\):$/);
  const next = at(/^The cluster's VMs are kept\. Next:$/);
  const exit = at(/^EXIT=1$/);
  const seen = { header, image, vm, failed, error, next, exit };
  for (const [what, i] of Object.entries(seen)) expect(i, `${what} line missing in:\n${rows.join("\n")}`).toBeGreaterThanOrEqual(0);
  // In order, each once: nothing printed at the end landed on top of a step line.
  expect([header, image, vm, failed, error, next, exit]).toEqual([...[header, image, vm, failed, error, next, exit]].sort((a, b) => a - b));
  expect(rows.filter((r) => r.includes("hint:"))).toHaveLength(1);
  expect(rows.filter((r) => r.startsWith(" • kubeadmInit"))).toHaveLength(1);
  expectNoProgressLeft(rows);
}

describe.skipIf(!hasTmux())("a terminal (tmux, 80×24)", { timeout: 180_000 }, () => {
  it("a failed create in a cleared pane: the ✗ step line, the ERROR and the next steps are all intact", async () => {
    const m = mac();
    m.faults(KUBEADM_FAILS);
    const rows = await inPane(m, "clear", ["create", "dev"]);
    expectFailureIntact(rows);
  });

  it("a failed create in a pane that has scrolled (100 lines printed first)", async () => {
    const m = mac();
    m.faults(KUBEADM_FAILS);
    const rows = await inPane(m, "seq 1 100", ["create", "dev"]);
    expectFailureIntact(rows);
  });

  it("a successful create in a cleared pane ends with every step line and the ready message", async () => {
    const m = mac();
    const rows = await inPane(m, "clear", ["create", "dev"]);
    const steps = ["imageBuilt", "vmRunning", "kubeadmInit", "kubeconfigExported", "untainted", "cniInstalled", "addonsReady"];
    for (const s of steps) expect(rows.filter((r) => new RegExp(`^ • ${s} \\.\\.\\. ✓ \\d`).test(r)), s).toHaveLength(1);
    // Skipped steps are counted and printed where they are in the chain.
    const skipped = rows.findIndex((r) => r.startsWith(" • nodesJoined ... – skipped"));
    expect(skipped).toBeGreaterThan(rows.findIndex((r) => r.startsWith(" • kubeconfigExported")));
    expect(skipped).toBeLessThan(rows.findIndex((r) => r.startsWith(" • untainted")));
    const ready = rows.findIndex((r) => /^Cluster "dev" is ready/.test(r));
    expect(ready).toBeGreaterThan(rows.findIndex((r) => r.startsWith(" • addonsReady")));
    expect(rows).toContain("EXIT=0");
    expectNoProgressLeft(rows);
  });

  it("help in the 80-column pane wraps at the pane's width, at word boundaries", async () => {
    const m = mac();
    const rows = (await inPane(m, "clear", ["retry", "--help"])).filter((r) => r !== "EXIT=0");
    const piped = await runKina(KINA_BIN, ["retry", "--help"], { ...m.env, COLUMNS: "80" });
    expect(rows.filter((r) => r.length > 80)).toEqual([]);
    // The terminal's width is used (80, not the piped default of 100), and the layout matches
    // COLUMNS=80, whose words are checked whole in help-and-usage.test.ts.
    expect(rows.join("\n").trim()).toBe(piped.stdout.trim());
    expect(rows.join(" ")).toContain("re-verified).");
  });

  it("Ctrl-C in the middle of a step: the interrupted line, the ERROR and exit 130, no status line left", async () => {
    // The engine's fake steps (test/fixtures/fake-kina.mjs): kubeadmInit announces itself on
    // stdout and hangs until interrupted. The pane script sends SIGINT when it reads that line
    // (stdout goes through a FIFO; stderr, where progress goes, stays the pane's terminal).
    const home = tempDir();
    const env = { KINA_HOME: home, HOME: home, KINA_FAKE_STEPS: JSON.stringify({ kubeadmInit: { hang: true } }) };
    const fifo = join(home, "out");
    const kina = [process.execPath, FAKE_KINA, "create", "dev"].map((a) => JSON.stringify(a)).join(" ");
    const script = [
      `mkfifo ${fifo}`,
      `${kina} > ${fifo} & pid=$!`,
      `grep -m1 -q '^RUNNING kubeadmInit' ${fifo}; kill -INT $pid; cat ${fifo} > /dev/null &`,
      "wait $pid",
      'echo "KINA_EXIT=$?"',
    ].join("\n");
    const rows = await inPane({ env }, `clear\n${script}`, ["--version"]);
    const at = (re: RegExp) => rows.findIndex((r) => re.test(r));
    const vm = at(/^ • vmRunning \.\.\. ✓/);
    const cut = at(/^ • kubeadmInit \.\.\. ✗ [\d.]+m?s: interrupted by Ctrl-C$/);
    const error = at(/^ERROR: kubeadmInit was interrupted: interrupted by Ctrl-C$/);
    expect(vm, rows.join("\n")).toBeGreaterThanOrEqual(0);
    expect(cut).toBeGreaterThan(vm);
    expect(error).toBeGreaterThan(cut);
    expect(rows).toContain("KINA_EXIT=130");
    expectNoProgressLeft(rows);
  });
});
