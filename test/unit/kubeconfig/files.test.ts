import { lstat, mkdir, readdir, readFile, stat, symlink, writeFile, chmod } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  backupPathFor,
  exportKubeconfig,
  fromAdminConf,
  KubeconfigError,
  mergeInto,
  removeKubeconfigEntries,
  writePrivateFile,
} from "../../../src/kube/kubeconfig/index.js";
import { ADMIN_CONF, SERVER, namesIn, parseJson, withTempDir } from "./fixtures.js";

const KINA = fromAdminConf(ADMIN_CONF, { cluster: "dev", server: SERVER });
const FOREIGN = `# mine
apiVersion: v1
clusters:
- cluster:
    server: https://prod
  name: prod
contexts:
- context:
    cluster: prod
    user: admin
  name: prod
current-context: prod
kind: Config
preferences: {}
users:
- name: admin
  user:
    token: not-a-real-token
`;

const mode = async (path: string) => (await stat(path)).mode & 0o777;

describe("exportKubeconfig", () => {
  test("creates the file (0600) and its folder (0700) when there is none, without a backup", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "home", ".kube", "config");
      const result = await exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: true });
      expect(result).toEqual({ path: target, changed: true, created: true, backupPath: undefined, currentContext: "kina-dev" });
      expect(parseJson(await readFile(target, "utf8"))["current-context"]).toBe("kina-dev");
      expect(await mode(target)).toBe(0o600);
      expect(await mode(join(dir, "home", ".kube"))).toBe(0o700);
      expect(await readdir(join(dir, "home", ".kube"))).toEqual(["config"]);
    });
  });

  test("a new file written without switchContext has no current-context", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "kc");
      const result = await exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: false });
      expect(result).toMatchObject({ created: true, currentContext: "" });
      const doc = parseJson(await readFile(target, "utf8"));
      expect(doc["current-context"] ?? "").toBe("");
      expect(namesIn(doc, "contexts")).toEqual(["kina-dev"]);
    });
  });

  test("never backs up a file kina created itself (recorded in the ledger), even at later writes and removals", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "kc");
      const ledger = join(dir, "kina-home", "kubeconfigs-created.json");
      await exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: true, createdLedger: ledger });
      expect(JSON.parse(await readFile(ledger, "utf8"))).toEqual([target]);
      expect(await mode(ledger)).toBe(0o600);
      const other = fromAdminConf(ADMIN_CONF, { cluster: "other", server: SERVER });
      const second = await exportKubeconfig({ targetPath: target, kinaYaml: other, switchContext: false, createdLedger: ledger });
      expect(second).toMatchObject({ changed: true, created: false, backupPath: undefined, currentContext: "kina-dev" });
      await removeKubeconfigEntries({ paths: [target], cluster: "dev", createdLedger: ledger });
      expect((await readdir(dir)).sort()).toEqual(["kc", "kina-home"]);
    });
  });

  test("backs up a file the user had before kina's first write, with the ledger in use", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "config");
      const ledger = join(dir, "kubeconfigs-created.json");
      await writeFile(target, FOREIGN, { mode: 0o600 });
      const first = await exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: false, createdLedger: ledger });
      expect(first).toMatchObject({ backupPath: backupPathFor(target), created: false, currentContext: "prod" });
      expect(await readFile(backupPathFor(target), "utf8")).toBe(FOREIGN);
      await expect(readFile(ledger, "utf8")).rejects.toThrow();
    });
  });

  test("merges into an existing file and backs up the original once", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "config");
      await writeFile(target, FOREIGN, { mode: 0o644 });
      const first = await exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: false });
      expect(first.backupPath).toBe(backupPathFor(target));
      expect(await readFile(backupPathFor(target), "utf8")).toBe(FOREIGN);
      expect(await mode(backupPathFor(target))).toBe(0o600);

      const merged = await readFile(target, "utf8");
      expect(merged).toBe(mergeInto(FOREIGN, KINA, { switchContext: false }));
      expect(await mode(target)).toBe(0o600);

      const other = fromAdminConf(ADMIN_CONF, { cluster: "other", server: SERVER });
      const second = await exportKubeconfig({ targetPath: target, kinaYaml: other, switchContext: false });
      expect(second.backupPath).toBeUndefined();
      expect(await readFile(backupPathFor(target), "utf8")).toBe(FOREIGN);
      expect(namesIn(parseJson(await readFile(target, "utf8")), "clusters")).toEqual(["prod", "kina-dev", "kina-other"]);
      // No lock or temporary file is left behind.
      expect((await readdir(dir)).sort()).toEqual(["config", "config.kina.bak"]);
    });
  });

  test("leaves an up-to-date file alone", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "config");
      await writeFile(target, mergeInto(FOREIGN, KINA, { switchContext: true }), { mode: 0o600 });
      const before = await stat(target);
      const result = await exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: true });
      expect(result.changed).toBe(false);
      expect((await stat(target)).ino).toBe(before.ino);
      expect(await readdir(dir)).toEqual(["config"]);
    });
  });

  test("keeps a stricter mode than 0600", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "config");
      await writeFile(target, FOREIGN);
      await chmod(target, 0o400);
      await exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: false });
      expect(await mode(target)).toBe(0o400);
    });
  });

  test("writes through a symlinked kubeconfig, keeping the symlink", async () => {
    await withTempDir(async (dir) => {
      const real = join(dir, "dotfiles", "kubeconfig");
      await mkdir(join(dir, "dotfiles"));
      await writeFile(real, FOREIGN);
      const link = join(dir, "config");
      await symlink(real, link);
      await exportKubeconfig({ targetPath: link, kinaYaml: KINA, switchContext: false });
      expect((await lstat(link)).isSymbolicLink()).toBe(true);
      expect(namesIn(parseJson(await readFile(real, "utf8")), "users")).toEqual(["admin", "kina-dev"]);
    });
  });

  test("never overwrites a file that is not YAML, and says which file and how to fix it", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "config");
      const broken = "clusters:\n- name: a\n  cluster: {server: https://a\n";
      await writeFile(target, broken);
      const attempt = exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: true });
      await expect(attempt).rejects.toBeInstanceOf(KubeconfigError);
      await expect(attempt).rejects.toMatchObject({ code: "not-yaml", path: target });
      await expect(attempt).rejects.toThrow(target);
      await expect(attempt).rejects.toThrow(/Fix it, or move it away/);
      expect(await readFile(target, "utf8")).toBe(broken);
      expect(await readdir(dir)).toEqual(["config"]);
    });
  });

  test("names the backup in the fix when one exists", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "config");
      await writeFile(target, FOREIGN);
      await exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: true });
      await writeFile(target, "- not\n- a kubeconfig\n");
      await expect(exportKubeconfig({ targetPath: target, kinaYaml: KINA, switchContext: true })).rejects.toThrow(
        backupPathFor(target),
      );
    });
  });

  test("fails with a clear error while another program holds the lock, changing nothing", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "config");
      await writeFile(target, FOREIGN);
      await writeFile(`${target}.lock`, "");
      const attempt = exportKubeconfig({
        targetPath: target,
        kinaYaml: KINA,
        switchContext: true,
        lock: { attempts: 2, sleep: async () => undefined },
      });
      await expect(attempt).rejects.toMatchObject({ code: "locked" });
      expect(await readFile(target, "utf8")).toBe(FOREIGN);
    });
  });

  test("loses no cluster when several exports run at once", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "config");
      await writeFile(target, FOREIGN);
      const clusters = ["a", "b", "c", "d", "e"];
      await Promise.all(
        clusters.map((cluster) =>
          exportKubeconfig({
            targetPath: target,
            kinaYaml: fromAdminConf(ADMIN_CONF, { cluster, server: SERVER }),
            switchContext: false,
            lock: { attempts: 1000, delayMs: 1 },
          }),
        ),
      );
      const names = namesIn(parseJson(await readFile(target, "utf8")), "contexts");
      expect(names.sort()).toEqual(["kina-a", "kina-b", "kina-c", "kina-d", "kina-e", "prod"]);
      expect(await readFile(backupPathFor(target), "utf8")).toBe(FOREIGN);
    });
  });

  test("reports a broken kina kubeconfig as kina's problem, not the user's file's", async () => {
    await withTempDir(async (dir) => {
      const target = join(dir, "config");
      await writeFile(target, FOREIGN);
      const attempt = exportKubeconfig({ targetPath: target, kinaYaml: FOREIGN, switchContext: true });
      await expect(attempt).rejects.toThrow(/kina's kubeconfig/);
      await expect(attempt).rejects.not.toThrow(target);
    });
  });
});

describe("removeKubeconfigEntries", () => {
  test("removes kina's entries from every file that has them and skips missing files", async () => {
    await withTempDir(async (dir) => {
      const first = join(dir, "first");
      const second = join(dir, "second");
      const untouched = join(dir, "untouched");
      await writeFile(first, mergeInto(FOREIGN, KINA, { switchContext: true }));
      await writeFile(second, mergeInto(undefined, KINA, { switchContext: true }));
      await writeFile(untouched, FOREIGN);
      const result = await removeKubeconfigEntries({
        paths: [first, join(dir, "missing"), second, untouched],
        cluster: "dev",
      });
      expect(result.changedPaths).toEqual([first, second]);
      expect(parseJson(await readFile(first, "utf8"))).toEqual({ ...parseJson(FOREIGN), "current-context": "" });
      const secondConfig = parseJson(await readFile(second, "utf8"));
      expect([namesIn(secondConfig, "clusters"), namesIn(secondConfig, "users")]).toEqual([[], []]);
      expect(await readFile(untouched, "utf8")).toBe(FOREIGN);
      expect((await readdir(dir)).sort()).toEqual(["first", "first.kina.bak", "second", "second.kina.bak", "untouched"]);
    });
  });

  test("keeps going past a broken file, then reports it without touching it", async () => {
    await withTempDir(async (dir) => {
      const broken = join(dir, "broken");
      const good = join(dir, "good");
      await writeFile(broken, "users: [\n");
      await writeFile(good, mergeInto(FOREIGN, KINA, { switchContext: false }));
      const attempt = removeKubeconfigEntries({ paths: [broken, good], cluster: "dev" });
      await expect(attempt).rejects.toMatchObject({ code: "not-yaml", path: broken });
      expect(await readFile(broken, "utf8")).toBe("users: [\n");
      expect(await readFile(good, "utf8")).toBe(FOREIGN);
    });
  });

  test("lists every file that failed", async () => {
    await withTempDir(async (dir) => {
      const one = join(dir, "one");
      const two = join(dir, "two");
      await writeFile(one, "users: [\n");
      await writeFile(two, "- a list\n");
      const attempt = removeKubeconfigEntries({ paths: [one, two], cluster: "dev" });
      await expect(attempt).rejects.toMatchObject({ code: "partial-removal" });
      await expect(attempt).rejects.toThrow(one);
      await expect(attempt).rejects.toThrow(two);
    });
  });
});

describe("writePrivateFile", () => {
  test("writes the file 0600 in a new 0700 folder, replacing older content", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "clusters", "dev", "kubeconfig");
      await writePrivateFile(path, "old");
      await writePrivateFile(path, KINA);
      expect(await readFile(path, "utf8")).toBe(KINA);
      expect(await mode(path)).toBe(0o600);
      expect(await mode(join(dir, "clusters", "dev"))).toBe(0o700);
      expect(await readdir(join(dir, "clusters", "dev"))).toEqual(["kubeconfig"]);
    });
  });

  test("tightens a file that was readable by others", async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, "kubeconfig");
      await writeFile(path, "old", { mode: 0o644 });
      await writePrivateFile(path, KINA);
      expect(await mode(path)).toBe(0o600);
    });
  });
});
