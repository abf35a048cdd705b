// The kina command line: yargs parsing and printing only. Heavy modules (the engine, the steps,
// client-node) are imported inside the commands that need them, so `kina status` and
// `kina --version` start fast.

import yargs, { type Argv } from "yargs";
import { ADDON_NAMES, resolveStep, stepNamesForHelp, type AddonName, type StepId } from "../../machines/workflows.js";
import { didYouMean } from "../config/near.js";
import { pickClusterName, stepNames, UsageError } from "../config/resolve.js";
import { InterruptedError } from "../engine/errors.js";
import type { ClusterDriver } from "../steps/step.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, EXIT_USAGE, type CliIo, type CommandContext } from "./context.js";
import { reportError } from "./report.js";
import { kinaVersion } from "./version.js";

export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from "./context.js";
export type { CliIo, CommandContext } from "./context.js";

export interface CliDeps {
  /** The cluster driver; the real one is imported lazily. Tests pass their own. */
  driver?: () => Promise<ClusterDriver<unknown>>;
  io?: Partial<CliIo>;
}

export async function runCli(argv: string[], deps: CliDeps = {}): Promise<number> {
  const io: CliIo = {
    stdout: deps.io?.stdout ?? process.stdout,
    stderr: deps.io?.stderr ?? process.stderr,
    stdin: deps.io?.stdin ?? process.stdin,
    env: deps.io?.env ?? process.env,
  };
  const err = (text: string) => io.stderr.write(text.endsWith("\n") ? text : `${text}\n`);
  const out = (text: string) => io.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
  const loadDriver = deps.driver ?? (async () => (await import("../steps/driver.js")).realDriver() as ClusterDriver<unknown>);
  const controller = new AbortController();
  // The first Ctrl-C / SIGTERM aborts the command's signal: steps end their children, the engine
  // records the step as interrupted and releases the lock. A second signal while cleaning up ends
  // the process at once (state on disk is resumable at every moment). The handlers stay
  // registered (`on`, not `once`): while a child runs, execa's signal-exit re-raises a signal that
  // has no other listener left, which killed kina before the interruption was handled.
  let interrupted = false;
  const onSignal = (name: "SIGINT" | "SIGTERM") => () => {
    if (interrupted) process.exit(name === "SIGINT" ? EXIT_SIGINT : EXIT_SIGTERM);
    interrupted = true;
    controller.abort(new InterruptedError(name));
  };
  const onSigint = onSignal("SIGINT");
  const onSigterm = onSignal("SIGTERM");
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigterm);

  // -q / -v are read by a middleware before any command runs; `say` checks them when it is called.
  const ctx: CommandContext = {
    io,
    say: (text) => {
      if (ctx.verbosity >= 0) err(text);
    },
    err,
    out,
    verbosity: 0,
    loadDriver,
    signal: controller.signal,
    argv,
  };
  let exit = EXIT_OK;
  const parser = buildParser(expandVerbosity(argv), ctx, (code) => {
    exit = code;
  });
  try {
    await parser.parseAsync();
  } catch (error) {
    exit = reportError(error, err);
  } finally {
    // After an interruption the handlers stay: kina may still be waiting for a child that ignores
    // SIGTERM (execa kills it outright only later), and a second Ctrl-C then must end kina at once
    // with 130, not wait for it, nor die by the signal with no code.
    if (!interrupted) {
      process.removeListener("SIGINT", onSigint);
      process.removeListener("SIGTERM", onSigterm);
    }
  }
  return exit;
}

/**
 * `-v` alone means `--verbosity 1` and `-vv` means 2 (kind takes `-v N` only; both spellings work
 * here). Everything after `--` is left alone.
 */
export function expandVerbosity(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") return [...out, ...argv.slice(i)];
    if (/^-v+$/.test(a) && !(a === "-v" && /^\d+$/.test(argv[i + 1] ?? ""))) out.push(`--verbosity=${a.length - 1}`);
    else out.push(a);
  }
  return out;
}

async function addon(
  c: CommandContext,
  kind: "install" | "uninstall",
  name: string,
  cluster: string,
  opts: { manifest?: string; timeout?: string[] } = {},
): Promise<number> {
  if (!(ADDON_NAMES as readonly string[]).includes(name)) {
    throw new UsageError(`unknown addon "${name}"; allowed: ${ADDON_NAMES.join(", ")}${didYouMean(name, ADDON_NAMES)}`);
  }
  const { addonCommand } = await import("./commands/bootstrap.js");
  return addonCommand(c, cluster, kind, name as AddonName, opts);
}

/** kind spells `kina create cluster --name X`; kina also takes `kina create X`. */
function clusterWord(positional: string | undefined): string | undefined {
  return positional === "cluster" ? undefined : positional;
}

function nameOf(args: { name?: string | undefined; cluster?: string | undefined }, env: NodeJS.ProcessEnv): string {
  return pickClusterName(clusterWord(args.cluster), args.name, env);
}

function buildParser(argv: string[], c: CommandContext, setExit: (code: number) => void): Argv {
  const run = (work: () => Promise<number | void>) => async () => {
    const code = await work();
    if (typeof code === "number") setExit(code);
  };
  const nameOption = {
    name: { type: "string" as const, alias: "n", requiresArg: true, describe: "cluster name (default: $KINA_CLUSTER, else kina)" },
  };
  // One value per --timeout (repeat the flag for more): a bare --timeout is an error, and
  // `--timeout 5m NAME` leaves NAME to the positional.
  const timeoutOption = {
    type: "string" as const,
    array: true as const,
    nargs: 1,
    describe: "step timeouts for this run: 10m, or STEP=DURATION; repeatable",
  };

  const parser: Argv = yargs(argv)
    .scriptName("kina")
    .usage(
      "kina — local Kubernetes clusters on Apple container VMs, bootstrapped by a resumable workflow.\n\n" +
        "A failed or interrupted create keeps its VMs: `kina status --graph` shows where it stopped, " +
        "`kina resume` continues, `kina retry STEP` re-runs one step.\n\nUsage: $0 <command> [options]",
    )
    .command(
      "create [cluster]",
      "create a cluster (also: create cluster --name NAME)",
      (y) =>
        y
          .positional("cluster", { type: "string", describe: "cluster name" })
          .options({
            ...nameOption,
            config: { type: "string", requiresArg: true, describe: "cluster config file (kina.x-k8s.io or kind.x-k8s.io v1alpha4), - for stdin" },
            image: { type: "string", requiresArg: true, describe: "node image for every node (skips building the default image)" },
            "kubernetes-version": {
              type: "string",
              requiresArg: true,
              describe: "Kubernetes version of the nodes, one kina pins (default: the newest; see README)",
            },
            timeout: { ...timeoutOption, describe: "step timeout: 10m for every step, or STEP=DURATION (cni=30s); repeatable" },
            "delete-on-failure": { type: "boolean", default: false, describe: "delete the cluster if create fails (kind's behaviour)" },
            retain: {
              type: "boolean",
              default: false,
              describe: "keep the node VMs if create fails (kind's flag; kina always keeps them unless --delete-on-failure)",
            },
            "switch-context": { type: "boolean", default: true, describe: "make kina-NAME the current kubectl context (--no-switch-context keeps yours)" },
            kubeconfig: { type: "string", requiresArg: true, describe: "kubeconfig file to merge into (default: first of $KUBECONFIG, else ~/.kube/config)" },
            wait: {
              type: "string",
              requiresArg: true,
              describe:
                "kind's --wait: after the kubeconfig is exported, wait at most DURATION (0, 30s, 5m) for the rest, then let it finish in the background (default: wait until ready)",
            },
          }),
      (args) =>
        run(async () => {
          if (args.retain && args["delete-on-failure"]) throw new UsageError("--retain and --delete-on-failure contradict each other; give one");
          const { createCommand } = await import("./commands/bootstrap.js");
          return createCommand(c, {
            name: args.name,
            cluster: clusterWord(args.cluster),
            config: args.config,
            image: args.image,
            kubernetesVersion: args["kubernetes-version"],
            timeout: (args.timeout as string[] | undefined) ?? [],
            deleteOnFailure: args["delete-on-failure"],
            switchContext: args["switch-context"],
            kubeconfig: args.kubeconfig,
            wait: args.wait,
          });
        })(),
    )
    .command(
      "resume [cluster]",
      "continue a failed or interrupted cluster from where it stopped",
      (y) =>
        y.positional("cluster", { type: "string" }).options({
          ...nameOption,
          "dry-run": { type: "boolean", default: false, describe: "print, per step, skip or run and why; change nothing" },
          timeout: timeoutOption,
        }),
      (args) =>
        run(async () => {
          const { resumeCommand } = await import("./commands/bootstrap.js");
          return resumeCommand(c, nameOf(args, c.io.env), args["dry-run"], (args.timeout as string[] | undefined) ?? []);
        })(),
    )
    .command(
      "retry <step> [cluster]",
      `re-run one step even if done, then continue (later steps re-verified). Steps: ${stepNamesForHelp("bootstrap")}`,
      (y) =>
        y
          .positional("step", { type: "string", demandOption: true })
          .positional("cluster", { type: "string" })
          .options({
            ...nameOption,
            timeout: timeoutOption,
          }),
      (args) =>
        run(async () => {
          const step = resolveStep(String(args.step));
          if (!step) {
            throw new UsageError(`unknown step "${args.step}"; allowed: ${stepNamesForHelp()}${didYouMean(String(args.step), stepNames())}`);
          }
          const { retryCommand } = await import("./commands/bootstrap.js");
          return retryCommand(c, nameOf(args, c.io.env), step as StepId, (args.timeout as string[] | undefined) ?? []);
        })(),
    )
    .command(
      "status [cluster]",
      "show a cluster's bootstrap steps",
      (y) =>
        y.positional("cluster", { type: "string" }).options({
          ...nameOption,
          graph: { type: "boolean", default: false, describe: "draw the step chain with attempts and durations" },
          json: { type: "boolean", default: false, describe: "print the stable JSON document on stdout" },
        }),
      (args) =>
        run(async () => {
          if (args.graph && args.json) throw new UsageError("--graph and --json are two views of the same status; give one");
          const { statusCommand } = await import("./commands/status.js");
          return statusCommand(c, nameOf(args, c.io.env), { graph: args.graph, json: args.json });
        })(),
    )
    .command(
      "delete [cluster] [more..]",
      "delete clusters: VMs, network, kubeconfig entries and state (kind's spellings too: delete cluster --name NAME, delete clusters A B | --all)",
      (y) =>
        y
          .positional("cluster", { type: "string" })
          .positional("more", { type: "string", array: true })
          .options({ ...nameOption, all: { type: "boolean", default: false, describe: "with `delete clusters`: every cluster kina knows" } }),
      (args) =>
        run(async () => {
          const { deleteCommand } = await import("./commands/bootstrap.js");
          const more = ((args.more as string[] | undefined) ?? []).map(String);
          if (args.cluster === "clusters") {
            // kind's `delete clusters A B` / `delete clusters --all`.
            if (args.all && more.length) throw new UsageError("delete clusters: give cluster names or --all, not both");
            if (!args.all && more.length === 0) throw new UsageError("delete clusters needs cluster names or --all");
            const names = args.all ? await (await import("../../state/list.js")).listClusterNames(c.io.env) : more;
            let worst = EXIT_OK;
            for (const n of names) worst = Math.max(worst, await deleteCommand(c, pickClusterName(n, undefined, c.io.env)));
            if (names.length === 0) c.say("No kina clusters found; nothing to delete.");
            return worst;
          }
          if (args.all) throw new UsageError("--all goes with `kina delete clusters --all`");
          const first = nameOf(args, c.io.env);
          let worst = EXIT_OK;
          for (const n of [first, ...more.map((m) => pickClusterName(m, undefined, c.io.env))]) worst = Math.max(worst, await deleteCommand(c, n));
          return worst;
        })(),
    )
    .command(
      "stop [cluster]",
      "stop a cluster's node VMs; `kina start` brings it back with the same kubeconfig",
      (y) =>
        y.positional("cluster", { type: "string" }).options({
          ...nameOption,
          timeout: timeoutOption,
        }),
      (args) =>
        run(async () => {
          const { stopCommand } = await import("./commands/bootstrap.js");
          return stopCommand(c, nameOf(args, c.io.env), (args.timeout as string[] | undefined) ?? []);
        })(),
    )
    .command(
      "start [cluster]",
      "start a stopped cluster (also one stopped by a Mac restart) and wait until its nodes are Ready",
      (y) =>
        y.positional("cluster", { type: "string" }).options({
          ...nameOption,
          all: { type: "boolean", default: false, describe: "start every stopped cluster" },
          timeout: timeoutOption,
        }),
      (args) =>
        run(async () => {
          const { startCommand } = await import("./commands/bootstrap.js");
          return startCommand(c, nameOf(args, c.io.env), { all: args.all, timeout: (args.timeout as string[] | undefined) ?? [] });
        })(),
    )
    .command(
      "install <addon> [cluster]",
      `install an addon on a ready cluster, as its own resumable chain. Addons: ${ADDON_NAMES.join(", ")}`,
      (y) =>
        y
          .positional("addon", { type: "string", demandOption: true })
          .positional("cluster", { type: "string" })
          .options({
            ...nameOption,
            manifest: { type: "string", requiresArg: true, describe: "apply your own manifest (a file or an http(s) URL) instead of kina's pinned one; no checksum" },
            timeout: { ...timeoutOption, describe: "step timeout: 10m for every step, or STEP=DURATION (available=3m); repeatable" },
          }),
      (args) =>
        run(() =>
          addon(c, "install", String(args.addon), nameOf(args, c.io.env), {
            ...(args.manifest !== undefined ? { manifest: String(args.manifest) } : {}),
            timeout: (args.timeout as string[] | undefined) ?? [],
          }),
        )(),
    )
    .command(
      "uninstall <addon> [cluster]",
      `remove an addon's objects from a ready cluster. Addons: ${ADDON_NAMES.join(", ")}`,
      (y) => y.positional("addon", { type: "string", demandOption: true }).positional("cluster", { type: "string" }).options(nameOption),
      (args) => run(() => addon(c, "uninstall", String(args.addon), nameOf(args, c.io.env)))(),
    )
    .command("get", "get clusters | nodes | kubeconfig", (y) =>
      y
        .command(
          "clusters",
          "list the clusters kina knows, one per line (--json: name, phase, nodes, kubernetesVersion)",
          (z) => z.options({ json: { type: "boolean", default: false, describe: "print a JSON array on stdout" } }),
          (args) =>
            run(async () => {
              const { getClustersCommand } = await import("./commands/status.js");
              return getClustersCommand(c, { json: args.json });
            })(),
        )
        .command(
          "nodes [cluster]",
          "list a cluster's node VMs, one per line",
          (z) => z.positional("cluster", { type: "string" }).options(nameOption),
          (args) =>
            run(async () => {
              const { getNodesCommand } = await import("./commands/status.js");
              return getNodesCommand(c, nameOf(args, c.io.env));
            })(),
        )
        .command(
          "kubeconfig [cluster]",
          "print a cluster's kubeconfig on stdout",
          (z) =>
            z.positional("cluster", { type: "string" }).options({
              ...nameOption,
              internal: { type: "boolean", default: false, describe: "server https://<control-plane VM IP>:6443, as other VMs reach it" },
            }),
          (args) =>
            run(async () => {
              const { getKubeconfigCommand } = await import("./commands/status.js");
              return getKubeconfigCommand(c, nameOf(args, c.io.env), { internal: args.internal });
            })(),
        )
        .demandCommand(1, "get needs what to get: clusters, nodes or kubeconfig"),
    )
    .command("export", "export kubeconfig | logs", (y) =>
      y
        .command(
          "kubeconfig [cluster]",
          "write the cluster's entries into your kubeconfig again",
          (z) =>
            z.positional("cluster", { type: "string" }).options({
              ...nameOption,
              kubeconfig: { type: "string", requiresArg: true, describe: "kubeconfig file to merge into (default: first of $KUBECONFIG, else ~/.kube/config)" },
              "switch-context": { type: "boolean", default: true, describe: "make kina-NAME the current context (--no-switch-context keeps yours)" },
            }),
          (args) =>
            run(async () => {
              const { exportKubeconfigCommand } = await import("./commands/export.js");
              return exportKubeconfigCommand(c, nameOf(args, c.io.env), { kubeconfig: args.kubeconfig, switchContext: args["switch-context"] });
            })(),
        )
        .command(
          "logs [dir]",
          "collect state, logs and cluster objects into DIR and DIR.tar.gz, secrets redacted",
          (z) => z.positional("dir", { type: "string", describe: "folder to create (default: ./kina-logs-NAME-TIME)" }).options(nameOption),
          (args) =>
            run(async () => {
              const { exportLogsCommand } = await import("./commands/export.js");
              return exportLogsCommand(c, pickClusterName(undefined, args.name, c.io.env), args.dir);
            })(),
        )
        .demandCommand(1, "export needs what to export: kubeconfig or logs"),
    )
    .command(
      "exec <node> [cmd..]",
      "run a command in a node VM (default: a shell): kina exec dev-worker -- crictl ps",
      (y) =>
        y
          .positional("node", { type: "string", demandOption: true, describe: "node name (dev-worker) or, with --name, its role name (worker)" })
          .positional("cmd", { type: "string", array: true, describe: "command and arguments, after --" })
          .options(nameOption)
          .parserConfiguration({ "populate--": true }),
      (args) =>
        run(async () => {
          const { execCommand } = await import("./commands/exec.js");
          const rest = [...((args.cmd as string[] | undefined) ?? []), ...(((args as Record<string, unknown>)["--"] as string[] | undefined) ?? [])].map(String);
          return execCommand(c, String(args.node), rest, args.name);
        })(),
    )
    .command("load", "load images into a cluster's nodes: image (docker-image) | image-archive", (y) => {
      const loadOptions = {
        ...nameOption,
        nodes: {
          type: "string" as const,
          array: true,
          // One value per --nodes, so `--nodes a,b IMAGE` leaves IMAGE alone and a bare --nodes is an error.
          nargs: 1,
          describe: "only these nodes, comma-separated (default: every node)",
        },
      };
      const loadArgs = (args: { name?: string | undefined; nodes?: unknown }) => ({
        cluster: pickClusterName(undefined, args.name, c.io.env),
        nodes: args.nodes === undefined ? undefined : ((args.nodes as unknown[]).map(String)),
      });
      return y
        .command(
          ["image <images..>", "docker-image <images..>"],
          "copy images from the local `container` image store into the nodes (kind: load docker-image); " +
            "nodes that already have the digest are skipped",
          (z) =>
            z
              .positional("images", { type: "string", array: true, describe: "image references, e.g. my-app:dev" })
              .options(loadOptions)
              .example("container build -t my-app:dev . && kina load image my-app:dev --name dev", "build, then load into every node of dev")
              .example("kina load image my-app:dev --name dev --nodes dev-worker", "load into one worker only"),
          (args) =>
            run(async () => {
              const { loadImageCommand } = await import("./commands/load.js");
              return loadImageCommand(c, (args.images as string[] | undefined) ?? [], loadArgs(args));
            })(),
        )
        .command(
          "image-archive <files..>",
          "import image tar files (`container image save -o FILE`, `docker save`) into the nodes",
          (z) =>
            z
              .positional("files", { type: "string", array: true, describe: "tar files" })
              .options(loadOptions)
              .example("container image save -o app.tar my-app:dev && kina load image-archive app.tar --name dev", "load from a file"),
          (args) =>
            run(async () => {
              const { loadArchiveCommand } = await import("./commands/load.js");
              return loadArchiveCommand(c, (args.files as string[] | undefined) ?? [], loadArgs(args));
            })(),
        )
        .demandCommand(1, "load needs what to load: image IMAGE… or image-archive FILE…");
    })
    .command("build", "build images: node-image", (y) =>
      y
        .command(
          "node-image",
          "build the kina node image with `container build` (kina create does this on first use)",
          (z) =>
            z.options({
              image: { type: "string", requiresArg: true, describe: "tag for the built image (default: the pinned kina/node tag)" },
              "base-image": { type: "string", requiresArg: true, describe: "kindest/node base, pinned by digest: REPO:TAG@sha256:…" },
            }),
          (args) =>
            run(async () => {
              const { buildNodeImageCommand } = await import("./commands/build.js");
              return buildNodeImageCommand(c, { image: args.image, baseImage: args["base-image"] });
            })(),
        )
        .demandCommand(1, "build needs what to build: node-image"),
    )
    .command(
      "doctor",
      "check this Mac for kina: each check ok, warn or fail with its fix; exit 1 on any fail",
      (y) =>
        y.options({
          ...nameOption,
          config: { type: "string", requiresArg: true, describe: "judge against this cluster config (else the cluster's stored config, else defaults)" },
        }),
      (args) =>
        run(async () => {
          const { doctorCommand } = await import("./commands/doctor.js");
          return doctorCommand(c, { name: args.name, config: args.config });
        })(),
    )
    .command(
      "version",
      "print kina's version",
      () => {},
      () =>
        run(async () => {
          // As kind: with -q only the version itself, for scripts.
          c.out(c.verbosity < 0 ? kinaVersion() : `kina v${kinaVersion()} node ${process.version} ${process.platform}/${process.arch}`);
        })(),
    )
    .command(
      "completion [shell]",
      "print a shell completion script: bash (the default), zsh or fish, e.g. source <(kina completion bash)",
      (y) => y.positional("shell", { type: "string", describe: "bash, zsh or fish" }),
      (args) =>
        run(async () => {
          const { completionScript } = await import("./completion.js");
          c.out(completionScript(args.shell ?? "bash"));
        })(),
    )
    // The scripts call `kina --get-yargs-completions WORDS…`; yargs answers that hidden option.
    .completion("__complete", false)
    .options({
      verbosity: {
        alias: "v",
        type: "number",
        requiresArg: true,
        describe: "-v (= -v 1): also print each step's log lines and commands on stderr as they run; -v 2: their output too",
      },
      quiet: { alias: "q", type: "boolean", default: false, describe: "print only errors (with their hint) and data: no progress, notices or next steps" },
    })
    .middleware((args) => {
      const v = args.verbosity as number | undefined;
      if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw new UsageError(`--verbosity ${String(args.verbosity)}: must be a whole number, 0 or more`);
      if (args.quiet && v) throw new UsageError("-q and -v contradict each other; give one");
      c.verbosity = args.quiet ? -1 : (v ?? 0);
    }, true)
    .version(kinaVersion())
    .alias("h", "help")
    .demandCommand(1, "a command is required")
    .strict()
    .recommendCommands()
    .wrap(helpWidth(c))
    .exitProcess(false)
    .fail((message, error) => {
      // yargs's own parse errors (a missing option value) come as a YError: usage, exit 2.
      if (error && error.name !== "YError") throw error;
      throw new UsageError(`${usageMessage(message ?? error?.message ?? "bad usage")}\nRun \`kina --help\` for usage.`);
    });
  return parser;
}

/** The terminal's width; $COLUMNS (or 100) when stdout is not a terminal. At most 110 for reading. */
function helpWidth(c: CommandContext): number {
  const columns = (c.io.stdout as NodeJS.WriteStream).columns || Number(c.io.env.COLUMNS) || 100;
  return Math.min(110, columns);
}

/** yargs's wording for a flag without its value, in kina's: which flag, and that it needs one. */
function usageMessage(message: string): string {
  const missing = /^Not enough arguments following: (.+)$/.exec(message);
  if (missing) return `--${missing[1]} needs a value`;
  return message;
}

