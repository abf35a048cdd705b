// What every command gets from the CLI shell (src/cli/app.ts): streams, environment, the lazily
// loaded driver, the abort signal of Ctrl-C / SIGTERM; and the exit codes. Its own module so
// commands never import app.ts (which imports them).

import type { ClusterDriver } from "../steps/step.js";

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WriteStream | (NodeJS.WritableStream & { isTTY?: boolean });
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
}

export type CommandContext = {
  io: CliIo;
  /** Progress, notices and hints on stderr; silent with -q. */
  say: (text: string) => void;
  /** Errors on stderr: printed even with -q. */
  err: (text: string) => void;
  /** Data on stdout: printed even with -q. */
  out: (text: string) => void;
  /** -1 with -q, 0 by default, N with -v N (1 and up stream each step's commands). */
  verbosity: number;
  loadDriver: () => Promise<ClusterDriver<unknown>>;
  signal: AbortSignal;
  argv: string[];
};

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
/** 128 + the signal number, as shells report a command ended by SIGINT / SIGTERM. */
export const EXIT_SIGINT = 130;
export const EXIT_SIGTERM = 143;
