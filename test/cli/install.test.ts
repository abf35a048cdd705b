// kina as a user installs it: the built bin is executable with a node shebang, and the tarball
// `npm pack` makes installs globally into a fresh prefix whose `kina` runs `--version` and
// `doctor` (against the `container` double). The install fetches kina's dependencies with npm
// (from its cache when `npm install` already fetched them), so this one test takes a while.

import { execFileSync, spawnSync } from "node:child_process";
import { accessSync, constants, mkdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { fakeMac } from "../helpers/fake-mac.js";
import { KINA_BIN, REPO, tempDir } from "../helpers/run.js";

describe("install", () => {
  it("npm pack → npm install -g --prefix → kina --version and kina doctor run", { timeout: 300_000 }, () => {
    // `npm run build` leaves the bin runnable straight from a clone.
    accessSync(KINA_BIN, constants.X_OK);
    expect(readFileSync(KINA_BIN, "utf8").split("\n")[0]).toBe("#!/usr/bin/env node");

    const work = tempDir("kina-install-");
    // The test's node first, so npm and the installed `kina` run on it.
    const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, npm_config_update_notifier: "false" };
    const packed = JSON.parse(
      execFileSync("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", work], { cwd: REPO, env, encoding: "utf8" }),
    ) as { filename: string; files: { path: string }[] }[];
    const files = packed[0]!.files.map((f) => f.path);
    for (const needed of ["package.json", "dist/src/cli/main.js", "dist/machines/workflows.js", "dist/state/store.js", "images/node/versions.json", "images/node/Dockerfile"]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((f) => f.startsWith("test/") || f.startsWith("src/"))).toEqual([]);

    const prefix = join(work, "prefix");
    mkdirSync(prefix);
    const install = spawnSync("npm", ["install", "-g", "--prefix", prefix, "--prefer-offline", "--no-audit", "--no-fund", join(work, packed[0]!.filename)], {
      env,
      encoding: "utf8",
    });
    expect(install.status, install.stderr).toBe(0);
    const kina = join(prefix, "bin", "kina");

    const version = spawnSync(kina, ["--version"], { env, encoding: "utf8" });
    expect(version.status, version.stderr).toBe(0);
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")).version);

    const mac = fakeMac();
    try {
      const doctor = spawnSync(kina, ["doctor"], { env: { ...mac.env }, encoding: "utf8" });
      expect(doctor.status, doctor.stdout + doctor.stderr).toBe(0);
      expect(doctor.stdout).toMatch(/^ok {4}container: /m);
      expect(doctor.stdout).toMatch(/^ok {4}kernel: /m);
    } finally {
      mac.cleanup();
    }
  });
});
