// What `kina status` shows: the stable JSON document (DESIGN.md §2) and the step graph.

import { STEPS, type StepId } from "../../machines/steps.js";
import type { ClusterState, StepRecord } from "../../state/schema.js";
import { formatDuration } from "../config/duration.js";
import { GLYPH, paint, type DisplayStatus } from "./glyphs.js";

export type Phase = "bootstrapping" | "ready" | "failed" | "stopped";

export interface StatusStep {
  id: StepId;
  short: string;
  status: "pending" | "running" | "done" | "failed" | "skipped";
  attempts: number;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
  error?: string;
  log?: string;
  note?: string;
}

export interface StatusDocument {
  name: string;
  phase: Phase;
  steps: StatusStep[];
  nodes: { name: string; role: string; ip?: string }[];
  kubeconfig?: string;
  context?: string;
  /** Each addon's own result (additive to the DESIGN.md schema). */
  addons?: Record<string, { status: string; message?: string }>;
}

export function phaseOf(state: ClusterState): Phase {
  const machine = state.machine as { value?: unknown } | undefined;
  const value = typeof machine?.value === "string" ? machine.value : undefined;
  if (value === "ready") return "ready";
  if (value === "failed") return "failed";
  if (value === "stopped") return "stopped";
  return "bootstrapping";
}

function stepOf(id: StepId, short: string, r: StepRecord): StatusStep {
  const last = r.attempts.at(-1);
  const out: StatusStep = { id, short, status: r.status, attempts: r.attempts.length };
  if (last) {
    out.startedAt = last.startedAt;
    if (last.finishedAt) {
      out.finishedAt = last.finishedAt;
      out.durationMs = Date.parse(last.finishedAt) - Date.parse(last.startedAt);
    }
    out.log = last.log;
  }
  if (r.error) out.error = r.error;
  if (r.note) out.note = r.note;
  return out;
}

export function statusDocument(state: ClusterState): StatusDocument {
  const doc: StatusDocument = {
    name: state.name,
    phase: phaseOf(state),
    steps: STEPS.map((s) => stepOf(s.id, s.short, state.steps[s.id])),
    nodes: (state.outputs.nodes ?? []).map((n) => ({ name: n.name, role: n.role, ...(n.ip ? { ip: n.ip } : {}) })),
  };
  if (state.outputs.kubeconfig) doc.kubeconfig = state.outputs.kubeconfig;
  if (state.outputs.context) doc.context = state.outputs.context;
  if (state.outputs.addons) doc.addons = state.outputs.addons;
  return doc;
}

/** The one-line summary for `kina status` without --graph. */
export function summaryLine(doc: StatusDocument, interrupted: boolean): string {
  const failed = doc.steps.find((s) => s.status === "failed");
  const running = doc.steps.find((s) => s.status === "running");
  switch (doc.phase) {
    case "ready":
      return `${doc.name}: ready`;
    case "failed":
      return `${doc.name}: failed at ${failed?.id ?? "?"}${failed?.error ? `: ${failed.error}` : ""}`;
    case "stopped":
      return `${doc.name}: stopped`;
    default:
      if (running) return `${doc.name}: ${interrupted ? "interrupted" : "bootstrapping"} at ${running.id}`;
      return `${doc.name}: bootstrapping`;
  }
}

/**
 * The chain, one row per step:
 *   ✓ imageBuilt          image        1 attempt    0.4s
 *   │
 *   ✗ cniInstalled        cni          2 attempts   5m0s  timed out …
 * `interrupted` is shown for a step recorded as running when no kina process holds the lock.
 */
export function renderGraph(doc: StatusDocument, opts: { color: boolean; interrupted: boolean }): string {
  const lines: string[] = [];
  lines.push(`${summaryLine(doc, opts.interrupted)}`);
  doc.steps.forEach((s, i) => {
    const display: DisplayStatus = s.status === "running" && opts.interrupted ? "interrupted" : s.status;
    const glyph = paint(GLYPH[display], display, opts.color);
    const attempts = s.attempts === 0 ? "" : `${s.attempts} attempt${s.attempts === 1 ? "" : "s"}`;
    const duration = s.durationMs !== undefined ? formatDuration(s.durationMs) : "";
    let detail = "";
    if (display === "skipped") detail = `skipped: ${s.note ?? ""}`;
    else if (display === "failed") detail = `failed: ${s.error ?? ""}`;
    else if (display === "interrupted") detail = "interrupted: resume re-runs it";
    else if (display === "running") detail = "running";
    else if (display === "pending") detail = "pending";
    const row = `  ${glyph} ${s.id.padEnd(19)} ${s.short.padEnd(11)} ${attempts.padEnd(11)} ${duration.padStart(7)}  ${detail}`;
    lines.push(row.trimEnd());
    if (display === "failed" && s.log) lines.push(`  │   log: ${s.log}`);
    if (i < doc.steps.length - 1) lines.push("  │");
  });
  const legend = (["done", "failed", "interrupted", "running", "pending", "skipped"] as DisplayStatus[])
    .map((d) => `${GLYPH[d]} ${d}`)
    .join("  ");
  lines.push("", `  ${legend}`);
  return `${lines.join("\n")}\n`;
}
