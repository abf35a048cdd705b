import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { writeFileDurable } from "../../../state/durable.js";

/** Permissions of the folders kina creates for kubeconfig files: they hold credentials. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Replaces `path` with `text` atomically and durably (see state/durable.ts). */
export async function writeFileAtomic(path: string, text: string, mode: number): Promise<void> {
  await writeFileDurable(path, text, mode);
}

/** Writes a file only its owner can read (0600), atomically, creating its folder (0700) if needed. */
export async function writePrivateFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  await writeFileAtomic(path, text, PRIVATE_FILE_MODE);
}
