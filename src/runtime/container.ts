// Typed adapter over Apple's `container` CLI (reference/apple-container.md §3–§5, DESIGN.md §4).
// One method per command kina uses; argv arrays only; JSON parsed with the 1.x schemas; failures
// mapped to typed errors that carry the fix.
import { constants as osConstants } from "node:os";
import { z } from "zod";
import { mapCliFailure, USAGE_EXIT_CODE } from "./error-map.js";
import {
  CommandFailedError,
  ContainerCliMissingError,
  InvalidArgumentError,
  NotFoundError,
  NotRunningError,
  ServiceNotStartedError,
  UnexpectedOutputError,
  UnknownOptionError,
  type RuntimeError,
} from "./errors.js";
import { runProcess, type CommandListener, type ProcessResult, type Stdin } from "./process.js";
import { assertValidContainerName, assertValidEnvName, assertValidLabelKey, buildRunArgs, type NodeRunSpec } from "./run-args.js";
import {
  containerListSchema,
  imageListSchema,
  networkListSchema,
  systemPropertiesSchema,
  systemStatusSchema,
  systemVersionSchema,
  type Container,
  type Image,
  type Network,
  type SystemProperties,
  type SystemStatus,
  type SystemVersion,
} from "./schemas.js";
import { shellQuote } from "./shell.js";
import { parseContainerVersion } from "./version.js";

export { buildRunArgs, type NodeRunSpec, type PublishSpec } from "./run-args.js";

export interface ContainerCliOptions {
  /** Default: `$KINA_CONTAINER`, else `container` on PATH. */
  binary?: string;
  /** Added to the inherited environment of every command. */
  env?: Record<string, string | undefined>;
  /** Receives every command's argv, exit code, stdout and stderr (kina writes them to the step log). */
  onCommand?: CommandListener;
  /** Aborting kills the running child and rejects with AbortedError. */
  signal?: AbortSignal;
  /**
   * Called once for every `container` process this adapter starts, just before it starts (the
   * engine counts them per step: `containerCalls` in `kina status --json`).
   */
  onSpawn?: (args: readonly string[]) => void;
}

export interface ExecOptions {
  /** Sent on stdin; `-i` is passed only when this is given. `{ file }` streams a host file. */
  stdin?: Stdin;
  env?: Record<string, string>;
  timeoutMs?: number;
  user?: string;
  workdir?: string;
  /** Keep stdout out of the command log (the output holds keys or tokens). */
  redactStdout?: boolean;
  /** argv values that are credentials: passed to the command, shown as `<redacted>` in logs and errors. */
  secrets?: readonly string[];
}

export interface ExecResult {
  argv: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface BuildSpec {
  context: string;
  tag: string;
  buildArgs?: Record<string, string>;
  /** Dockerfile path; default: `Dockerfile`/`Containerfile` in the context. */
  file?: string;
  arch?: string;
  noCache?: boolean;
}

interface CallOptions {
  stdin?: Stdin;
  timeoutMs?: number;
  redactStdout?: boolean;
  secrets?: readonly string[];
}

// Network names: NetworkResource validation (reference §3.5).
const NETWORK_NAME = /^[a-z0-9](?:[a-z0-9._-]{0,61}[a-z0-9])?$/;

function assertNotOption(what: string, value: string): void {
  if (!value || value.startsWith("-")) {
    throw new InvalidArgumentError(`invalid ${what} ${JSON.stringify(value)}`, `give a ${what} that does not start with '-'`);
  }
}

function assertValidNetworkName(name: string): void {
  if (!NETWORK_NAME.test(name)) {
    throw new InvalidArgumentError(
      `${JSON.stringify(name)} is not a valid network name`,
      "use lowercase letters, digits, '.', '_', '-' (at most 63), starting and ending with a letter or digit",
    );
  }
}

function signalNumber(name: string): number | undefined {
  return (osConstants.signals as Record<string, number | undefined>)[name];
}

function octalMode(mode: number): string {
  if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) {
    throw new InvalidArgumentError(`invalid file mode ${mode}`, "use a permission value such as 0o600");
  }
  return mode.toString(8).padStart(4, "0");
}

export class ContainerCli {
  readonly binary: string;
  private readonly options: ContainerCliOptions;
  // Shared between clones made by withOptions, so the version is asked once per process.
  private readonly cache: { version?: string };

  constructor(options: ContainerCliOptions = {}, cache: { version?: string } = {}) {
    this.options = options;
    this.binary = options.binary ?? process.env["KINA_CONTAINER"] ?? "container";
    this.cache = cache;
  }

  /** A copy with some options replaced (e.g. a step's own log listener and abort signal). */
  withOptions(overrides: Partial<ContainerCliOptions>): ContainerCli {
    return new ContainerCli({ ...this.options, binary: this.binary, ...overrides }, this.cache);
  }

  /** `container --version` → `1.2.2`. */
  async version(): Promise<string> {
    if (this.cache.version !== undefined) return this.cache.version;
    const result = await this.call(["--version"]);
    if (result.exitCode !== 0) throw this.mapFailure(result, this.cache.version);
    const version = parseContainerVersion(result.stdout);
    if (version === undefined) {
      throw new UnexpectedOutputError(result.argv, `expected "container CLI version X.Y.Z", got ${JSON.stringify(result.stdout.trim())}`);
    }
    this.cache.version = version;
    return version;
  }

  /**
   * `container system status --format json`. Resolves (does not throw) when the service is not
   * running: the CLI then exits 1 but still prints the status document.
   */
  async systemStatus(): Promise<SystemStatus> {
    const result = await this.call(["system", "status", "--format", "json"]);
    const text = result.stdout.trim();
    if (text.startsWith("{")) return this.parse(systemStatusSchema, result);
    // Table-style answer (older releases, or JSON not honoured when unregistered).
    if (/apiserver is not running/.test(text)) {
      return { status: /not registered/.test(text) ? "unregistered" : "not running" };
    }
    if (result.exitCode !== 0) throw await this.failure(result);
    return this.parse(systemStatusSchema, result);
  }

  /** `container system version --format json`: the CLI's and (when it answers) the apiserver's version. */
  async systemVersion(): Promise<SystemVersion> {
    return this.parse(systemVersionSchema, await this.callChecked(["system", "version", "--format", "json"]));
  }

  /** `container system property list --format json` (1.x config.toml values, defaults included). */
  async systemProperties(): Promise<SystemProperties> {
    return this.parse(systemPropertiesSchema, await this.callChecked(["system", "property", "list", "--format", "json"]));
  }

  /** `container run -d …`; resolves with the container ID the CLI printed. */
  async run(spec: NodeRunSpec): Promise<string> {
    const result = await this.callChecked(buildRunArgs(spec));
    return result.stdout.trim() || spec.name;
  }

  async start(name: string): Promise<void> {
    assertValidContainerName(name);
    await this.callChecked(["start", name]);
  }

  /** Idempotent on a stopped container. systemd nodes want a long `timeSeconds` (default 5 s). */
  async stop(name: string, options: { timeSeconds?: number } = {}): Promise<void> {
    assertValidContainerName(name);
    const time = options.timeSeconds !== undefined ? ["--time", String(Math.max(0, Math.round(options.timeSeconds)))] : [];
    await this.callChecked(["stop", ...time, name]);
  }

  async delete(name: string, options: { force?: boolean } = {}): Promise<void> {
    assertValidContainerName(name);
    await this.callChecked(["delete", ...(options.force ? ["--force"] : []), name]);
  }

  /** Running containers, or all with `{ all: true }`. Order is not meaningful. */
  async list(options: { all?: boolean } = {}): Promise<Container[]> {
    const result = await this.callChecked(["list", ...(options.all ? ["--all"] : []), "--format", "json"]);
    if (result.stdout.trim() === "") return [];
    return this.parse(containerListSchema, result);
  }

  /** The container, or NotFoundError. */
  async inspect(name: string): Promise<Container> {
    assertValidContainerName(name);
    const result = await this.callChecked(["inspect", name]);
    const [container] = this.parse(containerListSchema, result);
    // 0.x printed `[]` for a missing ID instead of failing.
    if (!container) throw new NotFoundError("container", name);
    return container;
  }

  async tryInspect(name: string): Promise<Container | undefined> {
    return this.orUndefinedWhenMissing(() => this.inspect(name));
  }

  /**
   * Runs `argv` in the node. Resolves with the workload's exit code, zero or not; rejects only for
   * failures of `container` itself (not running, not found, service down, CLI missing).
   */
  async exec(name: string, argv: readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    assertValidContainerName(name);
    if (argv.length === 0) throw new InvalidArgumentError("exec needs a command", "pass the command as an argv array");
    const flags: string[] = [];
    if (options.stdin !== undefined) flags.push("-i");
    for (const [key, value] of Object.entries(options.env ?? {})) {
      assertValidEnvName(key);
      flags.push("-e", `${key}=${value}`);
    }
    if (options.user !== undefined) flags.push("-u", options.user);
    if (options.workdir !== undefined) flags.push("-w", options.workdir);
    const result = await this.call(["exec", ...flags, name, ...argv], {
      ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.redactStdout ? { redactStdout: true } : {}),
      ...(options.secrets ? { secrets: options.secrets } : {}),
    });
    if (result.exitCode === undefined) throw await this.failure(result);
    if (result.exitCode !== 0) {
      const cliError = await this.execLevelError(name, result);
      if (cliError) throw cliError;
    }
    return { argv: result.argv, exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
  }

  /**
   * `container exec -i [-t] NAME argv…` with kina's own stdin, stdout and stderr (`kina exec`):
   * the user talks to the process directly. `-t` only when `tty` (stdin is a terminal); with it
   * the CLI merges the process's stderr into stdout (reference §3.1). Resolves with the exit code
   * `container` ended with: the workload's own, or 1 for its own errors, which it printed itself.
   */
  async execAttached(name: string, argv: readonly string[], options: { tty: boolean }): Promise<number> {
    assertValidContainerName(name);
    if (argv.length === 0) throw new InvalidArgumentError("exec needs a command", "pass the command as an argv array");
    const { execa } = await import("execa");
    const args = ["exec", "-i", ...(options.tty ? ["-t"] : []), name, ...argv];
    this.options.onSpawn?.(args);
    const result = await execa(this.binary, args, {
      stdio: "inherit",
      reject: false,
      ...(this.options.env ? { env: this.options.env, extendEnv: true } : {}),
    });
    if (result.exitCode === undefined && result.code === "ENOENT") throw new ContainerCliMissingError(this.binary);
    // A signal death maps to 128+signal, as the shell (and `container` for its workload) reports it.
    if (result.exitCode === undefined) return 128 + (result.signal ? (signalNumber(result.signal) ?? 1) : 1);
    return result.exitCode;
  }

  /**
   * Writes `content` to `path` in the node and applies `mode`, in one exec (one round trip):
   * `exec -i NODE sh -c 'cat > PATH && chmod MODE PATH'`.
   */
  async writeFile(name: string, path: string, content: string | Buffer, mode?: number): Promise<void> {
    const target = shellQuote(path);
    const modeText = mode !== undefined ? octalMode(mode) : undefined;
    const script = modeText !== undefined ? `cat > ${target} && chmod ${modeText} ${target}` : `cat > ${target}`;
    const written = await this.exec(name, ["sh", "-c", script], { stdin: content });
    if (written.exitCode !== 0) throw this.workloadFailure(written, `could not write ${path}${modeText ? ` (mode ${modeText})` : ""} in ${name}`);
  }

  /** The file's text; NotFoundError when the path does not exist in the node. */
  async readFile(name: string, path: string, options: { redact?: boolean } = {}): Promise<string> {
    assertNotOption("path", path);
    const result = await this.exec(name, ["cat", path], options.redact ? { redactStdout: true } : {});
    if (result.exitCode !== 0) {
      if (/No such file or directory/.test(result.stderr)) throw new NotFoundError("file", `${name}:${path}`);
      throw this.workloadFailure(result, `could not read ${path} in ${name}`);
    }
    return result.stdout;
  }

  /** The init process's stdout+stderr log, or the VM boot log with `boot`. Works on stopped containers. */
  async logs(name: string, options: { boot?: boolean; lines?: number } = {}): Promise<string> {
    assertValidContainerName(name);
    const args = ["logs"];
    if (options.boot) args.push("--boot");
    if (options.lines !== undefined) args.push("-n", String(Math.max(0, Math.floor(options.lines))));
    const result = await this.callChecked([...args, name]);
    return result.stdout;
  }

  async imageInspect(ref: string): Promise<Image> {
    assertNotOption("image reference", ref);
    const result = await this.callChecked(["image", "inspect", ref]);
    const [image] = this.parse(imageListSchema, result);
    if (!image) throw new NotFoundError("image", ref);
    return image;
  }

  async tryImageInspect(ref: string): Promise<Image | undefined> {
    return this.orUndefinedWhenMissing(() => this.imageInspect(ref));
  }

  async imageList(): Promise<Image[]> {
    const result = await this.callChecked(["image", "list", "--format", "json"]);
    if (result.stdout.trim() === "") return [];
    return this.parse(imageListSchema, result);
  }

  async imagePull(ref: string, options: { platform?: string } = {}): Promise<void> {
    assertNotOption("image reference", ref);
    const platform = options.platform !== undefined ? ["--platform", options.platform] : [];
    await this.callChecked(["image", "pull", "--progress", "none", ...platform, ref]);
  }

  /** Writes an OCI tar of `refs` to the host file `output` (feed it to `exec -i … ctr images import -`). */
  async imageSave(refs: readonly string[], options: { output: string; platform?: string }): Promise<void> {
    if (refs.length === 0) throw new InvalidArgumentError("image save needs at least one image", "name the images to save");
    refs.forEach((ref) => assertNotOption("image reference", ref));
    const platform = options.platform !== undefined ? ["--platform", options.platform] : [];
    await this.callChecked(["image", "save", ...platform, "-o", options.output, ...refs]);
  }

  /** Loads an OCI tar; resolves with the references it loaded. */
  async imageLoad(file: string): Promise<string[]> {
    const result = await this.callChecked(["image", "load", "-i", file]);
    return result.stdout
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== "");
  }

  async build(spec: BuildSpec): Promise<void> {
    assertNotOption("image tag", spec.tag);
    const args = ["build", "-t", spec.tag];
    if (spec.file !== undefined) args.push("-f", spec.file);
    for (const [key, value] of Object.entries(spec.buildArgs ?? {})) args.push("--build-arg", `${key}=${value}`);
    if (spec.arch !== undefined) args.push("-a", spec.arch);
    if (spec.noCache) args.push("--no-cache");
    // `build` takes auto|plain|tty (not `none`); plain keeps the step log readable.
    args.push("--progress", "plain", spec.context);
    await this.callChecked(args);
  }

  /** macOS 26 only (on 15 the whole `network` group is missing → UnknownOptionError). */
  async networkCreate(name: string, labels: Record<string, string> = {}, options: { subnet?: string } = {}): Promise<void> {
    assertValidNetworkName(name);
    const args = ["network", "create"];
    for (const [key, value] of Object.entries(labels)) {
      assertValidLabelKey(key);
      args.push("--label", `${key}=${value}`);
    }
    if (options.subnet !== undefined) args.push("--subnet", options.subnet);
    await this.callChecked([...args, name]);
  }

  async networkList(): Promise<Network[]> {
    const result = await this.callChecked(["network", "list", "--format", "json"]);
    if (result.stdout.trim() === "") return [];
    return this.parse(networkListSchema, result);
  }

  async networkInspect(name: string): Promise<Network> {
    assertValidNetworkName(name);
    const result = await this.callChecked(["network", "inspect", name]);
    const [network] = this.parse(networkListSchema, result);
    if (!network) throw new NotFoundError("network", name);
    return network;
  }

  async tryNetworkInspect(name: string): Promise<Network | undefined> {
    return this.orUndefinedWhenMissing(() => this.networkInspect(name));
  }

  async networkDelete(name: string): Promise<void> {
    assertValidNetworkName(name);
    await this.callChecked(["network", "delete", name]);
  }

  // --- plumbing -------------------------------------------------------------------------------

  private async call(args: readonly string[], options: CallOptions = {}): Promise<ProcessResult> {
    this.options.onSpawn?.(args);
    const result = await runProcess(this.binary, args, {
      ...(this.options.env ? { env: this.options.env } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
      ...(this.options.onCommand ? { onCommand: this.options.onCommand } : {}),
      ...options,
    });
    if (result.spawnErrorCode === "ENOENT") throw new ContainerCliMissingError(this.binary);
    return result;
  }

  private async callChecked(args: readonly string[], options: CallOptions = {}): Promise<ProcessResult> {
    const result = await this.call(args, options);
    if (result.exitCode !== 0) throw await this.failure(result);
    return result;
  }

  /** The typed error for a failed command; on exit 64 it looks the version up for the message. */
  private async failure(result: ProcessResult): Promise<RuntimeError> {
    let version = this.cache.version;
    if (result.exitCode === USAGE_EXIT_CODE && version === undefined) {
      version = await this.version().catch(() => undefined);
    }
    return this.mapFailure(result, version);
  }

  private mapFailure(result: ProcessResult, version: string | undefined): RuntimeError {
    if (result.exitCode === undefined && result.signal === undefined) {
      // Could not start the binary for another reason than "missing" (EACCES, …).
      return new CommandFailedError({
        argv: result.argv,
        exitCode: undefined,
        stderr: result.spawnErrorCode ?? result.stderr,
        hint: `check that ${this.binary} is an executable \`container\` binary (KINA_CONTAINER)`,
      });
    }
    return mapCliFailure({
      argv: result.argv,
      exitCode: result.exitCode,
      stderr: result.stderr,
      ...(result.signal !== undefined ? { signal: result.signal } : {}),
      ...(version !== undefined ? { version } : {}),
    });
  }

  /**
   * A non-zero `exec` is the workload's business unless `container` itself printed one of its own
   * errors about this container (it prints them as the first stderr line, `Error: …`).
   */
  private async execLevelError(name: string, result: ProcessResult): Promise<RuntimeError | undefined> {
    if (!result.stderr.trimStart().startsWith("Error: ")) return undefined;
    let error = this.mapFailure(result, this.cache.version);
    if (error instanceof UnknownOptionError && error.rejectedKind !== "usage" && error.foundVersion === undefined) {
      error = await this.failure(result);
    }
    if (error instanceof ServiceNotStartedError) return error;
    if (error instanceof NotRunningError && error.containerName === name) return error;
    if (error instanceof NotFoundError && error.kind === "container" && error.resourceName === name) return error;
    if (error instanceof UnknownOptionError && error.rejectedKind !== "usage") return error;
    return undefined;
  }

  private workloadFailure(result: ExecResult, what: string): CommandFailedError {
    return new CommandFailedError({
      argv: result.argv,
      exitCode: result.exitCode,
      stderr: result.stderr,
      hint: what,
    });
  }

  private parse<T>(schema: z.ZodType<T>, result: ProcessResult): T {
    let json: unknown;
    try {
      json = JSON.parse(result.stdout);
    } catch (error) {
      throw new UnexpectedOutputError(result.argv, "not JSON", { cause: error });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new UnexpectedOutputError(result.argv, shapeProblems(parsed.error), { cause: parsed.error });
    return parsed.data;
  }

  private async orUndefinedWhenMissing<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }
}

/**
 * JSON of the wrong shape, on one line for the step line and the ERROR (the output itself is in the
 * step log): `[0].id: expected string, received undefined; [0].status: …`.
 */
function shapeProblems(error: z.ZodError): string {
  const shown = error.issues.slice(0, 3).map((issue) => {
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
    return `${path || "(top level)"}: ${issue.message.replace(/^Invalid input: /, "")}`;
  });
  const more = error.issues.length > 3 ? `; and ${error.issues.length - 3} more` : "";
  return `not the JSON kina expects: ${shown.join("; ")}${more}`;
}
