// Picks the progress display: a bar on a terminal, plain lines otherwise.

import type { Reporter } from "../../engine/reporter.js";
import { useColor } from "../../ui/glyphs.js";
import { PlainReporter } from "../../ui/plain-reporter.js";
import type { CommandContext } from "../context.js";

export async function makeReporter(c: CommandContext): Promise<Reporter> {
  const stream = c.io.stderr as NodeJS.WriteStream;
  const color = useColor(stream, c.io.env);
  if (stream.isTTY && c.io.env.TERM !== "dumb") {
    const { createTtyReporter } = await import("../../ui/tty-reporter.js");
    return createTtyReporter(stream, color);
  }
  return new PlainReporter(stream, color);
}
