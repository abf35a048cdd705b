// DIR → DIR.tar.gz beside it, with the system `tar` (macOS bsdtar and GNU tar both take these
// flags) and an argument array: the folder name is never part of a shell string, and `./` in
// front of it keeps a name starting with "-" from being read as an option.

import { chmod, open } from "node:fs/promises";
import { basename, dirname } from "node:path";
import { execa } from "execa";

const PRIVATE_FILE_MODE = 0o600;

/** Writes `<dir>.tar.gz` holding `dir` under its own name; resolves with the archive's path. */
export async function tarGzFolder(dir: string): Promise<string> {
  const archive = `${dir}.tar.gz`;
  // Created 0600 before tar writes into it, so the archive is never readable by others, not even
  // for a moment. `wx`: an existing file is never overwritten.
  const handle = await open(archive, "wx", PRIVATE_FILE_MODE);
  await handle.close();
  const result = await execa("tar", ["-czf", archive, "-C", dirname(dir), `./${basename(dir)}`], { reject: false, stdin: "ignore" });
  if (result.exitCode !== 0) {
    const why = result.code === "ENOENT" ? "`tar` is not installed" : `tar exited ${result.exitCode ?? result.signal}: ${String(result.stderr).trim()}`;
    throw new Error(`could not write ${archive}: ${why}`);
  }
  await chmod(archive, PRIVATE_FILE_MODE);
  return archive;
}
