// The one size grammar for node memory: a number with a unit (`512m`, `4g`, `1.5g`; k, m, g, t,
// optionally followed by `b` or `ib`, any case). A bare number is refused: Apple `container run -m`
// reads it as bytes ("minimum memory amount allowed is 200 MiB (got 4096 bytes)", reference §13),
// which is never what a config meant. kina passes whole MiB to `container` (`1536m` for `1.5g`),
// the granularity `container` works in.

const UNIT_MIB: Record<string, number> = { k: 1 / 1024, m: 1, g: 1024, t: 1024 * 1024 };

/** The smallest VM `container` accepts. */
export const MIN_MEMORY_MIB = 200;

export const SIZE_FORMS = '"512m", "4g" or "1.5g" (k, m, g, t; a bare number is not a size)';

/** Size text → whole MiB; undefined when it is not a size in the grammar. */
export function parseSizeMiB(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt])(?:i?b)?$/i.exec(text.trim());
  if (!m) return undefined;
  const mib = Number(m[1]) * UNIT_MIB[m[2]!.toLowerCase()]!;
  return Number.isFinite(mib) ? Math.floor(mib) : undefined;
}

/** What `container run -m` gets: whole MiB with the unit. */
export function memoryArg(mib: number): string {
  return `${mib}m`;
}
