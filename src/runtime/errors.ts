// Typed errors of the `container` runtime adapter. Every error says what went wrong and how to fix
// it: `message` is the full sentence shown to users (summary + fix), `summary` and `hint` hold the
// two halves for UIs that render the fix separately.
import { MIN_CONTAINER_VERSION } from "./version.js";

export const CONTAINER_RELEASES_URL = "github.com/apple/container releases";

export class RuntimeError extends Error {
  readonly summary: string;
  readonly hint: string;

  constructor(summary: string, hint: string, options?: { cause?: unknown }) {
    super(hint ? `${summary}: ${hint}` : summary, options);
    this.name = new.target.name;
    this.summary = summary;
    this.hint = hint;
  }
}

/** The `container` apiserver (launch agent) is not started: every CLI call fails with an XPC error. */
export class ServiceNotStartedError extends RuntimeError {
  constructor(options?: { cause?: unknown }) {
    super("Apple `container` system service is not running", "run `container system start`", options);
  }
}

export type RejectedWord = { word: string; kind: "option" | "subcommand" | "usage" };

/** Exit 64: the CLI's argument parser refused what kina sent, so its grammar is not what kina expects. */
export class UnknownOptionError extends RuntimeError {
  readonly rejected: string;
  readonly rejectedKind: RejectedWord["kind"];
  readonly foundVersion: string | undefined;

  constructor(rejected: RejectedWord, foundVersion: string | undefined) {
    const found = foundVersion ?? "an unknown version";
    const summary = `\`container\` is too old or too new for kina: it rejected ${rejected.word}; kina needs >= ${MIN_CONTAINER_VERSION}, found ${found}`;
    // `container network …` is not registered at all on macOS 15, which looks like an unknown plugin.
    const hint =
      rejected.kind === "subcommand" && rejected.word === "network"
        ? "`container network` commands exist only on macOS 26 or newer"
        : `install \`container\` >= ${MIN_CONTAINER_VERSION} from ${CONTAINER_RELEASES_URL}`;
    super(summary, hint);
    this.rejected = rejected.word;
    this.rejectedKind = rejected.kind;
    this.foundVersion = foundVersion;
  }
}

export type ResourceKind = "container" | "image" | "network" | "file" | "hostname";

const NOT_FOUND_HINTS: Record<ResourceKind, (name: string) => string> = {
  container: () => "it was deleted or never created; `container list --all` shows what exists",
  image: (name) => `pull or build it first (\`container image pull ${name}\`)`,
  network: () => "`container network list` shows what exists",
  file: () => "the path does not exist inside the node",
  hostname: () => "`container list --all` shows what exists",
};

export class NotFoundError extends RuntimeError {
  readonly kind: ResourceKind;
  readonly resourceName: string;

  constructor(kind: ResourceKind, name: string, options?: { cause?: unknown }) {
    super(`${kind} ${name} not found`, NOT_FOUND_HINTS[kind](name), options);
    this.kind = kind;
    this.resourceName = name;
  }
}

export class AlreadyExistsError extends RuntimeError {
  readonly kind: ResourceKind;
  readonly resourceName: string;

  constructor(kind: ResourceKind, name: string, options?: { cause?: unknown }) {
    const hint =
      kind === "network"
        ? `use another name or remove it with \`container network delete ${name}\``
        : kind === "container"
          ? `use another name or remove it with \`container delete --force ${name}\``
          : "use another name";
    super(`${kind} ${name} already exists`, hint, options);
    this.kind = kind;
    this.resourceName = name;
  }
}

export class NotRunningError extends RuntimeError {
  readonly containerName: string;

  constructor(name: string, options?: { cause?: unknown }) {
    super(`container ${name} is not running`, `start it with \`container start ${name}\``, options);
    this.containerName = name;
  }
}

export class ContainerCliMissingError extends RuntimeError {
  readonly binary: string;

  constructor(binary: string, options?: { cause?: unknown }) {
    super(
      `kina needs Apple's \`container\` CLI on macOS (\`${binary}\` was not found)`,
      `install from ${CONTAINER_RELEASES_URL}, or set KINA_CONTAINER`,
      options,
    );
    this.binary = binary;
  }
}

const STDERR_TAIL_LINES = 20;
const STDERR_TAIL_CHARS = 2000;

export function tail(text: string): string {
  const lines = text.trimEnd().split("\n");
  const last = lines.slice(-STDERR_TAIL_LINES).join("\n");
  return last.length > STDERR_TAIL_CHARS ? `…${last.slice(-STDERR_TAIL_CHARS)}` : last;
}

/** Any other failure of a `container` command: argv, exit code and the end of stderr. */
export class CommandFailedError extends RuntimeError {
  readonly argv: readonly string[];
  readonly exitCode: number | undefined;
  readonly stderrTail: string;

  constructor(
    args: { argv: readonly string[]; exitCode: number | undefined; stderr: string; signal?: string; hint?: string },
    options?: { cause?: unknown },
  ) {
    const how =
      args.exitCode !== undefined
        ? `failed with exit code ${args.exitCode}`
        : args.signal !== undefined
          ? `was killed by ${args.signal}`
          : "could not be started";
    const stderrTail = tail(args.stderr);
    const summary = `\`${args.argv.join(" ")}\` ${how}${stderrTail ? `:\n${stderrTail}` : ""}`;
    super(summary, args.hint ?? "the step log has the full output", options);
    this.argv = args.argv;
    this.exitCode = args.exitCode;
    this.stderrTail = stderrTail;
  }
}

export class CommandTimeoutError extends RuntimeError {
  readonly argv: readonly string[];
  readonly timeoutMs: number;

  constructor(argv: readonly string[], timeoutMs: number) {
    super(`\`${argv.join(" ")}\` did not finish within ${timeoutMs} ms and was killed`, "the step log has its output so far");
    this.argv = argv;
    this.timeoutMs = timeoutMs;
  }
}

/** The caller's AbortSignal fired; the child process was killed. `cause` is the signal's reason. */
export class AbortedError extends RuntimeError {
  readonly argv: readonly string[];

  constructor(argv: readonly string[], reason: unknown) {
    super(`\`${argv.join(" ")}\` was cancelled`, "", { cause: reason });
    this.argv = argv;
  }
}

/** kina passed something the adapter refuses to put on a command line (bad name, unsafe path). */
export class InvalidArgumentError extends RuntimeError {
  constructor(summary: string, hint: string) {
    super(summary, hint);
  }
}

export type PreflightReason =
  | "container-missing"
  | "container-too-old"
  | "container-version-unknown"
  | "service-not-running"
  | "not-macos"
  | "multi-node-unsupported";

export class PreflightError extends RuntimeError {
  readonly reason: PreflightReason;

  constructor(reason: PreflightReason, summary: string, hint: string, options?: { cause?: unknown }) {
    super(summary, hint, options);
    this.reason = reason;
  }
}

/** A command succeeded but printed something kina cannot read (a `container` release with a new format). */
export class UnexpectedOutputError extends RuntimeError {
  readonly argv: readonly string[];

  constructor(argv: readonly string[], detail: string, options?: { cause?: unknown }) {
    super(
      `\`${argv.join(" ")}\` printed output kina cannot read (${detail})`,
      `kina supports \`container\` ${MIN_CONTAINER_VERSION} and newer 1.x releases; check \`container --version\``,
      options,
    );
    this.argv = argv;
  }
}
