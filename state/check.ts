// A zod-free reading of state.json for the common case, a file kina wrote itself: when the document
// conforms to state/schema.ts, the same value ClusterState.parse returns (keys in the schema's
// order, unknown keys stripped where the schema strips them, `outputs.nodes` defaulted), else
// undefined and the store asks zod, whose message names what is wrong. It must never accept what
// the schema refuses; test/unit/state/check.test.ts holds it to that.

import type { ClusterState } from "./schema.js";
import { SCHEMA_VERSION } from "./records.js";

type Obj = Record<string, unknown>;

class Refused extends Error {}
const refuse = (): never => {
  throw new Refused();
};

function obj(v: unknown): Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype ? (v as Obj) : refuse();
}
function str(v: unknown): string {
  return typeof v === "string" ? v : refuse();
}
function int(v: unknown): number {
  return typeof v === "number" && Number.isSafeInteger(v) ? v : refuse();
}
function oneOf<T extends string>(v: unknown, allowed: readonly T[]): T {
  return typeof v === "string" && (allowed as readonly string[]).includes(v) ? (v as T) : refuse();
}
/** A key that is safe to assign on a plain object; zod judges a file with `__proto__` in it. */
function key(k: string): string {
  return k === "__proto__" ? refuse() : k;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : refuse();
}

/**
 * Copies `keys` of `from` that are present (in that order) through their checks. A key the shape
 * does not name sends the file to zod (`extra: "zod"`, the default), so a field added to the schema
 * but not here costs speed, never data; `"keep"` is for the schema's loose objects.
 */
function pick(from: Obj, shape: Record<string, { optional?: boolean; check: (v: unknown) => unknown }>, extra: "zod" | "keep" = "zod"): Obj {
  if (extra === "zod") for (const k of Object.keys(from)) if (!Object.hasOwn(shape, k)) refuse();
  const out: Obj = {};
  for (const [key, { optional, check }] of Object.entries(shape)) {
    if (!Object.hasOwn(from, key) || from[key] === undefined) {
      if (optional) continue;
      refuse();
    }
    out[key] = check(from[key]);
  }
  return out;
}

const req = (check: (v: unknown) => unknown) => ({ check });
const opt = (check: (v: unknown) => unknown) => ({ optional: true, check });
const any = (v: unknown) => v;

const STEP_STATUS = ["pending", "running", "done", "failed", "skipped", "interrupted"] as const;

function attempt(v: unknown): Obj {
  return pick(obj(v), {
    n: req((n) => (int(n) > 0 ? n : refuse())),
    startedAt: req(str),
    finishedAt: opt(str),
    outcome: opt((o) => oneOf(o, ["done", "failed", "interrupted"])),
    error: opt(str),
    log: req(str),
    reason: opt(str),
    containerCalls: opt((c) => (int(c) >= 0 ? c : refuse())),
  });
}

function stepRecord(v: unknown): Obj {
  return pick(obj(v), {
    status: req((s) => oneOf(s, STEP_STATUS)),
    attempts: req((a) => arr(a).map(attempt)),
    error: opt(str),
    note: opt(str),
    verifiedAt: opt(str),
  });
}

function record(v: unknown, value: (v: unknown) => unknown): Obj {
  const out: Obj = {};
  for (const [k, x] of Object.entries(obj(v))) out[key(k)] = value(x);
  return out;
}

function outputs(v: unknown): Obj {
  const from = obj(v);
  const known = {
    image: opt((i) => pick(obj(i), { ref: req(str), digest: opt(str) })),
    nodes: opt((n) =>
      arr(n).map((node) => pick(obj(node), { name: req(str), role: req((r) => oneOf(r, ["control-plane", "worker"])), ip: opt(str) })),
    ),
    apiServerPort: opt(int),
    network: opt(str),
    kubeconfig: opt(str),
    context: opt(str),
    addons: opt((a) =>
      record(a, (x) =>
        pick(obj(x), {
          status: req((s) => oneOf(s, ["pending", "available", "failed"])),
          message: opt(str),
          source: opt(str),
          objects: opt((o) => arr(o).map((r) => pick(obj(r), { apiVersion: req(str), kind: req(str), name: req(str), namespace: opt(str) }))),
        }),
      ),
    ),
  };
  // `nodes` defaults to [] when absent (not when null: that is zod's to refuse).
  const out = pick(Object.hasOwn(from, "nodes") ? from : { ...from, nodes: [] }, known, "keep");
  // A loose object: keys the schema does not name are kept, after the named ones.
  for (const [k, x] of Object.entries(from)) if (!Object.hasOwn(known, k)) out[key(k)] = x;
  return out;
}

/** The parsed state when `doc` plainly conforms to the schema; undefined when zod must judge it. */
export function conformingState(doc: unknown): ClusterState | undefined {
  try {
    return pick(obj(doc), {
      schemaVersion: req((s) => (s === SCHEMA_VERSION ? s : refuse())),
      name: req(str),
      createdAt: req(str),
      updatedAt: req(str),
      config: { check: any },
      machine: opt(any),
      workflowVersion: opt(str),
      steps: req((s) => record(s, (chain) => record(chain, stepRecord))),
      outputs: req(outputs),
    }) as ClusterState;
  } catch (error) {
    if (error instanceof Refused) return undefined;
    throw error;
  }
}
