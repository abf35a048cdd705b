#!/usr/bin/env node
// kina's executable entry.
import { runCli } from "./app.js";

process.exitCode = await runCli(process.argv.slice(2));
