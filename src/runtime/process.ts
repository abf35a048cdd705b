// Runs one host command (argument array, never a shell), reports it to the caller's command log,
// and turns spawn-level outcomes (missing binary, abort, timeout) into typed errors.
import { execa } from "execa";
import { AbortedError, CommandTimeoutError } from "./errors.js";

/** What kina writes to the step log for every command it runs. */
export interface CommandRecord {
  /** Binary followed by its arguments, exactly as passed to the OS. */
  argv: string[];
  /** Undefined when the process was killed by a signal or never started. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Size of the data sent on stdin; the data itself is never recorded (it can hold keys). */
  stdinBytes?: number;
  /** Set when stdout was withheld from the record because it holds secrets. */
  stdoutRedacted?: boolean;
  signal?: string;
  /** Spawn failure code such as ENOENT, or "timeout" / "aborted". */
  failure?: string;
  durationMs: number;
}

export type CommandListener = (record: CommandRecord) => void;

export type Stdin = string | Buffer | { file: string };

export interface ProcessOptions {
  env?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onCommand?: CommandListener;
  stdin?: Stdin;
  timeoutMs?: number;
  /** Keep stdout out of the command record (e.g. reading admin.conf). */
  redactStdout?: boolean;
  /**
   * Values in argv that are credentials (a bootstrap token): the child gets them, but the command
   * record and every argv kina reports (errors, logs) show `<redacted>` instead.
   */
  secrets?: readonly string[];
}

export interface ProcessResult {
  argv: string[];
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  signal?: string;
  /** ENOENT / EACCES etc. when the binary could not be started. */
  spawnErrorCode?: string;
}

function stdinSize(stdin: Stdin | undefined): number | undefined {
  if (stdin === undefined) return undefined;
  if (typeof stdin === "string") return Buffer.byteLength(stdin);
  if (Buffer.isBuffer(stdin)) return stdin.length;
  return undefined;
}

/**
 * Runs `binary args…` and resolves with its result whatever the exit code. Throws AbortedError when
 * the signal fires and CommandTimeoutError when `timeoutMs` passes (the child is killed in both cases).
 */
export async function runProcess(binary: string, args: readonly string[], options: ProcessOptions = {}): Promise<ProcessResult> {
  const secrets = (options.secrets ?? []).filter((v) => v.length > 0);
  const mask = (text: string) => secrets.reduce((t, v) => t.split(v).join("<redacted>"), text);
  const argv = [binary, ...args].map(mask);
  const { stdin } = options;
  const started = performance.now();
  const result = await execa(binary, [...args], {
    reject: false,
    // Exact bytes matter (readFile, JSON parsing trims explicitly).
    stripFinalNewline: false,
    env: options.env ?? {},
    extendEnv: true,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}),
    ...(stdin === undefined
      ? { stdin: "ignore" as const }
      : typeof stdin === "string" || Buffer.isBuffer(stdin)
        ? { input: stdin }
        : { inputFile: stdin.file }),
  });
  const durationMs = Math.round(performance.now() - started);
  const spawnErrorCode = result.exitCode === undefined && typeof result.code === "string" ? result.code : undefined;
  const failure = result.isCanceled ? "aborted" : result.timedOut ? "timeout" : spawnErrorCode;
  const stdout = typeof result.stdout === "string" ? result.stdout : "";
  const stderr = typeof result.stderr === "string" ? result.stderr : "";
  const bytes = stdinSize(stdin);

  options.onCommand?.({
    argv,
    exitCode: result.exitCode,
    stdout: options.redactStdout ? `<${Buffer.byteLength(stdout)} bytes not logged>` : mask(stdout),
    stderr: mask(stderr),
    ...(bytes !== undefined ? { stdinBytes: bytes } : {}),
    ...(options.redactStdout ? { stdoutRedacted: true } : {}),
    ...(result.signal ? { signal: result.signal } : {}),
    ...(failure ? { failure } : {}),
    durationMs,
  });

  if (result.isCanceled) throw new AbortedError(argv, options.signal?.reason);
  if (result.timedOut) throw new CommandTimeoutError(argv, options.timeoutMs ?? 0);
  return {
    argv,
    exitCode: result.exitCode,
    stdout,
    stderr,
    ...(result.signal ? { signal: result.signal } : {}),
    ...(spawnErrorCode ? { spawnErrorCode } : {}),
  };
}
