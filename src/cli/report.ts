// How a command's error reaches the user: a usage error exits 2, anything else prints its message
// (and hint) and exits 1. Shared by the yargs app (app.ts) and the fast path (fast.ts), so both
// word failures alike.

import { UsageError } from "../config/errors.js";
import { describeError } from "../engine/errors.js";
import { EXIT_FAILURE, EXIT_USAGE } from "./context.js";

export class ExitCode extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

export function reportError(error: unknown, say: (t: string) => void): number {
  if (error instanceof ExitCode) return error.code;
  const e = error as Error;
  if (error instanceof UsageError || e?.name === "TransitionRefusedError") {
    say(`ERROR: ${e.message}`);
    return EXIT_USAGE;
  }
  // Runtime errors carry "summary: hint" as their message: print each half once.
  const { message, hint } = describeError(error);
  say(`ERROR: ${message}`);
  if (hint) say(`  hint: ${hint}`);
  return EXIT_FAILURE;
}
