// status, get clusters, get nodes, get kubeconfig: read-only views of state on disk. These must
// stay light: no engine, no runtime, no client-node.

import { readFile } from "node:fs/promises";
import { hostname } from "node:os";
import { clusterPaths } from "../../../state/paths.js";
import { listClusterNames } from "../../../state/list.js";
import { useColor } from "../../ui/glyphs.js";
import { renderGraph, statusDocument, summaryLine } from "../../ui/status-view.js";
import { EXIT_OK, type CommandContext } from "../app.js";

/** True when no live kina process holds the cluster's lock (a `running` step was interrupted). */
async function lockIsFree(name: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const holder = JSON.parse(await readFile(clusterPaths(name, env).lock, "utf8")) as { pid?: number; host?: string };
    if (holder.host !== hostname() || typeof holder.pid !== "number") return false;
    process.kill(holder.pid, 0);
    return false;
  } catch {
    return true;
  }
}

async function openCluster(name: string, env: NodeJS.ProcessEnv) {
  // Loaded on use: the state schema is the heaviest import on these paths.
  return (await import("../../cluster/open.js")).openCluster(name, env);
}

export async function statusCommand(c: CommandContext, name: string, opts: { graph: boolean; json: boolean }): Promise<number> {
  const store = await openCluster(name, c.io.env);
  const doc = statusDocument(store.data);
  if (opts.json) {
    c.out(JSON.stringify(doc, null, 2));
    return EXIT_OK;
  }
  const interrupted = doc.steps.some((s) => s.status === "running") && (await lockIsFree(name, c.io.env));
  if (opts.graph) {
    c.out(renderGraph(doc, { color: useColor(c.io.stdout as NodeJS.WriteStream, c.io.env), interrupted }).trimEnd());
  } else {
    c.out(summaryLine(doc, interrupted));
    for (const s of doc.steps) c.out(`  ${s.id.padEnd(19)} ${s.status === "running" && interrupted ? "interrupted" : s.status}`);
  }
  if (doc.phase === "failed" || interrupted) c.say(`Continue with \`kina resume ${name}\`.`);
  return EXIT_OK;
}

export async function getClustersCommand(c: CommandContext): Promise<number> {
  const names = await listClusterNames(c.io.env);
  if (names.length === 0) c.say("No kina clusters found.");
  for (const n of names) c.out(n);
  return EXIT_OK;
}

export async function getNodesCommand(c: CommandContext, name: string): Promise<number> {
  const store = await openCluster(name, c.io.env);
  const nodes = store.data.outputs.nodes.length
    ? store.data.outputs.nodes
    : ((store.data.config as { nodes?: { name: string }[] }).nodes ?? []);
  if (nodes.length === 0) c.say(`No nodes recorded for cluster "${name}".`);
  for (const n of nodes) c.out(n.name);
  return EXIT_OK;
}

export async function getKubeconfigCommand(c: CommandContext, name: string): Promise<number> {
  const store = await openCluster(name, c.io.env);
  let text: string;
  try {
    text = await readFile(store.paths.kubeconfig, "utf8");
  } catch {
    throw new Error(`cluster "${name}" has no kubeconfig yet (step kubeconfigExported has not run); see \`kina status ${name} --graph\``);
  }
  c.io.stdout.write(text);
  return EXIT_OK;
}
