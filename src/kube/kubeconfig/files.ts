import { lstat, mkdir, readFile, realpath, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { parse } from "yaml";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeFileAtomic } from "./atomic-write.js";
import { KubeconfigError } from "./errors.js";
import { withFileLock, type LockOptions } from "./lock.js";
import { mergeInto, removeFrom } from "./merge.js";

export interface ExportKubeconfigOptions {
  /** The user's kubeconfig file to merge into (see `mergeTargetPath`). */
  targetPath: string;
  /** kina's kubeconfig for the cluster, as made by `fromAdminConf`. */
  kinaYaml: string;
  switchContext: boolean;
  /**
   * The file where kina records the kubeconfig files it created itself (see `CreatedFiles`): such
   * a file is never backed up, since it never held anything of the user's.
   */
  createdLedger?: string;
  lock?: LockOptions;
}

export interface ExportKubeconfigResult {
  path: string;
  /** False when the file already held exactly this content and was left alone. */
  changed: boolean;
  /** True when the file did not exist and kina created it. */
  created: boolean;
  /** Set when this call made the one-time backup of the user's original file. */
  backupPath: string | undefined;
  /** The file's current-context after the call; "" when it has none. */
  currentContext: string;
}

/** Where kina keeps the user's original file, saved before kina first changes it. */
export function backupPathFor(path: string): string {
  return `${path}.kina.bak`;
}

/** Merges kina's entries into the user's kubeconfig file, under the kubeconfig lock. */
export async function exportKubeconfig(options: ExportKubeconfigOptions): Promise<ExportKubeconfigResult> {
  const { targetPath, kinaYaml, switchContext } = options;
  // Problems with kina's own input are reported as such, not as a problem with the user's file.
  mergeInto(undefined, kinaYaml, { switchContext });
  await mkdir(dirname(targetPath), { recursive: true, mode: PRIVATE_DIR_MODE });
  return withFileLock(
    targetPath,
    async () => {
      const current = await readExisting(targetPath);
      let next: string;
      try {
        next = mergeInto(current?.text, kinaYaml, { switchContext, source: `kubeconfig file ${targetPath}` });
      } catch (error) {
        throw await withFix(error, targetPath);
      }
      const currentContext = currentContextOf(next) ?? "";
      if (current !== undefined && next === current.text) {
        return { path: targetPath, changed: false, created: false, backupPath: undefined, currentContext };
      }
      const ledger = options.createdLedger;
      const backupPath =
        current === undefined || (ledger && (await createdByKina(ledger, current.realPath))) ? undefined : await backUpOnce(targetPath, current.text);
      await writeFileAtomic(current?.realPath ?? targetPath, next, fileMode(current?.mode));
      if (current === undefined && ledger) await recordCreated(ledger, await realpath(targetPath));
      return { path: targetPath, changed: true, created: current === undefined, backupPath, currentContext };
    },
    options.lock,
  );
}

export interface RemoveKubeconfigEntriesOptions {
  /** Every kubeconfig file to clean (all of `$KUBECONFIG`, see `kubeconfigPaths`). */
  paths: readonly string[];
  cluster: string;
  /** As in `ExportKubeconfigOptions`: files kina created are not backed up. */
  createdLedger?: string;
  lock?: LockOptions;
}

/**
 * Removes kina's entries for `cluster` from every file in `paths` that has them; missing files are
 * skipped. A file that fails (unparseable, locked) does not stop the others: the error is thrown
 * after all files were tried (the file's own error if only one failed, else one listing them all).
 */
export async function removeKubeconfigEntries(options: RemoveKubeconfigEntriesOptions): Promise<{ changedPaths: string[] }> {
  const changedPaths: string[] = [];
  const failures: KubeconfigError[] = [];
  for (const path of new Set(options.paths)) {
    try {
      if (await removeFromFile(path, options.cluster, options.lock, options.createdLedger)) changedPaths.push(path);
    } catch (error) {
      if (!(error instanceof KubeconfigError)) throw error;
      failures.push(error);
    }
  }
  const [only] = failures;
  if (failures.length === 1 && only !== undefined) throw only;
  if (failures.length > 1) {
    throw new KubeconfigError(
      "partial-removal",
      `could not remove kina's entries from ${failures.length} kubeconfig files:\n` +
        failures.map((failure) => `  - ${failure.message}`).join("\n"),
    );
  }
  return { changedPaths };
}

async function removeFromFile(path: string, cluster: string, lock: LockOptions | undefined, ledger: string | undefined): Promise<boolean> {
  if ((await readExisting(path)) === undefined) return false;
  return withFileLock(
    path,
    async () => {
      const current = await readExisting(path);
      if (current === undefined) return false;
      let result;
      try {
        result = removeFrom(current.text, cluster, { source: `kubeconfig file ${path}` });
      } catch (error) {
        throw await withFix(error, path);
      }
      if (!result.changed) return false;
      if (!(ledger && (await createdByKina(ledger, current.realPath)))) await backUpOnce(path, current.text);
      await writeFileAtomic(current.realPath, result.text, fileMode(current.mode));
      return true;
    },
    lock,
  );
}

interface ExistingFile {
  text: string;
  /** Where the content lives: a symlinked kubeconfig (dotfile managers) stays a symlink. */
  realPath: string;
  mode: number;
}

async function readExisting(path: string): Promise<ExistingFile | undefined> {
  let realPath: string;
  try {
    realPath = await realpath(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const [text, info] = await Promise.all([readFile(realPath, "utf8"), stat(realPath)]);
  return { text, realPath, mode: info.mode & 0o777 };
}

// 0600, unless the file is already stricter (e.g. 0400) and still readable by its owner.
function fileMode(existing: number | undefined): number {
  if (existing === undefined) return PRIVATE_FILE_MODE;
  const within = (existing & ~PRIVATE_FILE_MODE) === 0 && (existing & 0o400) !== 0;
  return within ? existing : PRIVATE_FILE_MODE;
}

function currentContextOf(text: string): string | undefined {
  const doc = parse(text, { schema: "failsafe" }) as { "current-context"?: unknown } | null;
  const value = doc?.["current-context"];
  return typeof value === "string" ? value : undefined;
}

/**
 * The ledger: a JSON list of the real paths of kubeconfig files kina created (they did not exist
 * before kina's first write). The one-time backup is there to give the user back their file as
 * it was before kina touched it; a file kina created has no such "before".
 */
async function readLedger(ledger: string): Promise<string[]> {
  try {
    const list = JSON.parse(await readFile(ledger, "utf8")) as unknown;
    return Array.isArray(list) ? list.filter((p): p is string => typeof p === "string") : [];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT" || error instanceof SyntaxError) return [];
    throw error;
  }
}

async function createdByKina(ledger: string, realPath: string): Promise<boolean> {
  return (await readLedger(ledger)).includes(realPath);
}

async function recordCreated(ledger: string, realPath: string): Promise<void> {
  const list = await readLedger(ledger);
  if (list.includes(realPath)) return;
  await mkdir(dirname(ledger), { recursive: true, mode: PRIVATE_DIR_MODE });
  await writeFileAtomic(ledger, `${JSON.stringify([...list, realPath], null, 2)}\n`, PRIVATE_FILE_MODE);
}

async function backUpOnce(path: string, originalText: string): Promise<string | undefined> {
  const backup = backupPathFor(path);
  if (await exists(backup)) return undefined;
  await writeFileAtomic(backup, originalText, PRIVATE_FILE_MODE);
  return backup;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

// The user's file is left as it was; say so, and how to get going again.
async function withFix(error: unknown, path: string): Promise<unknown> {
  if (!(error instanceof KubeconfigError)) return error;
  const backup = backupPathFor(path);
  const backupNote = (await exists(backup)) ? ` (${backup} holds its content from before kina first changed it)` : "";
  return new KubeconfigError(
    error.code,
    `${error.message}. kina left the file unchanged. Fix it, or move it away${backupNote}, then run the command again.`,
    { path, cause: error },
  );
}
