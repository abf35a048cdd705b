// Why a step's signal was aborted, and why a command was refused before anything ran. Light: steps
// import these to tell a timeout from an interruption.

import type { StepId } from "../../machines/workflows.js";
import { formatDuration } from "../config/duration.js";

/** The step outlived its timeout; its signal is aborted with this. */
export class StepTimeoutError extends Error {
  constructor(
    readonly step: StepId,
    readonly ms: number,
  ) {
    super(`${step} timed out after ${formatDuration(ms)}`);
    this.name = "StepTimeoutError";
  }
}

/**
 * The command's signal was aborted on purpose: the running step is recorded as interrupted (not
 * failed) and `kina resume` re-runs it.
 */
export class StopRequest extends Error {}

/** The user asked kina to stop (Ctrl-C, SIGTERM); the command's signal is aborted with this. */
export class InterruptedError extends StopRequest {
  constructor(readonly signalName: "SIGINT" | "SIGTERM") {
    super(signalName === "SIGINT" ? "interrupted by Ctrl-C" : "interrupted by SIGTERM");
    this.name = "InterruptedError";
  }
}

/** `kina create --wait D` ran out of D: the rest of the chain goes on in a background `kina resume`. */
export class HandedToBackground extends StopRequest {
  constructor(wait: string) {
    super(`handed to a background \`kina resume\` (--wait ${wait})`);
    this.name = "HandedToBackground";
  }
}

/**
 * The cluster's state cannot take what was asked (RESUME to a ready cluster, START to a running
 * one): refused at once, before anything runs. The CLI exits 2 with this message.
 */
export class TransitionRefusedError extends Error {
  constructor(
    readonly cluster: string,
    readonly where: string,
    readonly asked: string,
    readonly possible: string[],
  ) {
    super(
      `cluster "${cluster}" is ${where}: it cannot ${asked}.` +
        (possible.length ? ` Possible now: ${possible.join("; ")}.` : ""),
    );
    this.name = "TransitionRefusedError";
  }
}

/** The message and hint of a step's error, separately, so each is shown once. */
export function describeError(error: unknown): { message: string; hint?: string } {
  if (!(error instanceof Error)) return { message: String(error) };
  const e = error as Error & { hint?: unknown; summary?: unknown };
  const hint = typeof e.hint === "string" && e.hint.length > 0 ? e.hint : undefined;
  // Runtime errors carry "summary: hint" as their message; show the halves apart.
  const message = hint && typeof e.summary === "string" && e.message === `${e.summary}: ${hint}` ? e.summary : e.message;
  return { message, ...(hint ? { hint } : {}) };
}
