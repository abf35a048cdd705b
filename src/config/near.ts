// "did you mean …?" for names a user mistypes (config fields, steps, addons, shells). Light: the
// CLI shell imports it on every command.

/** Edits from a to b, a swap of two neighbours counting as one (`zhs` → `zsh`). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
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
