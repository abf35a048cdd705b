// The Mac's memory as macOS reports it: `sysctl -n hw.memsize` (bytes) and `vm_stat` (pages).

/** Bytes from `sysctl -n hw.memsize`; undefined when the answer is not a number. */
export function parseMemsize(stdout: string): number | undefined {
  const text = stdout.trim();
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * Bytes macOS can give a new VM without swapping, from `vm_stat`: free + inactive + speculative
 * pages (inactive pages are reclaimed first). Undefined when the page size or rows are missing.
 */
export function parseVmStatAvailable(stdout: string): number | undefined {
  const pageSize = /page size of (\d+) bytes/.exec(stdout)?.[1];
  if (!pageSize) return undefined;
  const pages = (label: string): number | undefined => {
    const m = new RegExp(`^${label}:\\s+(\\d+)\\.`, "m").exec(stdout);
    return m?.[1] ? Number(m[1]) : undefined;
  };
  const free = pages("Pages free");
  if (free === undefined) return undefined;
  return (free + (pages("Pages inactive") ?? 0) + (pages("Pages speculative") ?? 0)) * Number(pageSize);
}
