// status, get clusters, get nodes, get kubeconfig: read-only views of state on disk. These must
// stay light: no engine, no runtime, no client-node.

import { positionOf } from "../../../machines/position.js";
import { liveLockHolder } from "../../../state/lock.js";
import { liveVmStates } from "../../runtime/live.js";
import { listClusterNames } from "../../../state/list.js";
import { useColor } from "../../ui/glyphs.js";
import { needsResume, renderGraph, statusDocument, summaryLine } from "../../ui/status-view.js";
import { EXIT_FAILURE, EXIT_OK, type CommandContext } from "../context.js";

async function openCluster(name: string, env: NodeJS.ProcessEnv) {
  // Loaded on use: the state schema is the heaviest import on these paths.
  return (await import("../../cluster/open.js")).openCluster(name, env);
}

export async function statusCommand(c: CommandContext, name: string, opts: { graph: boolean; json: boolean }): Promise<number> {
  const store = await openCluster(name, c.io.env);
  // Never waits for the lock: a running create is shown as running, a dead one as interrupted.
  const live = (await liveLockHolder(store.paths.lock)) !== undefined;
  // One `container list` for a settled cluster: its VMs may have stopped behind kina's back.
  const settled = !live && positionOf(store.data.machine).kind === "settled";
  const vms = settled ? await liveVmStates(name, c.io.env) : undefined;
  const doc = statusDocument(store.data, { live, ...(vms ? { vms } : {}) });
  // A failed cluster exits 1 in every view, so `kina status NAME && …` means "it is fine".
  const exit = doc.phase === "failed" ? EXIT_FAILURE : EXIT_OK;
  if (opts.json) {
    c.out(JSON.stringify(doc, null, 2));
    return exit;
  }
  if (opts.graph) {
    c.out(renderGraph(doc, { color: useColor(c.io.stdout as NodeJS.WriteStream, c.io.env) }).trimEnd());
  } else {
    c.out(summaryLine(doc));
    for (const s of doc.steps) c.out(`  ${s.id.padEnd(19)} ${s.status}`);
  }
  if (needsResume(doc)) c.say(`Continue with \`kina resume ${name}\`.`);
  if (doc.phase === "stopped") c.say(`Start it with \`kina start ${name}\`.`);
  return exit;
}

export async function getClustersCommand(c: CommandContext): Promise<number> {
  const names = await listClusterNames(c.io.env);
  if (names.length === 0) c.say("No kina clusters found.");
  for (const n of names) c.out(n);
  return EXIT_OK;
}

export async function getNodesCommand(c: CommandContext, name: string): Promise<number> {
  const store = await openCluster(name, c.io.env);
  // Only VMs that exist: the ones kina recorded, else the ones labelled for this cluster. The
  // config's planned names are never listed: a VM of that name may not be kina's.
  let nodes = store.data.outputs.nodes.map((n) => n.name);
  if (nodes.length === 0) nodes = [...((await liveVmStates(name, c.io.env))?.keys() ?? [])].sort();
  if (nodes.length === 0) c.say(`No nodes found for cluster "${name}".`);
  for (const n of nodes) c.out(n);
  return EXIT_OK;
}

export async function getKubeconfigCommand(c: CommandContext, name: string): Promise<number> {
  const store = await openCluster(name, c.io.env);
  const text = await store.readKubeconfig();
  if (text === undefined) {
    throw new Error(`cluster "${name}" has no kubeconfig yet (step kubeconfigExported has not run); see \`kina status ${name} --graph\``);
  }
  c.io.stdout.write(text);
  return EXIT_OK;
}
