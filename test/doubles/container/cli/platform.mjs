// Facts about the pretend host: macOS version (gates macOS 26-only features), CLI version.

export const RELEASE_COMMIT = "0190097d06df0b9065f4c2d2c7873c649d81d493";
export const HOST_ARCH = "arm64";

export function cliVersion(env = process.env) {
  return env.KINA_FAKE_CONTAINER_VERSION || "1.2.2";
}

/** Whether the pretend CLI is release `target` or newer (x.y.z, numeric). */
export function versionAtLeast(env, target) {
  const parse = (v) => String(v).split(/[.-]/).slice(0, 3).map((n) => Number.parseInt(n, 10) || 0);
  const a = parse(cliVersion(env));
  const b = parse(target);
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/**
 * 1.4.1 changed two output facts kina reads (reference §13, apple/container #1769, #2205):
 * `system status --format json` is nested, and JSON no longer escapes `/`.
 */
export function nestedSystemStatus(env = process.env) {
  return versionAtLeast(env, "1.4.0");
}

export function versionLine(env = process.env) {
  return `container CLI version ${cliVersion(env)} (build: release, commit: ${RELEASE_COMMIT.slice(0, 7)})`;
}

export function macosMajor(env = process.env) {
  const major = Number.parseInt(String(env.KINA_FAKE_MACOS_VERSION || "26.0").split(".")[0], 10);
  return Number.isFinite(major) ? major : 26;
}

/** macOS 26 (Tahoe) has the vmnet reservation API: `network` commands, custom networks, IPv6. */
export function isTahoe(env = process.env) {
  return macosMajor(env) >= 26;
}
