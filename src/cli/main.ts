#!/usr/bin/env node
// kina's executable entry. Node's on-disk compile cache makes every start after the first skip
// most parsing and compiling, so it is switched on before anything else loads (Node ≥ 22.1; on
// older Nodes there is no such function and kina just compiles). `npm run build` bundles this file
// with esbuild (scripts/bundle.mjs): the fast path (fast.ts) and the read-only commands become a
// few chunks, and everything else loads the compiled app.ts and its modules as they are.
import module from "node:module";

module.enableCompileCache?.();
const argv = process.argv.slice(2);
// The commands run many times a day take a path of their own (fast.ts) that never loads yargs.
const { fastCli } = await import("./fast.js");
const fast = await fastCli(argv);
if (fast !== undefined) {
  process.exitCode = fast;
} else {
  // A reader that goes away (`kina get clusters | head -1`, `kina create 2>&1 | head`) must not
  // turn into a stack trace or abort a running step: output to a closed pipe is dropped, and the
  // command finishes as it would have.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") throw error;
    });
  }
  const { runCli } = await import("./app.js");
  process.exitCode = await runCli(argv);
}
