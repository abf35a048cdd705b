// kina export kubeconfig | logs.

import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { clusterPaths, createdKubeconfigsLedger } from "../../../state/paths.js";
import { UsageError } from "../../config/resolve.js";
import { EXIT_OK, type CommandContext } from "../context.js";
import { clusterInfoCommand, contextNote } from "./kubeconfig-notes.js";

async function openCluster(name: string, env: NodeJS.ProcessEnv) {
  return (await import("../../cluster/open.js")).openCluster(name, env);
}

/**
 * (Re)writes kina's entries for the cluster into the user's kubeconfig, as the kubeconfigExported
 * step does: `--kubeconfig FILE`, else the file the cluster was created with, else kubectl's
 * choice from $KUBECONFIG / ~/.kube/config. Brings back a context the user deleted.
 */
export async function exportKubeconfigCommand(
  c: CommandContext,
  name: string,
  opts: { kubeconfig?: string | undefined; switchContext: boolean },
): Promise<number> {
  if (opts.kubeconfig !== undefined && opts.kubeconfig.trim() === "") throw new UsageError("--kubeconfig needs a file path");
  const store = await openCluster(name, c.io.env);
  const kinaYaml = await store.readKubeconfig();
  if (kinaYaml === undefined) {
    const error = new Error(`cluster "${name}" has no kubeconfig yet: step kubeconfigExported has not run`);
    (error as Error & { hint?: string }).hint = `see \`kina status ${name} --graph\`; \`kina resume ${name}\` continues the create`;
    throw error;
  }
  const { exportKubeconfig, kinaEntryName, kubeconfigPaths, mergeTargetPath } = await import("../../kube/kubeconfig/index.js");
  const recorded = (store.data.config as { kubeconfig?: { target?: string } } | undefined)?.kubeconfig?.target;
  const target = opts.kubeconfig
    ? resolve(opts.kubeconfig)
    : (recorded ?? mergeTargetPath(kubeconfigPaths(c.io.env, c.io.env.HOME ?? homedir())));
  const result = await exportKubeconfig({
    targetPath: target,
    kinaYaml,
    switchContext: opts.switchContext,
    createdLedger: createdKubeconfigsLedger(c.io.env),
  });
  const context = kinaEntryName(name);
  await rememberTarget(c, name, target, result.currentContext);
  c.say(result.changed ? `Wrote ${context} into ${target}${result.backupPath ? ` (your original is kept in ${result.backupPath})` : ""}` : `${target} already holds ${context}`);
  c.say(contextNote(context, { path: target, currentContext: result.currentContext }));
  c.say(`  ${clusterInfoCommand(context, target, c.io.env)}`);
  return EXIT_OK;
}

/**
 * Records the file in the cluster's state (under the cluster lock, as every state write), so
 * `kina delete` removes kina's entries from it too, also when it is outside $KUBECONFIG.
 */
async function rememberTarget(c: CommandContext, name: string, target: string, currentContext: string): Promise<void> {
  const { acquireClusterLock } = await import("../../../state/lock.js");
  const lock = await acquireClusterLock(name, clusterPaths(name, c.io.env).lock, `kina ${c.argv.join(" ")}`, c.say);
  try {
    const store = await openCluster(name, c.io.env);
    const known = (store.data.outputs["exportedKubeconfigs"] as string[] | undefined) ?? [];
    await store.update((data) => {
      data.outputs["exportedKubeconfigs"] = known.includes(target) ? known : [...known, target];
      data.outputs["userKubeconfig"] = { path: target, currentContext, writtenAt: new Date().toISOString() };
    });
  } finally {
    await lock.release();
  }
}

function timestamp(now: Date): string {
  // 2026-12-02T00:34:56.789Z → 20261202-003456: sortable, and safe in a file name everywhere.
  return now.toISOString().replace(/\.\d+Z$/, "").replace(/[-:]/g, "").replace("T", "-");
}

/** Collects the bundle (src/export/logs.ts); prints the folder and the .tar.gz on stdout. */
export async function exportLogsCommand(c: CommandContext, name: string, dirArg: string | undefined): Promise<number> {
  if (dirArg !== undefined && dirArg.trim() === "") throw new UsageError("export logs: DIR is empty; give a folder to create, or none for ./kina-logs-NAME-TIME");
  const dir = resolve(dirArg ?? `kina-logs-${name}-${timestamp(new Date())}`);
  // Checked before anything is written: kina never mixes its bundle into an existing folder.
  if (existsSync(dir)) throw new UsageError(`export logs: ${dir} already exists; give a new folder (kina creates it)`);
  if (existsSync(`${dir}.tar.gz`)) throw new UsageError(`export logs: ${dir}.tar.gz already exists; give another folder name`);
  const store = await openCluster(name, c.io.env);
  const { ContainerCli } = await import("../../runtime/container.js");
  const { containerBinary } = await import("../../runtime/live.js");
  const { exportLogs } = await import("../../export/logs.js");
  c.say(`Exporting logs for cluster "${name}" ...`);
  const runtime = new ContainerCli({ binary: containerBinary(c.io.env), env: c.io.env, signal: c.signal });
  const bundle = await exportLogs({ store, dir, runtime, signal: c.signal });
  if (bundle.missing.length > 0) {
    c.say(`WARNING: ${bundle.missing.length} part${bundle.missing.length === 1 ? "" : "s"} could not be collected (each has a *.unavailable.txt saying why; list in ${resolve(dir, "unavailable.txt")}):`);
    for (const m of bundle.missing.slice(0, 5)) c.say(`  ${m}`);
    if (bundle.missing.length > 5) c.say(`  … and ${bundle.missing.length - 5} more`);
  }
  c.say("Keys, tokens and certificate key material are redacted; look the bundle over before you share it.");
  c.out(bundle.dir);
  c.out(bundle.tarball);
  return EXIT_OK;
}
