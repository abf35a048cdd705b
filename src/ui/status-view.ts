// What `kina status` shows: the stable JSON document (DESIGN.md §2) and the step graph. The rows
// come from the workflow registry: the bootstrap chain always, then every other chain the cluster
// has run (start, stop), each step tagged with its chain.

import { phaseOf, positionOf, type Phase, type Position } from "../../machines/position.js";
import { CHAINS, CHAIN_IDS, chainSteps, stepDef, type ChainId, type StepId } from "../../machines/workflows.js";
import { stepRecord } from "../../state/records.js";
import type { ClusterState, StepRecord, StepStatus } from "../../state/schema.js";
import { formatDuration } from "../config/duration.js";
import { GLYPH, paint, type DisplayStatus } from "./glyphs.js";

export interface StatusStep {
  id: StepId;
  short: string;
  /** Which chain the row belongs to (additive to the DESIGN.md schema). */
  chain: ChainId;
  /**
   * pending | running | done | failed | skipped | interrupted. `interrupted` (additive to the
   * DESIGN.md schema's first five) is a step that Ctrl-C or SIGTERM ended (`error` then says which:
   * "interrupted by Ctrl-C" / "interrupted by SIGTERM"), or one on disk as running with no live kina
   * behind it (kill -9, a power cut). `kina resume` re-runs it; `--graph` shows it as `!`.
   */
  status: StepStatus;
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  /** Profile of the last attempt (additive): its wall time, once it settled… */
  durationMs?: number;
  /** …and how many `container` processes it started (absent for attempts kina did not count). */
  containerCalls?: number;
  error?: string;
  log?: string;
  note?: string;
}

export interface StatusDocument {
  name: string;
  phase: Phase;
  steps: StatusStep[];
  /** `state`: the VM's state as `container` reports it now, when it answered (additive). */
  nodes: { name: string; role: string; ip?: string; state?: string }[];
  kubeconfig?: string;
  context?: string;
  /** Each addon's own result (additive to the DESIGN.md schema). */
  addons?: Record<string, { status: string; message?: string; source?: string }>;
}

function rowOf(chain: ChainId, id: StepId, r: StepRecord, interrupted: boolean): StatusStep {
  const last = r.attempts.at(-1);
  // A step on disk as running with no live kina process behind it was cut off.
  const status: StepStatus = r.status === "running" && interrupted ? "interrupted" : r.status;
  const out: StatusStep = { id, short: stepDef(id).short, chain, status, attempts: r.attempts.length };
  if (last) {
    out.startedAt = last.startedAt;
    if (last.finishedAt) {
      out.finishedAt = last.finishedAt;
      out.durationMs = Date.parse(last.finishedAt) - Date.parse(last.startedAt);
    }
    if (last.containerCalls !== undefined) out.containerCalls = last.containerCalls;
    out.log = last.log;
  }
  if (r.error) out.error = r.error;
  if (r.note) out.note = r.note;
  return out;
}

/** The bootstrap chain, then any other chain with a record or the one the cluster is in now. */
function chainsShown(state: ClusterState, position: Position): ChainId[] {
  return CHAIN_IDS.filter(
    (c) => c === "bootstrap" || (position.kind === "chain" && position.chain === c) || Object.keys(state.steps[c] ?? {}).length > 0,
  );
}

/**
 * `live`: whether a kina process holds the cluster's lock now (a running step is really running).
 * `vms`: the node VMs' states from `container`, when known: a ready cluster whose VMs are all
 * stopped (a Mac restart) is shown as `stopped`.
 */
export function statusDocument(state: ClusterState, opts: { live: boolean; vms?: Map<string, string> }): StatusDocument {
  const position = positionOf(state.machine);
  const steps = chainsShown(state, position).flatMap((c) =>
    chainSteps(c).map((s) => rowOf(c, s.id, stepRecord(state, c, s.id), !opts.live)),
  );
  const nodes = (state.outputs.nodes ?? []).map((n) => {
    const vm = opts.vms?.get(n.name);
    return { name: n.name, role: n.role, ...(n.ip ? { ip: n.ip } : {}), ...(opts.vms ? { state: vm ?? "missing" } : {}) };
  });
  let phase = phaseOf(position);
  // A failed chain with a live lock holder is being continued (a resume, or the background resume
  // of `create --wait`) that has not written its first step yet: show the chain's phase.
  if (opts.live && position.kind === "settled" && position.failure) phase = CHAINS[position.failure.chain].phase;
  if (phase === "ready" && nodes.length > 0 && nodes.every((n) => n.state === "stopped")) phase = "stopped";
  const doc: StatusDocument = { name: state.name, phase, steps, nodes };
  if (state.outputs.kubeconfig) doc.kubeconfig = state.outputs.kubeconfig;
  if (state.outputs.context) doc.context = state.outputs.context;
  if (state.outputs.addons) {
    // What an install applied stays in state.json (for uninstall); status shows the result.
    doc.addons = Object.fromEntries(
      Object.entries(state.outputs.addons).map(([name, a]) => [
        name,
        { status: a.status, ...(a.message ? { message: a.message } : {}), ...(a.source ? { source: a.source } : {}) },
      ]),
    );
  }
  return doc;
}

/** The one-line summary for `kina status` without --graph. */
export function summaryLine(doc: StatusDocument): string {
  const failed = doc.steps.find((s) => s.status === "failed" || s.status === "interrupted");
  const running = doc.steps.find((s) => s.status === "running");
  switch (doc.phase) {
    case "ready":
    case "stopped":
      return `${doc.name}: ${doc.phase}`;
    case "failed":
      if (failed?.status === "interrupted") return `${doc.name}: interrupted at ${failed.id}${failed.error ? `: ${failed.error}` : ""}`;
      return `${doc.name}: failed at ${failed?.id ?? "?"}${failed?.error ? `: ${failed.error}` : ""}`;
    default: {
      if (running) return `${doc.name}: ${doc.phase} at ${running.id}`;
      const cut = doc.steps.find((s) => s.status === "interrupted");
      if (cut) return `${doc.name}: interrupted at ${cut.id} (${doc.phase})`;
      return `${doc.name}: ${doc.phase}`;
    }
  }
}

/** Whether the user should be pointed at `kina resume`. */
export function needsResume(doc: StatusDocument): boolean {
  return doc.phase === "failed" || doc.steps.some((s) => s.status === "interrupted" && doc.phase !== "ready" && doc.phase !== "stopped");
}

/**
 * The chains, one row per step:
 *   ✓ imageBuilt          image        1 attempt    0.4s
 *   │
 *   ✗ cniInstalled        cni          2 attempts   5m0s  failed: …
 */
export function renderGraph(doc: StatusDocument, opts: { color: boolean }): string {
  const lines: string[] = [summaryLine(doc)];
  const chains = [...new Set(doc.steps.map((s) => s.chain))];
  for (const chain of chains) {
    const rows = doc.steps.filter((s) => s.chain === chain);
    if (chains.length > 1) lines.push("", `  ${chain}`);
    rows.forEach((s, i) => {
      const display: DisplayStatus = s.status;
      const glyph = paint(GLYPH[display], display, opts.color);
      const attempts = s.attempts === 0 ? "" : `${s.attempts} attempt${s.attempts === 1 ? "" : "s"}`;
      const duration = s.durationMs !== undefined ? formatDuration(s.durationMs) : "";
      let detail = "";
      if (display === "skipped") detail = `skipped: ${s.note ?? ""}`;
      else if (display === "failed") detail = `failed: ${s.error ?? ""}`;
      else if (display === "interrupted") detail = `interrupted${s.error ? `: ${s.error}` : ""}: resume re-runs it`;
      else if (display === "running") detail = "running";
      else if (display === "pending") detail = "pending";
      const row = `  ${glyph} ${s.id.padEnd(19)} ${s.short.padEnd(11)} ${attempts.padEnd(11)} ${duration.padStart(7)}  ${detail}`;
      lines.push(row.trimEnd());
      if ((display === "failed" || display === "interrupted") && s.log) lines.push(`  │   log: ${s.log}`);
      if (i < rows.length - 1) lines.push("  │");
    });
  }
  const legend = (["done", "failed", "interrupted", "running", "pending", "skipped"] as DisplayStatus[])
    .map((d) => `${GLYPH[d]} ${d}`)
    .join("  ");
  lines.push("", `  ${legend}`);
  return `${lines.join("\n")}\n`;
}
