// The commands run many times a day, parsed by hand so they start in about the time of bare node:
// `kina --version`, `kina version`, `kina status [NAME] [--graph | --json]`, `kina get clusters
// [--json]`. Anything else, or any spelling of these this parser does not fully understand (-q,
// --name, --help, repeated flags, `--`), is left to the yargs app (app.ts), which loads only then.
// Output and exit codes are the app's own: the same command modules and the same error reporting.

import { writeSync } from "node:fs";
import type { CliIo, CommandContext } from "./context.js";
import { kinaVersion } from "./version.js";

export type FastRoute =
  | { kind: "version-flag" }
  | { kind: "version" }
  | { kind: "status"; cluster: string | undefined; view: "summary" | "graph" | "json" }
  | { kind: "get-clusters"; json: boolean };

/** The route for argv when the fast path fully understands it; undefined hands it to yargs. */
export function fastRoute(argv: readonly string[]): FastRoute | undefined {
  const [command, ...rest] = argv;
  if (command === "--version" && rest.length === 0) return { kind: "version-flag" };
  if (command === "version" && rest.length === 0) return { kind: "version" };
  if (command === "get" && rest[0] === "clusters") {
    if (rest.length === 1) return { kind: "get-clusters", json: false };
    if (rest.length === 2 && rest[1] === "--json") return { kind: "get-clusters", json: true };
    return undefined;
  }
  if (command !== "status" || rest.length > 2) return undefined;
  const flags = rest.filter((a) => a.startsWith("-"));
  const names = rest.filter((a) => !a.startsWith("-"));
  if (flags.length > 1 || names.length > 1) return undefined;
  const flag = flags[0];
  if (flag !== undefined && flag !== "--graph" && flag !== "--json") return undefined;
  const name = names[0];
  // `status cluster` (kind's word) and an empty name take yargs's longer road.
  if (name === "" || name === "cluster") return undefined;
  return { kind: "status", cluster: name, view: flag === "--graph" ? "graph" : flag === "--json" ? "json" : "summary" };
}

/**
 * stdout and stderr of a fast command, kept in the order written and put out at the end with one
 * write(2) per run of one stream, without creating process.stdout and process.stderr: setting up
 * those streams costs more CPU than a whole `kina status`. A closed reader (EPIPE) drops the rest,
 * as main.ts does for the app; a non-blocking descriptor that is full (EAGAIN) hands the rest to
 * the Node stream, which waits.
 */
function bufferedOutput() {
  const runs: { fd: 1 | 2; text: string }[] = [];
  const viaStream = new Set<number>();
  const stream = (fd: 1 | 2) => ({
    write(text: string): boolean {
      const last = runs.at(-1);
      if (last?.fd === fd) last.text += text;
      else runs.push({ fd, text });
      return true;
    },
    get isTTY(): boolean {
      const tty = process.getBuiltinModule?.("node:tty");
      return tty ? tty.isatty(fd) : Boolean((fd === 1 ? process.stdout : process.stderr).isTTY);
    },
  });
  const put = (fd: 1 | 2, text: string) => {
    const node = () => (fd === 1 ? process.stdout : process.stderr);
    if (viaStream.has(fd)) return void node().write(text);
    let bytes = Buffer.from(text);
    while (bytes.length > 0) {
      try {
        bytes = bytes.subarray(writeSync(fd, bytes));
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "EPIPE") return;
        if (code !== "EAGAIN") throw error;
        viaStream.add(fd);
        node().on("error", () => {});
        node().write(bytes);
        return;
      }
    }
  };
  return {
    stdout: stream(1),
    stderr: stream(2),
    flush() {
      for (const { fd, text } of runs.splice(0)) put(fd, text);
    },
  };
}

/** Runs argv when it has a fast route and returns the exit code; undefined when it has none. */
export async function fastCli(argv: string[]): Promise<number | undefined> {
  const route = fastRoute(argv);
  if (!route) return undefined;
  const output = bufferedOutput();
  try {
    return await runRoute(route, argv, {
      stdout: output.stdout as unknown as CliIo["stdout"],
      stderr: output.stderr as unknown as CliIo["stderr"],
      get stdin() {
        return process.stdin;
      },
      env: process.env,
    });
  } finally {
    output.flush();
  }
}

async function runRoute(route: FastRoute, argv: string[], io: CliIo): Promise<number> {
  const err = (text: string) => io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  const out = (text: string) => io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  const c: CommandContext = {
    io,
    say: (text) => {
      if (c.verbosity >= 0) err(text);
    },
    err,
    out,
    verbosity: 0,
    loadDriver: async () => (await import("../steps/driver.js")).realDriver(),
    signal: new AbortController().signal,
    argv,
  };
  // The commands and the error reporting: one chunk, not loaded for the version.
  const commands = () => import("./fast-commands.js");
  try {
    switch (route.kind) {
      case "version-flag":
        // What yargs's .version() prints.
        out(kinaVersion());
        return 0;
      case "version":
        out(`kina v${kinaVersion()} node ${process.version} ${process.platform}/${process.arch}`);
        return 0;
      case "status": {
        const { pickClusterName, statusCommand } = await commands();
        const name = pickClusterName(route.cluster, undefined, io.env);
        return await statusCommand(c, name, { graph: route.view === "graph", json: route.view === "json" });
      }
      case "get-clusters": {
        const { getClustersCommand } = await commands();
        return await getClustersCommand(c, { json: route.json });
      }
    }
  } catch (error) {
    return (await commands()).reportError(error, err);
  }
}
