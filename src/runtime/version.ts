// Version strings of Apple `container` and macOS, and the thresholds kina enforces.

/** 1.2.0 denies the sysctl writes kubelet/kube-proxy need; 1.2.1 added `--read-only-path NONE`. */
export const MIN_CONTAINER_VERSION = "1.2.1";

/** First macOS where containers on one network can reach each other (reference §1). */
export const MIN_MULTI_NODE_MACOS_MAJOR = 26;

/**
 * Parses `container --version` output, `container CLI version 1.2.2 (build: release, commit: 0190097)`,
 * into `1.2.2`. Returns undefined when the text does not have that shape.
 */
export function parseContainerVersion(output: string): string | undefined {
  const match = /container CLI version v?(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?)/.exec(output);
  return match?.[1];
}

/** Numeric major.minor.patch (missing parts count as 0); pre-release/build suffixes are ignored. */
function numericParts(version: string): [number, number, number] {
  const core = version.trim().replace(/^v/, "").split(/[-+]/)[0] ?? "";
  const parts = core.split(".").map((p) => Number.parseInt(p, 10));
  const at = (i: number): number => {
    const n = parts[i];
    return n === undefined || Number.isNaN(n) ? 0 : n;
  };
  return [at(0), at(1), at(2)];
}

/** Negative when a < b, 0 when equal, positive when a > b (major.minor.patch only). */
export function compareVersions(a: string, b: string): number {
  const pa = numericParts(a);
  const pb = numericParts(b);
  for (let i = 0; i < 3; i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

export function isVersionAtLeast(version: string, minimum: string): boolean {
  return compareVersions(version, minimum) >= 0;
}

/** Major version of `sw_vers -productVersion` output (`26.0`, `15.5`, `15.6.1`); undefined if unparseable. */
export function macosMajor(productVersion: string): number | undefined {
  const match = /^\s*(\d+)(?:\.\d+)*\s*$/.exec(productVersion);
  if (!match?.[1]) return undefined;
  return Number.parseInt(match[1], 10);
}
