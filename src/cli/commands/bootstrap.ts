// create, resume, retry, start, stop, delete: the commands that run the engine or undo a cluster.

import { resolve } from "node:path";
import { stepDef, type AddonName, type StepId } from "../../../machines/workflows.js";
import { listClusterNames } from "../../../state/list.js";
import { createCluster, continueCluster, deleteCluster, planContinue, type ContinueCommand } from "../../cluster/operations.js";
import { loadConfigFile } from "../../config/load.js";
import { parseTimeoutFlags, pickClusterName, resolveConfig, UsageError } from "../../config/resolve.js";
import { parseDuration } from "../../config/duration.js";
import { resumeInBackground } from "../../cluster/background.js";
import { HandedToBackground } from "../../engine/errors.js";
import type { Reporter } from "../../engine/reporter.js";
import type { ClusterConfigFile } from "../../config/schema.js";
import type { EngineResult } from "../../engine/engine.js";
import { pinnedImageOptions } from "../../image/nodeImage.js";
import { EXIT_FAILURE, EXIT_OK, EXIT_SIGINT, EXIT_SIGTERM, type CommandContext } from "../context.js";
import { clusterInfoCommand, contextNote, userKubeconfigWrite } from "./kubeconfig-notes.js";
import { makeReporter } from "./reporter.js";

export interface CreateArgs {
  name?: string | undefined;
  cluster?: string | undefined;
  config?: string | undefined;
  image?: string | undefined;
  kubernetesVersion?: string | undefined;
  timeout: string[];
  deleteOnFailure: boolean;
  switchContext: boolean;
  kubeconfig?: string | undefined;
  /** kind's --wait: how long to wait for readiness after the kubeconfig is exported; unset = until done. */
  wait?: string | undefined;
}

function commandLine(c: CommandContext): string {
  return `kina ${c.argv.join(" ")}`.trim();
}

function deps(c: CommandContext) {
  return { env: c.io.env, signal: c.signal, notice: c.say, commandLine: commandLine(c) };
}

export async function createCommand(c: CommandContext, args: CreateArgs): Promise<number> {
  // Everything that can be wrong with the input is checked before anything is created.
  let file: ClusterConfigFile | undefined;
  const warn = (m: string) => c.say(`WARNING: ${m}`);
  if (args.config !== undefined) file = await loadConfigFile(args.config, c.io.stdin, warn);
  const name = pickClusterName(args.cluster, args.name, c.io.env, file?.name);
  const timeoutFlags = parseTimeoutFlags(args.timeout);
  const config = resolveConfig(file, {
    name,
    ...pinnedImageOptions(),
    ...(args.kubernetesVersion ? { kubernetesVersionOverride: args.kubernetesVersion } : {}),
    ...(args.image ? { imageOverride: args.image } : {}),
    timeoutFlags,
    // Absolute, so resume/start/delete from another folder find the same file.
    ...(args.kubeconfig ? { kubeconfigTarget: resolve(args.kubeconfig) } : {}),
    switchContext: args.switchContext,
    warn,
  });
  const waitMs = parseWait(args.wait);
  const startedAt = new Date();
  const driver = await c.loadDriver();
  const handoff = new AbortController();
  const signal = AbortSignal.any([c.signal, handoff.signal]);
  let reporter = await makeReporter(c);
  if (waitMs !== undefined) reporter = handOffAfter(reporter, waitMs, () => handoff.abort(new HandedToBackground(args.wait!)));
  const result = await createCluster(config, { ...deps(c), signal, driver, reporter });
  if (result.phase === "failed" && signal.reason instanceof HandedToBackground) {
    const log = await resumeInBackground(name, c.io.env);
    c.say(`The kubeconfig is exported; the rest of the bootstrap (from ${result.step}) goes on in the background (--wait ${args.wait}).`);
    c.say(`  kina status ${name} --graph   follow it (log: ${log})`);
    await sayKubeconfig(c, name, startedAt);
    return EXIT_OK;
  }
  if (result.phase === "failed" && args.deleteOnFailure) {
    printFailure(c, name, result, false);
    c.say(`Deleting cluster "${name}" (--delete-on-failure) ...`);
    await deleteCluster(name, { ...deps(c), driver });
    return EXIT_FAILURE;
  }
  return finish(c, name, result, startedAt);
}

function parseWait(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (/^0+(ms|s|m|h)?$/.test(text.trim())) return 0;
  const ms = parseDuration(text);
  if (ms === undefined) {
    throw new UsageError(`--wait ${text}: not a duration; use e.g. 0, 30s, 5m (kina waits until the cluster is ready when --wait is not given)`);
  }
  return ms;
}

/** Starts the --wait clock when the kubeconfig is exported; at its end the run is handed off. */
function handOffAfter(reporter: Reporter, ms: number, handOff: () => void): Reporter {
  let timer: NodeJS.Timeout | undefined;
  let handedOff = false;
  // Everything else is called on the real reporter itself: a prototype-chained copy would run
  // its methods with another `this`, and the terminal reporter's status line (drawn through one
  // object, erased through the other) would be left on screen under the step lines.
  const wrapped: Reporter = {
    begin: (what, total) => reporter.begin(what, total),
    stepStart: (step, detail) => reporter.stepStart(step, detail),
    stepProgress: (step, message) => reporter.stepProgress(step, message),
    stepDone: reporter.stepDone,
    stepSkipped: (step, reason) => reporter.stepSkipped(step, reason),
    stepFailed: reporter.stepFailed,
    notice: (message) => reporter.notice(message),
    end: reporter.end,
    stepLog: reporter.stepLog,
  };
  wrapped.stepDone = (step, took, outcome) => {
    reporter.stepDone(step, took, outcome);
    if (step === "kubeconfigExported" && !timer) {
      timer = setTimeout(() => {
        handedOff = true;
        handOff();
      }, ms);
    }
  };
  // The step the hand-off stopped is not a failure: the background resume re-runs it.
  wrapped.stepFailed = (step, took, error) =>
    handedOff ? reporter.notice(`${step} continues in the background`) : reporter.stepFailed(step, took, error);
  wrapped.end = () => {
    clearTimeout(timer);
    reporter.end();
  };
  return wrapped;
}

export async function resumeCommand(c: CommandContext, name: string, dryRun: boolean, timeout: string[] = []): Promise<number> {
  const timeouts = parseTimeoutFlags(timeout);
  const driver = await c.loadDriver();
  if (dryRun) {
    const rows = await planContinue(name, { kind: "resume" }, { driver, env: c.io.env, signal: c.signal });
    c.out(`kina resume ${name} would:`);
    for (const row of rows) c.out(`  ${row.action === "run" ? "run " : "skip"}  ${row.step.padEnd(19)} ${row.why}`);
    return EXIT_OK;
  }
  return continueWith(c, name, { kind: "resume" }, timeouts);
}

export async function retryCommand(c: CommandContext, name: string, step: StepId, timeout: string[] = []): Promise<number> {
  return continueWith(c, name, { kind: "retry", step }, parseTimeoutFlags(timeout));
}

export async function startCommand(c: CommandContext, name: string, opts: { all: boolean; timeout: string[] }): Promise<number> {
  const timeouts = parseTimeoutFlags(opts.timeout);
  if (!opts.all) return continueWith(c, name, { kind: "start" }, timeouts);
  // --all: every cluster that is stopped; the others are left as they are.
  const { openCluster } = await import("../../cluster/open.js");
  const { phaseOf, positionOf } = await import("../../../machines/position.js");
  const stopped: string[] = [];
  for (const n of await listClusterNames(c.io.env)) {
    if (phaseOf(positionOf((await openCluster(n, c.io.env)).data.machine)) === "stopped") stopped.push(n);
  }
  if (stopped.length === 0) {
    c.say("No stopped kina clusters to start.");
    return EXIT_OK;
  }
  let worst = EXIT_OK;
  for (const n of stopped) worst = Math.max(worst, await continueWith(c, n, { kind: "start" }, timeouts));
  return worst;
}

export async function addonCommand(
  c: CommandContext,
  name: string,
  kind: "install" | "uninstall",
  addon: AddonName,
  opts: { manifest?: string; timeout?: string[] } = {},
): Promise<number> {
  const { openCluster } = await import("../../cluster/open.js");
  const { positionOf } = await import("../../../machines/position.js");
  const { manifestSource } = await import("../../config/resolve.js");
  const manifest = opts.manifest !== undefined ? manifestSource(opts.manifest, process.cwd()) : undefined;
  if (manifest !== undefined && !/^https?:\/\//.test(manifest)) {
    const { stat } = await import("node:fs/promises");
    const s = await stat(manifest).catch(() => undefined);
    if (!s?.isFile()) throw new UsageError(`--manifest ${opts.manifest}: no such file (give a YAML file or an http(s) URL)`);
  }
  const store = await openCluster(name, c.io.env);
  const position = positionOf(store.data.machine);
  const record = store.data.outputs.addons?.[addon];
  const stored = (store.data.config as { addonManifests?: Record<string, string> } | undefined)?.addonManifests?.[addon];
  const settledReady = position.kind === "settled" && position.state === "ready";
  // A second install of the same thing, or an uninstall of what is not there: nothing to do.
  if (settledReady && kind === "install" && record?.status === "available" && manifest === stored) {
    c.say(`${addon} is already installed on cluster "${name}"; nothing to do.`);
    return EXIT_OK;
  }
  const configured = (store.data.config as { addons?: string[] } | undefined)?.addons?.includes(addon) ?? false;
  if (settledReady && kind === "uninstall" && !record && !configured) {
    c.say(`${addon} is not installed on cluster "${name}"; nothing to do.`);
    return EXIT_OK;
  }
  if (kind === "install") {
    const { ADDONS } = await import("../../addons/catalog.js");
    const warning = ADDONS[addon].warning;
    if (warning && manifest === undefined) c.err(`WARNING: ${warning}`);
  }
  const command = kind === "install" ? { kind, addon, ...(manifest !== undefined ? { manifest } : {}) } : { kind, addon };
  return continueWith(c, name, command, parseTimeoutFlags(opts.timeout ?? []));
}

export async function stopCommand(c: CommandContext, name: string, timeout: string[] = []): Promise<number> {
  return continueWith(c, name, { kind: "stop" }, parseTimeoutFlags(timeout));
}

async function continueWith(
  c: CommandContext,
  name: string,
  command: ContinueCommand,
  timeouts: ReturnType<typeof parseTimeoutFlags>,
): Promise<number> {
  const startedAt = new Date();
  const driver = await c.loadDriver();
  const reporter = await makeReporter(c);
  const result = await continueCluster(name, command, { ...deps(c), driver, reporter, timeouts });
  return finish(c, name, result, startedAt);
}

export async function deleteCommand(c: CommandContext, name: string): Promise<number> {
  const driver = await c.loadDriver();
  c.say(`Deleting cluster "${name}" ...`);
  const result = await deleteCluster(name, { ...deps(c), driver });
  if (typeof result === "object") {
    // The VMs are gone but the state folder stays: say so, never "Deleted".
    c.err(
      `ERROR: cluster "${name}" is only partly deleted: its VMs and network were removed (found by label), ` +
        `but its state folder ${result.keptDir} was kept because ${result.why}`,
    );
    c.err(`  hint: kina never overwrites or deletes a state file it cannot read; look at it, then remove the folder: rm -rf ${result.keptDir}`);
    return EXIT_FAILURE;
  }
  c.say(result === "deleted" ? `Deleted cluster "${name}".` : `No cluster "${name}" found; nothing left to delete.`);
  return EXIT_OK;
}

async function finish(c: CommandContext, name: string, result: EngineResult, startedAt: Date): Promise<number> {
  switch (result.phase) {
    case "ready": {
      c.say(`Cluster "${name}" is ready.`);
      await sayKubeconfig(c, name, startedAt);
      await sayNoCni(c, name);
      return EXIT_OK;
    }
    case "stopped":
      c.say(`Cluster "${name}" is stopped. Start it again with \`kina start ${name}\`.`);
      return EXIT_OK;
    case "failed":
      printFailure(c, name, result, true);
      if (!result.interruptedBy) return EXIT_FAILURE;
      return result.interruptedBy === "SIGTERM" ? EXIT_SIGTERM : EXIT_SIGINT;
  }
}

/** With `networking.cni: none` the nodes are NotReady until the user's CNI runs: say so. */
async function sayNoCni(c: CommandContext, name: string): Promise<void> {
  const { openCluster } = await import("../../cluster/open.js");
  const config = (await openCluster(name, c.io.env)).data.config as { networking?: { cni?: string } } | undefined;
  if (config?.networking?.cni !== "none") return;
  c.say("  networking.cni is none: the nodes stay NotReady, and CoreDNS and the addons wait, until you install a CNI.");
}

/** Which context is current now (when this command wrote the kubeconfig) and a kubectl line that works. */
async function sayKubeconfig(c: CommandContext, name: string, startedAt: Date): Promise<void> {
  const { openCluster } = await import("../../cluster/open.js");
  const data = (await openCluster(name, c.io.env)).data;
  const context = data.outputs.context ?? `kina-${name}`;
  const write = userKubeconfigWrite(data.outputs);
  // Only a write made by this command is news; a start that left the file alone says nothing.
  if (write?.writtenAt && Date.parse(write.writtenAt) >= startedAt.getTime()) c.say(contextNote(context, write));
  const target = write?.path ?? (data.config as { kubeconfig?: { target?: string } } | undefined)?.kubeconfig?.target;
  c.say(`  ${clusterInfoCommand(context, target, c.io.env)}`);
}

function printFailure(c: CommandContext, name: string, result: Extract<EngineResult, { phase: "failed" }>, kept: boolean): void {
  const short = stepDef(result.step).short;
  c.err(`ERROR: ${result.step} ${result.interruptedBy ? "was interrupted" : "failed"}: ${result.error}`);
  if (result.hint) c.err(`  hint: ${result.hint}`);
  if (result.log) c.err(`  log: ${result.log}`);
  if (!kept) return;
  c.say(`The cluster's VMs are kept. Next:`);
  const rows: [string, string][] = [
    [`kina status ${name} --graph`, "see where it stopped"],
    [`kina resume ${name}`, `continue from ${result.step}`],
    [`kina retry ${short} ${name}`, `re-run ${result.step}, then the steps after it`],
    [`kina delete ${name}`, "remove the cluster"],
  ];
  const width = Math.max(...rows.map(([cmd]) => cmd.length)) + 3;
  for (const [cmd, why] of rows) c.say(`  ${cmd.padEnd(width)}${why}`);
}
