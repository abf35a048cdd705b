// The commands run many times a day, parsed by hand so they start in about the time of bare node:
// `kina --version`, `kina version`, `kina status [NAME] [--graph | --json]`, `kina get clusters
// [--json]`. Anything else, or any spelling of these this parser does not fully understand (-q,
// --name, --help, repeated flags, `--`), is left to the yargs app (app.ts), which loads only then.
// Output and exit codes are the app's own: the same command modules and the same error reporting.

import type { CliIo, CommandContext } from "./context.js";
import { reportError } from "./report.js";
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

/** Runs argv when it has a fast route and returns the exit code; undefined when it has none. */
export async function fastCli(argv: string[], io: CliIo): Promise<number | undefined> {
  const route = fastRoute(argv);
  if (!route) return undefined;
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
        const { pickClusterName } = await import("../config/resolve.js");
        const name = pickClusterName(route.cluster, undefined, io.env);
        const { statusCommand } = await import("./commands/status.js");
        return await statusCommand(c, name, { graph: route.view === "graph", json: route.view === "json" });
      }
      case "get-clusters": {
        const { getClustersCommand } = await import("./commands/status.js");
        return await getClustersCommand(c, { json: route.json });
      }
    }
  } catch (error) {
    return reportError(error, err);
  }
}
