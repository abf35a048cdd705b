// Picks the progress display: a cli-progress bar and step lines on a terminal, plain lines otherwise;
// nothing with -q, each step's commands too with -v.

import type { Reporter } from "../../engine/reporter.js";
import { useColor } from "../../ui/glyphs.js";
import { PlainReporter } from "../../ui/plain-reporter.js";
import type { CommandContext } from "../context.js";

export async function makeReporter(c: CommandContext): Promise<Reporter> {
  const stream = c.io.stderr as NodeJS.WriteStream;
  const color = useColor(stream, c.io.env);
  // -q: only errors (printed by the command) and data; no progress at all.
  if (c.verbosity < 0) return new PlainReporter({ write: () => true });
  if (stream.isTTY && c.io.env.TERM !== "dumb") {
    const { createTtyReporter } = await import("../../ui/tty-reporter.js");
    return createTtyReporter(stream, color, c.verbosity);
  }
  return new PlainReporter(stream, color, c.verbosity);
}
