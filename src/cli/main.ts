#!/usr/bin/env node
// kina's executable entry. Node's on-disk compile cache makes every start after the first skip
// most parsing and compiling (yargs and zod are the bulk of start-up), so it is switched on
// before anything else loads.
import module from "node:module";

module.enableCompileCache?.();
// A reader that goes away (`kina get clusters | head -1`, `kina create 2>&1 | head`) must not
// turn into a stack trace or abort a running step: output to a closed pipe is dropped, and the
// command finishes as it would have.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
  });
}
const { runCli } = await import("./app.js");
process.exitCode = await runCli(process.argv.slice(2));
