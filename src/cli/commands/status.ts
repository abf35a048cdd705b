// status, get clusters [--json], get nodes, get kubeconfig [--internal]: read-only views of state on disk. These must
// stay light: no engine, no runtime, no client-node.

import { positionOf } from "../../../machines/position.js";
import { liveLockHolder } from "../../../state/lock.js";
import { liveKinaVms, liveVmStates } from "../../runtime/live.js";
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
    let chain = "bootstrap";
    for (const s of doc.steps) {
      // Rows of other chains (stop, start, install-ADDON) under their chain's name.
      if (s.chain !== chain) c.out(`  ${(chain = s.chain)}:`);
      c.out(`  ${s.id.padEnd(19)} ${s.status}`);
    }
    for (const [name, a] of Object.entries(doc.addons ?? {})) c.out(`  addon ${name.padEnd(13)} ${a.status}${a.message ? `: ${a.message}` : ""}`);
  }
  if (needsResume(doc)) c.say(`Continue with \`kina resume ${name}\`.`);
  if (doc.phase === "stopped") c.say(`Start it with \`kina start ${name}\`.`);
  return exit;
}

export async function getClustersCommand(c: CommandContext, opts: { json?: boolean } = {}): Promise<number> {
  const names = await listClusterNames(c.io.env);
  if (opts.json) {
    c.out(JSON.stringify(await clusterSummaries(names, c.io.env), null, 2));
    return EXIT_OK;
  }
  if (names.length === 0) c.say("No kina clusters found.");
  for (const n of names) c.out(n);
  return EXIT_OK;
}

/** One row of `kina get clusters --json`. */
export interface ClusterSummary {
  name: string;
  phase: string;
  nodes: { name: string; role: string; ip: string | null; state: string }[];
  kubernetesVersion: string | null;
}

// Every cluster's phase and nodes from state.json plus one `container list` for all of them, so
// the listing stays as cheap as `kina status` however many clusters there are.
async function clusterSummaries(names: string[], env: NodeJS.ProcessEnv): Promise<ClusterSummary[]> {
  if (names.length === 0) return [];
  const vms = await liveKinaVms(env);
  const out: ClusterSummary[] = [];
  for (const name of names) {
    const store = await openCluster(name, env);
    const live = (await liveLockHolder(store.paths.lock)) !== undefined;
    const mine = vms?.filter((vm) => vm.cluster === name);
    const states = mine && new Map(mine.map((vm) => [vm.name, vm.state]));
    const settled = !live && positionOf(store.data.machine).kind === "settled";
    const doc = statusDocument(store.data, { live, ...(settled && states ? { vms: states } : {}) });
    const config = store.data.config as { kubernetesVersion?: string; nodes?: { name: string; role: string }[] } | undefined;
    // Before vmRunning recorded them, the planned nodes stand in (with no VM yet).
    const recorded = doc.nodes.length > 0 ? doc.nodes : (config?.nodes ?? []).map((n) => ({ name: n.name, role: n.role }));
    const nodes = recorded.map((n) => {
      const vm = mine?.find((v) => v.name === n.name);
      const ip = vm?.ip ?? ("ip" in n && typeof n.ip === "string" ? n.ip : undefined);
      return { name: n.name, role: n.role, ip: ip ?? null, state: vm?.state ?? (vms ? "missing" : "unknown") };
    });
    out.push({ name, phase: doc.phase, nodes, kubernetesVersion: config?.kubernetesVersion ?? null });
  }
  return out;
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

export async function getKubeconfigCommand(c: CommandContext, name: string, opts: { internal?: boolean } = {}): Promise<number> {
  const store = await openCluster(name, c.io.env);
  const text = await store.readKubeconfig();
  if (text === undefined) {
    throw new Error(`cluster "${name}" has no kubeconfig yet (step kubeconfigExported has not run); see \`kina status ${name} --graph\``);
  }
  if (!opts.internal) {
    c.io.stdout.write(text);
    return EXIT_OK;
  }
  // --internal: the endpoint other VMs use, the first control plane's VM address on port 6443
  // (the API server's own port; 127.0.0.1:<port> is only published on the Mac).
  const cp = store.data.outputs.nodes.find((n) => n.role === "control-plane");
  const live = cp ? (await liveKinaVms(c.io.env))?.find((vm) => vm.name === cp.name) : undefined;
  // The recorded address only stands in when `container` cannot answer: a stopped VM gets a new
  // address when it starts again.
  const ip = live ? live.ip : cp?.ip;
  if (!cp || !ip) {
    const error = new Error(`cluster "${name}" has no control-plane VM address${cp && live && live.state !== "running" ? ` (${cp.name} is ${live.state})` : ""}`);
    (error as Error & { hint?: string }).hint = `start it with \`kina start ${name}\`, then run the command again`;
    throw error;
  }
  const { withServer } = await import("../../kube/kubeconfig/admin-conf.js");
  c.io.stdout.write(withServer(text, `https://${ip}:6443`));
  return EXIT_OK;
}
