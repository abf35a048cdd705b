// Schema migrations: MIGRATIONS[n] turns a version-n document into version n+1. The store keeps a
// copy of the original file (state.json.v<n>.bak) before its first write of the new version.

type Doc = Record<string, unknown>;

/**
 * 1 → 2: step records move under their chain (all of version 1's steps were bootstrap steps), and
 * the machine snapshot is rewritten in the hierarchical machine's terms. A version-1 snapshot was
 * a flat state name: "ready", "failed", or the step it was inside. No workflow version is set, so
 * the engine re-enters the cluster from that position instead of restoring XState internals (an
 * interrupted step is then re-run, as it was before).
 */
function v1ToV2(doc: Doc): Doc {
  const old = (doc.machine ?? undefined) as { value?: unknown; context?: Record<string, unknown> } | undefined;
  const { workflowVersion: _ignored, ...rest } = doc;
  const out: Doc = { ...rest, steps: { bootstrap: doc.steps ?? {} } };
  if (old && typeof old.value === "string") {
    const ctx = old.context ?? {};
    const context: Record<string, unknown> = { topology: ctx.topology };
    let value: unknown = old.value;
    if (old.value === "failed") {
      context.failure = {
        chain: "bootstrap",
        step: ctx.failedStep ?? "imageBuilt",
        error: typeof ctx.error === "string" ? ctx.error : "unknown error",
      };
    } else if (old.value !== "ready") {
      value = { bootstrap: { [old.value]: "running" } };
    }
    out.machine = { status: "active", value, context, children: {}, historyValue: {} };
  } else {
    delete out.machine;
  }
  return out;
}

export const MIGRATIONS: Record<number, (doc: Doc) => Doc> = { 1: v1ToV2 };

export function migrate(doc: Doc, from: number, to: number): Doc {
  let current = doc;
  for (let v = from; v < to; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`no migration from state schema version ${v} to ${v + 1}`);
    current = { ...step(current), schemaVersion: v + 1 };
  }
  return current;
}
