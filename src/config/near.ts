// "did you mean …?" for names a user mistypes (config fields, steps, addons, shells). Light: the
// CLI shell imports it on every command.

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length]!;
}

/** The allowed name closest to `given`, when it is close enough to be a typo (`cpu` → `cpus`). */
export function nearestName(given: string, allowed: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of allowed) {
    const d = editDistance(given.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  // About one edit in three characters: `cpu` → `cpus`, `memroy` → `memory`, but `x` is nothing.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(given.length / 3)) ? best : undefined;
}

/** `; did you mean "cpus"?` when a near name exists, else "". */
export function didYouMean(given: string, allowed: readonly string[]): string {
  const near = nearestName(given, allowed);
  return near ? `; did you mean "${near}"?` : "";
}
