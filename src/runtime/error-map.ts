// Maps a failed `container` invocation (exit code + stderr) to a typed error, using the exact
// texts of reference/apple-container.md §5. Unrecognised failures become CommandFailedError.
import {
  AlreadyExistsError,
  CommandFailedError,
  NotFoundError,
  NotRunningError,
  ServiceNotStartedError,
  UnknownOptionError,
  type RejectedWord,
  type ResourceKind,
  type RuntimeError,
} from "./errors.js";

export interface CliFailure {
  /** Full argv including the binary, as run. */
  argv: readonly string[];
  exitCode: number | undefined;
  stderr: string;
  signal?: string;
  /** `container` version when already known, for the exit-64 message. */
  version?: string;
}

/** Exit code of swift-argument-parser validation/parse failures (`EX_USAGE`). */
export const USAGE_EXIT_CODE = 64;

type Matcher = { pattern: RegExp; build: (m: RegExpExecArray, f: CliFailure) => RuntimeError };

const lastArg = (f: CliFailure): string => f.argv[f.argv.length - 1] ?? "";

/** The resource group a command works on, from its first word after the binary. */
function kindOfCommand(f: CliFailure): ResourceKind {
  const group = f.argv[1];
  if (group === "network" || group === "n") return "network";
  if (group === "image" || group === "i") return "image";
  return "container";
}

// Order matters: specific texts first, generic "already exists" last.
const MATCHERS: Matcher[] = [
  { pattern: /container not found: ([^\n]+)/, build: (m) => new NotFoundError("container", m[1]!.trim()) },
  { pattern: /get failed: container (\S+) not found/, build: (m) => new NotFoundError("container", m[1]!) },
  { pattern: /container with ID (\S+?)"* not found/, build: (m) => new NotFoundError("container", m[1]!) },
  { pattern: /image not found: ([^\n]+)/, build: (m) => new NotFoundError("image", m[1]!.trim()) },
  { pattern: /image with reference (\S+)/, build: (m) => new NotFoundError("image", m[1]!) },
  { pattern: /network not found: ([^\n]+)/, build: (m) => new NotFoundError("network", m[1]!.trim()) },
  { pattern: /network (\S+) not found/, build: (m) => new NotFoundError("network", m[1]!) },
  { pattern: /container with id (\S+) already exists/, build: (m) => new AlreadyExistsError("container", m[1]!) },
  { pattern: /container already exists: (\S+)/, build: (m) => new AlreadyExistsError("container", m[1]!) },
  { pattern: /hostname\(s\) already exist: ([^\n]+)/, build: (m) => new AlreadyExistsError("hostname", m[1]!.trim()) },
  { pattern: /already exists/, build: (_m, f) => new AlreadyExistsError(kindOfCommand(f), lastArg(f)) },
  { pattern: /container (\S+) is not running/, build: (m) => new NotRunningError(m[1]!) },
  { pattern: /no runtime client exists: container is stopped/, build: (_m, f) => new NotRunningError(lastArg(f)) },
];

/** Fixes for failures that have no dedicated error class but a known remedy. */
const HINTS: Array<{ pattern: RegExp; hint: string }> = [
  {
    pattern: /default kernel not configured/,
    hint: "install the default kernel: `container system kernel set --recommended`",
  },
  {
    pattern: /requires macOS 26 or newer/,
    hint: "custom networks (needed for multi-node clusters) require macOS 26",
  },
  { pattern: /minimum memory amount allowed is 200 MiB/, hint: "give the node more memory (kina suggests at least 2g)" },
  {
    pattern: /is running and can not be deleted/,
    hint: "stop it first or delete it with `--force`",
  },
  { pattern: /Permission denied while binding to host port/, hint: "use a host port of 1024 or above" },
  {
    pattern: /HTTP request to \S+ failed with response/,
    hint: "check the image reference, your network, and `container registry login` for private registries",
  },
];

function rejectedWord(stderr: string): RejectedWord {
  const option = /Unknown option '([^']+)'/.exec(stderr);
  if (option?.[1]) return { word: `'${option[1]}'`, kind: "option" };
  const plugin = /Plugin 'container-([^']+)' not found/.exec(stderr);
  if (plugin?.[1]) return { word: plugin[1], kind: "subcommand" };
  const firstLine = stderr.trim().split("\n")[0]?.replace(/^Error:\s*/, "") ?? "";
  return { word: firstLine ? `the command line (${firstLine})` : "the command line", kind: "usage" };
}

/**
 * The typed error for a failed command. Returns a CommandFailedError when nothing specific matched;
 * callers that must tell CLI failures from workload failures (exec) check `instanceof CommandFailedError`.
 */
export function mapCliFailure(failure: CliFailure): RuntimeError {
  const { stderr } = failure;
  if (stderr.includes("XPC connection error")) return new ServiceNotStartedError();
  if (failure.exitCode === USAGE_EXIT_CODE || /Plugin 'container-[^']+' not found/.test(stderr)) {
    return new UnknownOptionError(rejectedWord(stderr), failure.version);
  }
  for (const matcher of MATCHERS) {
    const match = matcher.pattern.exec(stderr);
    if (match) return matcher.build(match, failure);
  }
  const hint = HINTS.find((h) => h.pattern.test(stderr))?.hint;
  return new CommandFailedError({
    argv: failure.argv,
    exitCode: failure.exitCode,
    stderr,
    ...(failure.signal !== undefined ? { signal: failure.signal } : {}),
    ...(hint !== undefined ? { hint } : {}),
  });
}
