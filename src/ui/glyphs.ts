// One glyph per step state, distinct in shape so the graph reads without colour.

import type { StepStatus } from "../../state/schema.js";

export type DisplayStatus = StepStatus | "interrupted";

export const GLYPH: Record<DisplayStatus, string> = {
  done: "✓",
  failed: "✗",
  running: "◐",
  interrupted: "!",
  pending: "○",
  skipped: "–",
};

const CODES: Partial<Record<DisplayStatus, [number, number]>> = {
  done: [32, 39],
  failed: [31, 39],
  running: [36, 39],
  interrupted: [33, 39],
  skipped: [2, 22],
  pending: [2, 22],
};

export function useColor(stream: NodeJS.WriteStream | { isTTY?: boolean }, env: NodeJS.ProcessEnv): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

export function paint(text: string, status: DisplayStatus, color: boolean): string {
  const code = CODES[status];
  return color && code ? `\u001b[${code[0]}m${text}\u001b[${code[1]}m` : text;
}
