// Waiting inside a step, stopped by the step's signal: its timeout, or Ctrl-C.

import { StepTimeoutError } from "./errors.js";

/**
 * Waits for `check` to report true, asking again every `intervalMs` until the signal aborts.
 * Used for conditions kina can only observe by asking (a socket appearing inside a VM), never as
 * synchronisation between kina's own actions. When the step's timeout ends the wait, it rejects
 * with "gave up waiting for …" (plus `lastReason()` when given); any other abort (Ctrl-C) rejects
 * with the abort's own reason, so an interruption is never reported as a timeout.
 */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  signal: AbortSignal,
  intervalMs = 500,
  lastReason?: () => string,
): Promise<void> {
  const gaveUp = () => {
    if (!(signal.reason instanceof StepTimeoutError)) return signal.reason as Error;
    const why = lastReason?.();
    return new Error(`gave up waiting for ${what}${why ? `: ${why}` : ""} (${signal.reason.message})`);
  };
  for (;;) {
    if (signal.aborted) throw gaveUp();
    if (await check()) return;
    if (signal.aborted) throw gaveUp();
    await sleep(intervalMs, signal);
  }
}

/** Resolves after `ms`, or at once when the signal aborts; leaves no listener behind. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

