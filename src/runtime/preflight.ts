// Host checks before kina touches anything (DESIGN.md §4 "Preflight"). The host is judged only by
// what `sw_vers` and `container` answer, never by process.platform, so the same code runs against
// the test doubles on Linux.
import type { ContainerCli } from "./container.js";
import { ContainerCliMissingError, PreflightError, ServiceNotStartedError, UnexpectedOutputError } from "./errors.js";
import { runProcess, type CommandListener } from "./process.js";
import { isServiceRunning } from "./schemas.js";
import { isVersionAtLeast, macosMajor, MIN_CONTAINER_VERSION, MIN_MULTI_NODE_MACOS_MAJOR } from "./version.js";

export interface HostReport {
  /** `container` CLI version, e.g. `1.2.2`. */
  containerVersion: string;
  /** `sw_vers -productVersion`, e.g. `26.0`. */
  macosVersion: string;
  /** Containers can reach each other (macOS 26+), so clusters may have several nodes. */
  multiNodeCapable: boolean;
}

export interface CheckHostOptions {
  cli: ContainerCli;
  /** `sw_vers` binary; default `$KINA_SW_VERS`, else `sw_vers` on PATH. */
  swVers?: string;
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onCommand?: CommandListener;
}

const NOT_A_MAC_HINT = "kina runs on macOS (Apple silicon) with Apple's `container` CLI";

export async function macosVersion(options: Omit<CheckHostOptions, "cli"> = {}): Promise<string> {
  const binary = options.swVers ?? process.env["KINA_SW_VERS"] ?? "sw_vers";
  const result = await runProcess(binary, ["-productVersion"], {
    ...(options.env ? { env: options.env } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onCommand ? { onCommand: options.onCommand } : {}),
  });
  const version = result.stdout.trim();
  if (result.spawnErrorCode !== undefined || result.exitCode !== 0 || macosMajor(version) === undefined) {
    const why =
      result.spawnErrorCode === "ENOENT" ? `\`${binary}\` not found` : `\`${binary} -productVersion\` answered ${JSON.stringify(version || result.stderr.trim())}`;
    throw new PreflightError("not-macos", `not a Mac with Apple container (${why})`, NOT_A_MAC_HINT);
  }
  return version;
}

async function containerVersion(cli: ContainerCli): Promise<string> {
  let version: string;
  try {
    version = await cli.version();
  } catch (error) {
    if (error instanceof ContainerCliMissingError) {
      throw new PreflightError("container-missing", error.summary, error.hint, { cause: error });
    }
    if (error instanceof UnexpectedOutputError) {
      throw new PreflightError(
        "container-version-unknown",
        "could not read the version of `container`",
        `kina needs \`container\` >= ${MIN_CONTAINER_VERSION}; check \`${cli.binary} --version\``,
        { cause: error },
      );
    }
    throw error;
  }
  if (!isVersionAtLeast(version, MIN_CONTAINER_VERSION)) {
    throw new PreflightError(
      "container-too-old",
      `\`container\` ${version} is too old: 1.2.0 broke sysctl writes; kina needs >= ${MIN_CONTAINER_VERSION}`,
      `install a newer release from github.com/apple/container releases, then run \`container system start\``,
    );
  }
  return version;
}

async function assertServiceRunning(cli: ContainerCli): Promise<void> {
  const notRunning = (status: string, cause?: unknown): PreflightError =>
    new PreflightError(
      "service-not-running",
      `the \`container\` system service is ${status}`,
      "run `container system start`",
      cause !== undefined ? { cause } : undefined,
    );
  try {
    const status = await cli.systemStatus();
    if (!isServiceRunning(status)) throw notRunning(status.status);
  } catch (error) {
    if (error instanceof ServiceNotStartedError) throw notRunning("not running", error);
    throw error;
  }
}

/**
 * Refuses clusters with several nodes where containers cannot talk to each other (macOS < 26:
 * the NAT-attached NIC "prohibits container to container networking", reference §1).
 */
export function assertMultiNodeSupported(macosVersionText: string, nodeCount: number): void {
  if (nodeCount <= 1) return;
  const major = macosMajor(macosVersionText);
  if (major !== undefined && major >= MIN_MULTI_NODE_MACOS_MAJOR) return;
  throw new PreflightError(
    "multi-node-unsupported",
    `a ${nodeCount}-node cluster needs macOS ${MIN_MULTI_NODE_MACOS_MAJOR} or newer (this Mac runs ${macosVersionText}): on earlier macOS, Apple \`container\` VMs cannot reach each other and custom networks are unavailable`,
    "use a single-node cluster, or upgrade to macOS 26",
  );
}

/** sw_vers → `container --version` → `container system status`; throws PreflightError with the fix. */
export async function checkHost(options: CheckHostOptions): Promise<HostReport> {
  const macos = await macosVersion(options);
  const version = await containerVersion(options.cli);
  await assertServiceRunning(options.cli);
  const major = macosMajor(macos) ?? 0;
  return { containerVersion: version, macosVersion: macos, multiNodeCapable: major >= MIN_MULTI_NODE_MACOS_MAJOR };
}
