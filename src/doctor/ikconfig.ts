// A kernel's build configuration, read without booting it: from a node's /proc/config.gz, or from
// the copy CONFIG_IKCONFIG embeds in the kernel image itself (gzip data between the `IKCFG_ST` and
// `IKCFG_ED` markers, what the kernel's scripts/extract-ikconfig reads). Apple's default Kata
// kernels set IKCONFIG (reference §7.1) and ship as an uncompressed vmlinux, so the markers are
// found directly in the file.

import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";

export interface KernelConfig {
  has(option: string): boolean;
  /** "6.18.15" from the header, when present. */
  release?: string;
}

export function parseKernelConfig(text: string): KernelConfig {
  const options = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m) options.set(m[1]!, m[2]!);
  }
  const release = /Linux\/\S+ (\d+\.\d+\.\d+)/.exec(text)?.[1];
  return {
    has: (option) => {
      const value = options.get(option.startsWith("CONFIG_") ? option : `CONFIG_${option}`);
      return value === "y" || value === "m";
    },
    ...(release ? { release } : {}),
  };
}

const START = Buffer.from("IKCFG_ST");
const END = Buffer.from("IKCFG_ED");

/** The embedded configuration of a kernel image; undefined when it has none (IKCONFIG off, compressed image). */
export async function embeddedKernelConfig(path: string): Promise<string | undefined> {
  const image = await readFile(path);
  const start = image.indexOf(START);
  if (start < 0) return undefined;
  const end = image.indexOf(END, start + START.length);
  if (end < 0) return undefined;
  try {
    return gunzipSync(image.subarray(start + START.length, end)).toString("utf8");
  } catch {
    return undefined;
  }
}
