import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { findOnPath, fixturesDir, repoRoot } from "./harness.js";

/** Files whose first line is a sh/bash shebang. */
function shellScripts(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const head = readFileSync(path, "utf8").slice(0, 64);
    if (/^#!\s*\/(?:usr\/)?bin\/(?:env\s+)?(?:ba|da)?sh\b/.test(head)) out.push(path);
  }
  return out.sort();
}

const shellcheck = findOnPath("shellcheck");
const scripts = [...shellScripts(join(repoRoot, "images")), ...shellScripts(join(fixturesDir, "bin"))];

describe("shell scripts", () => {
  it("include the node image's scripts", () => {
    const names = scripts.map((s) => relative(repoRoot, s));
    expect(names).toEqual(
      expect.arrayContaining([
        "images/node/files/usr/local/bin/kina-node-prep",
        "images/node/files/usr/local/bin/kina-ip-heal",
        "images/node/files/usr/local/lib/kina/stamp-image",
      ]),
    );
  });

  it.skipIf(!shellcheck)(
    shellcheck
      ? "pass shellcheck"
      : "pass shellcheck — SKIPPED: shellcheck is not installed (apt-get install shellcheck)",
    () => {
      const result = spawnSync(shellcheck!, ["--format=gcc", ...scripts], { encoding: "utf8" });
      expect(result.error).toBeUndefined();
      expect(result.stdout + result.stderr).toBe("");
      expect(result.status).toBe(0);
    },
  );
});
