// Help that reads at any width, usage errors that all exit 2 and create nothing, completion for
// each shell, and kind's --retain.

import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FAKE_KINA, KINA_BIN, fakeKina, readJournal, run, tempDir } from "../helpers/run.js";


/** Words as the help text has them, whatever the line breaks: a split word becomes two. */
function words(text: string): string[] {
  // cliui sets the type tag flush against a description that fills its column exactly
  // (`stdin[string]`): that is layout, not a split word.
  return text.replace(/(\S)(\[(?:string|boolean|array|number|required|default|choices)[^\]]*\])/g, "$1 $2").split(/\s+/).filter(Boolean).sort();
}

describe("help wraps at word boundaries", () => {
  const pages = [["--help"], ["retry", "--help"], ["create", "--help"], ["delete", "--help"]];

  it.each(pages)("kina %s at COLUMNS=80 and piped (100) splits no word and fits the width", async (...args) => {
    const home = tempDir();
    const wide = await run(KINA_BIN, args, { HOME: home, COLUMNS: "110" });
    for (const [columns, env] of [[80, { COLUMNS: "80" }], [100, {}]] as const) {
      const r = await run(KINA_BIN, args, { HOME: home, ...env });
      expect(r.code).toBe(0);
      expect(r.stdout.split("\n").filter((l) => l.length > columns), `wider than ${columns}`).toEqual([]);
      // The same words as at 110 columns: a word cut in two would show up as two other words.
      expect(words(r.stdout)).toEqual(words(wide.stdout));
    }
  });

  it("the words that used to be cut are whole", async () => {
    const r = await run(KINA_BIN, ["--help"], { HOME: tempDir(), COLUMNS: "80" });
    for (const word of ["resumable", "re-verified).", "(kubeconfigExported),"]) expect(words(r.stdout)).toContain(word);
    const create = await run(KINA_BIN, ["create", "--help"], { HOME: tempDir(), COLUMNS: "80" });
    for (const word of ["(--no-switch-context", "$KUBECONFIG,", "--delete-on-failure)"]) expect(words(create.stdout)).toContain(word);
  });
});

describe("every usage error exits 2 and creates nothing", () => {
  it.each([
    [["create", "dev", "--config"], "--config needs a value"],
    [["create", "dev", "--timeout"], "--timeout needs a value"],
    [["create", "--timeout"], "--timeout needs a value"],
    [["create", "dev", "--image"], "--image needs a value"],
    [["create", "dev", "--kubernetes-version"], "--kubernetes-version needs a value"],
    [["create", "--name"], "--name needs a value"],
    [["create", "dev", "--config", "nope.yaml"], 'config file "nope.yaml" not found'],
    [["create", "dev", "--config", "/"], 'config file "/" is a directory, not a file'],
    [["create", "dev", "--retain", "--delete-on-failure"], "--retain and --delete-on-failure contradict each other"],
    [["create", "dev", "-v", "-1"], "Unknown argument"],
    [["create", "dev", "--verbosity", "x"], "--verbosity"],
    [["create", "dev", "-q", "-v"], "-q and -v contradict each other"],
    [["status", "dev", "--graph", "--json"], "--graph and --json"],
    [["completion", "powershell"], 'unknown shell "powershell"; allowed: bash, zsh, fish'],
    [["completion", "zhs"], 'unknown shell "zhs"; allowed: bash, zsh, fish; did you mean "zsh"?'],
    [["retry", "cnii", "dev"], 'did you mean "cni"?'],
    [["create", "dev", "--timeout", "kubeadmnit=3s"], 'unknown step "kubeadmnit"'],
    [["install", "storag", "dev"], 'unknown addon "storag"; allowed: storage, metrics-server, gateway, loadbalancer, ingress-nginx; did you mean "storage"?'],
  ])("kina %j → %s", async (args, message) => {
    const t = fakeKina();
    const r = await t.kina(args as string[]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain(message);
    // One clear line: no stack trace, no raw errno.
    expect(r.stderr).not.toMatch(/\n\s+at |ENOENT|EISDIR|YError/);
    expect(r.stderr.match(/^ERROR: /gm)).toHaveLength(1);
    expect(t.created()).toBe(false);
    expect(t.runs()).toEqual([]);
  });

  it("an empty config on stdin and an empty file say the config is empty", async () => {
    const t = fakeKina();
    const stdin = await t.kina(["create", "dev", "--config", "-"], "");
    expect(stdin.code).toBe(2);
    expect(stdin.stderr).toContain("ERROR: config from stdin is empty");
    const file = join(t.home, "empty.yaml");
    writeFileSync(file, "# just a comment\n");
    const r = await t.kina(["create", "dev", "--config", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`ERROR: config file "${file}" is empty`);
    expect(t.created()).toBe(false);
  });

  it("a near-miss field echoes it and suggests the allowed name", async () => {
    const t = fakeKina();
    const r = await t.kina(["create", "dev", "--config", "-"], "apiVersion: kina.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n  cpu: 4\n");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nodes[0].cpu: unknown field; did you mean "cpus"?');
    expect(t.created()).toBe(false);
  });

  it("a kind.x-k8s.io file with kina-only fields is created with a warning naming the field", async () => {
    const t = fakeKina();
    const r = await t.kina(["create", "dev", "--config", "-"], "apiVersion: kind.x-k8s.io/v1alpha4\nkind: Cluster\nnodes:\n- role: control-plane\n  cpus: 2\n");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/WARNING: config from stdin: nodes\[0\]\.cpus is a kina field.*apiVersion: kina\.x-k8s\.io\/v1alpha4/);
  });
});

describe("--retain (kind's flag)", () => {
  it("is accepted; a failed create keeps its cluster as it always does, with nothing extra printed", async () => {
    const t = fakeKina({ kubeadmInit: { failAttempts: 1 } });
    const retained = await t.kina(["create", "dev", "--retain"]);
    const plain = fakeKina({ kubeadmInit: { failAttempts: 1 } });
    const without = await plain.kina(["create", "dev"]);
    expect(retained.code).toBe(1);
    expect(existsSync(join(t.home, "clusters", "dev", "state.json"))).toBe(true);
    const lines = (s: string) => s.split("\n").filter((l) => !/\d+ms|\d\.\ds|logs\//.test(l));
    expect(lines(retained.stderr)).toEqual(lines(without.stderr));
  });

  it("create --help says kina keeps the VMs by default", async () => {
    const r = await run(KINA_BIN, ["create", "--help"], { HOME: tempDir(), COLUMNS: "200" });
    expect(r.stdout).toMatch(/--retain\s+keep the node VMs if create fails \(kind's flag; kina always keeps them unless\s+--delete-on-failure\)/);
  });
});

describe("completion by shell", () => {
  it("bash (also the default) is a valid bash script that completes kina's commands", async () => {
    const home = tempDir();
    const bash = await run(KINA_BIN, ["completion", "bash"], { HOME: home });
    const bare = await run(KINA_BIN, ["completion"], { HOME: home });
    expect(bash.code).toBe(0);
    expect(bare.stdout).toBe(bash.stdout);
    const file = join(home, "kina.bash");
    writeFileSync(file, bash.stdout);
    execFileSync("bash", ["-n", file]);
    expect(bash.stdout).toContain("complete -o bashdefault -o default -F _kina_yargs_completions kina");
    // What the script asks kina for: the command words, then a command's subcommands.
    const top = await run(KINA_BIN, ["--get-yargs-completions", "kina", ""], { HOME: home });
    for (const cmd of ["create", "resume", "retry", "status", "delete", "get", "completion"]) expect(top.stdout.split("\n")).toContain(cmd);
    const get = await run(KINA_BIN, ["--get-yargs-completions", "kina", "get", ""], { HOME: home });
    expect(get.stdout.split("\n")).toEqual(expect.arrayContaining(["clusters", "nodes", "kubeconfig"]));
  });

  it("zsh is a compdef script, and valid zsh when zsh is installed", async () => {
    const home = tempDir();
    const r = await run(KINA_BIN, ["completion", "zsh"], { HOME: home });
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith("#compdef kina\n")).toBe(true);
    expect(r.stdout).toContain("compdef _kina_yargs_completions kina");
    expect(r.stdout).toContain("kina --get-yargs-completions");
    expect(r.stdout).not.toContain("complete -o bashdefault");
    if (hasShell("zsh")) {
      writeFileSync(join(home, "_kina"), r.stdout);
      execFileSync("zsh", ["-n", join(home, "_kina")]);
    }
  });

  it("fish registers a completion for kina that asks kina, and is valid fish when fish is installed", async () => {
    const home = tempDir();
    const r = await run(KINA_BIN, ["completion", "fish"], { HOME: home });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^complete -c kina -f -a '\(__kina_yargs_completions\)'$/m);
    expect(r.stdout).toMatch(/^function __kina_yargs_completions\n[\s\S]*kina --get-yargs-completions \$words\nend$/m);
    expect(r.stdout).not.toMatch(/COMPREPLY|compdef/);
    if (hasShell("fish")) {
      writeFileSync(join(home, "kina.fish"), r.stdout);
      execFileSync("fish", ["--no-execute", join(home, "kina.fish")]);
    }
  });
});

function hasShell(name: string): boolean {
  try {
    execFileSync(name, ["-c", "exit 0"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
