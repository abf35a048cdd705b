// What a doctor check is and what it answers. Each check judges one thing about the host and says
// how to fix it; a check whose own tool is missing or cannot answer warns, it never fails.

import type { DoctorContext } from "./context.js";

export type Level = "ok" | "warn" | "fail";

export interface Finding {
  level: Level;
  /** One line: what was found, and what it was judged from when that is not obvious. */
  finding: string;
  /** For warn/fail: the command or change that fixes it. */
  fix?: string;
}

export interface Check {
  /** Short name printed on the line, e.g. `service`. */
  id: string;
  run(ctx: DoctorContext): Promise<Finding>;
}

export const ok = (finding: string): Finding => ({ level: "ok", finding });
export const warn = (finding: string, fix?: string): Finding => ({ level: "warn", finding, ...(fix ? { fix } : {}) });
export const fail = (finding: string, fix: string): Finding => ({ level: "fail", finding, fix });

/** The message of whatever a probe threw, for "cannot check" findings. */
export function reason(error: unknown): string {
  const e = error as { summary?: unknown; message?: unknown };
  if (typeof e?.summary === "string") return e.summary;
  return typeof e?.message === "string" ? e.message : String(error);
}
