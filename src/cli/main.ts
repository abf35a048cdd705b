#!/usr/bin/env node
// kina's executable entry. Node's on-disk compile cache makes every start after the first skip
// most parsing and compiling (yargs and zod are the bulk of start-up), so it is switched on
// before anything else loads.
import module from "node:module";

module.enableCompileCache?.();
const { runCli } = await import("./app.js");
process.exitCode = await runCli(process.argv.slice(2));
