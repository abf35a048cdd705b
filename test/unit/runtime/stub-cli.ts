// A throwaway executable standing in for `container` / `sw_vers` in one test: it records each
// invocation (argv, stdin) and answers from a rules file, so tests see exactly what was spawned.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface StubRule {
  /** Prefix match on argv; "*" matches any one word. */
  argv: string[];
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Append the received stdin to stdout. */
  echoStdin?: boolean;
  /** Never exit (for abort/timeout tests). */
  hang?: boolean;
}

export interface StubCall {
  args: string[];
  stdin: string;
}

const SCRIPT = `
const fs = require("node:fs");
const path = require("node:path");
const dir = path.dirname(fs.realpathSync(process.argv[1]));
const args = process.argv.slice(2);
const chunks = [];
process.stdin.on("data", (c) => chunks.push(c));
process.stdin.on("end", () => {
  const stdin = Buffer.concat(chunks).toString("utf8");
  fs.appendFileSync(path.join(dir, "calls.jsonl"), JSON.stringify({ args, stdin }) + "\\n");
  const rules = JSON.parse(fs.readFileSync(path.join(dir, "rules.json"), "utf8"));
  const rule = rules.find((r) => r.argv.every((w, i) => w === "*" || args[i] === w));
  if (!rule) {
    process.stderr.write("stub: no rule for " + JSON.stringify(args) + "\\n");
    process.exit(99);
  }
  if (rule.hang) { setInterval(() => {}, 1 << 30); return; }
  process.stdout.write((rule.stdout ?? "") + (rule.echoStdin ? stdin : ""));
  process.stderr.write(rule.stderr ?? "");
  process.exitCode = rule.exitCode ?? 0;
});
`;

export class StubCli {
  readonly dir: string;
  readonly binary: string;

  constructor(name = "container") {
    this.dir = mkdtempSync(join(tmpdir(), "kina-runtime-stub-"));
    this.binary = join(this.dir, name);
    writeFileSync(this.binary, `#!${process.execPath}\n${SCRIPT}`);
    chmodSync(this.binary, 0o755);
    this.respond([]);
  }

  respond(rules: StubRule[]): void {
    writeFileSync(join(this.dir, "rules.json"), JSON.stringify(rules));
  }

  calls(): StubCall[] {
    const file = join(this.dir, "calls.jsonl");
    if (!existsSync(file)) return [];
    return readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => JSON.parse(line) as StubCall);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function fixture(name: string): string {
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
}
