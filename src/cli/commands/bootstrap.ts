// create, resume, retry, delete: the commands that run the engine or undo a cluster.

import { stepInfo, type StepId } from "../../../machines/steps.js";
import { createCluster, continueCluster, deleteCluster, planResume } from "../../cluster/operations.js";
import { loadConfigFile } from "../../config/load.js";
import { parseTimeoutFlags, pickClusterName, resolveConfig } from "../../config/resolve.js";
import type { ClusterConfigFile } from "../../config/schema.js";
import type { EngineResult } from "../../engine/engine.js";
import { nodeImageDefaults } from "../../image/nodeImage.js";
import { EXIT_FAILURE, EXIT_OK, type CommandContext } from "../app.js";
import { makeReporter } from "./reporter.js";

export interface CreateArgs {
  name?: string | undefined;
  cluster?: string | undefined;
  config?: string | undefined;
  image?: string | undefined;
  timeout: string[];
  deleteOnFailure: boolean;
  switchContext: boolean;
  kubeconfig?: string | undefined;
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
  if (args.config) file = await loadConfigFile(args.config, c.io.stdin);
  const name = pickClusterName(args.cluster, args.name, c.io.env, file?.name);
  const timeoutFlags = parseTimeoutFlags(args.timeout);
  const defaults = nodeImageDefaults();
  const config = resolveConfig(file, {
    name,
    defaultImage: defaults.image,
    defaultKubernetesVersion: defaults.kubernetesVersion,
    ...(args.image ? { imageOverride: args.image } : {}),
    timeoutFlags,
    ...(args.kubeconfig ? { kubeconfigTarget: args.kubeconfig } : {}),
    switchContext: args.switchContext,
    warn: (m) => c.say(`WARNING: ${m}`),
  });
  const driver = await c.loadDriver();
  const reporter = await makeReporter(c);
  const result = await createCluster(config, { ...deps(c), driver, reporter });
  if (result.phase === "failed" && args.deleteOnFailure) {
    printFailure(c, name, result, false);
    c.say(`Deleting cluster "${name}" (--delete-on-failure) ...`);
    await deleteCluster(name, { ...deps(c), driver });
    return EXIT_FAILURE;
  }
  return finish(c, name, result);
}

export async function resumeCommand(c: CommandContext, name: string, dryRun: boolean, timeout: string[] = []): Promise<number> {
  const timeouts = parseTimeoutFlags(timeout);
  const driver = await c.loadDriver();
  if (dryRun) {
    const rows = await planResume(name, { driver, env: c.io.env, signal: c.signal });
    c.out(`kina resume ${name} would:`);
    for (const row of rows) c.out(`  ${row.action === "run" ? "run " : "skip"}  ${row.step.padEnd(19)} ${row.why}`);
    return EXIT_OK;
  }
  const reporter = await makeReporter(c);
  const result = await continueCluster(name, { kind: "resume" }, { ...deps(c), driver, reporter, timeouts });
  if ("nothingToDo" in result) {
    c.say(`Cluster "${name}" is ready; nothing to resume. \`kina retry STEP ${name}\` re-runs a step.`);
    return EXIT_OK;
  }
  return finish(c, name, result);
}

export async function retryCommand(c: CommandContext, name: string, step: StepId, timeout: string[] = []): Promise<number> {
  const timeouts = parseTimeoutFlags(timeout);
  const driver = await c.loadDriver();
  const reporter = await makeReporter(c);
  const result = await continueCluster(name, { kind: "retry", step }, { ...deps(c), driver, reporter, timeouts });
  return finish(c, name, result as EngineResult);
}

export async function deleteCommand(c: CommandContext, name: string): Promise<number> {
  const driver = await c.loadDriver();
  c.say(`Deleting cluster "${name}" ...`);
  const result = await deleteCluster(name, { ...deps(c), driver });
  c.say(result === "deleted" ? `Deleted cluster "${name}".` : `No cluster "${name}" found; nothing left to delete.`);
  return EXIT_OK;
}

function finish(c: CommandContext, name: string, result: EngineResult): number {
  if (result.phase === "ready") {
    c.say(`Cluster "${name}" is ready.`);
    c.say(`  kubectl cluster-info --context kina-${name}`);
    return EXIT_OK;
  }
  printFailure(c, name, result, true);
  return EXIT_FAILURE;
}

function printFailure(c: CommandContext, name: string, result: Extract<EngineResult, { phase: "failed" }>, kept: boolean): void {
  const short = stepInfo(result.step).short;
  c.say(`ERROR: ${result.step} failed: ${result.error}`);
  if (result.log) c.say(`  log: ${result.log}`);
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
