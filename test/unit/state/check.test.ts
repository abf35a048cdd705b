// The zod-free reading of state.json (state/check.ts) that keeps zod out of `kina status`: it may
// only accept what the schema accepts, and must give what the schema gives (same keys, same
// order: a store writes it back), while accepting every file kina itself writes.

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { conformingState } from "../../../state/check.js";
import { ClusterState, SCHEMA_VERSION } from "../../../state/schema.js";

const junk = fc.oneof(fc.constant(null), fc.integer(), fc.double(), fc.string({ maxLength: 3 }), fc.constant([]), fc.constant({}), fc.boolean());
const text = fc.string({ maxLength: 4 });

/** Documents shaped like state.json; with `bad`, any field may be missing, mistyped or extra. */
function documents(bad: boolean) {
  // Each field is wrong rarely, so about half the documents still conform and both sides are tried.
  const field = <T>(valid: fc.Arbitrary<T>) => (bad ? fc.oneof({ weight: 60, arbitrary: valid }, { weight: 1, arbitrary: junk }) : valid);
  const extras = bad ? fc.oneof({ weight: 9, arbitrary: fc.constant({}) }, { weight: 1, arbitrary: fc.dictionary(fc.constantFrom("zz", "extra", "nodes", "status"), junk, { maxKeys: 2 }) }) : fc.constant({});
  const rec = <T extends Record<string, fc.Arbitrary<unknown>>>(model: T, required: (keyof T)[]) =>
    field(
      fc
        .tuple(
          bad
            ? fc.oneof({ weight: 30, arbitrary: fc.record(model, { requiredKeys: required as string[] }) }, { weight: 1, arbitrary: fc.record(model, { requiredKeys: [] }) })
            : fc.record(model, { requiredKeys: required as string[] }),
          extras,
        )
        .map(([known, more]) => ({ ...more, ...known })),
    );
  const attempt = rec(
    {
      n: field(fc.integer({ min: bad ? -1 : 1, max: 9 })),
      startedAt: field(text),
      finishedAt: field(text),
      outcome: field(fc.constantFrom("done", "failed", "interrupted")),
      error: field(text),
      log: field(text),
      reason: field(text),
    },
    ["n", "startedAt", "log"],
  );
  const stepRecord = rec(
    {
      status: field(fc.constantFrom("pending", "running", "done", "failed", "skipped", "interrupted")),
      attempts: field(fc.array(attempt, { maxLength: 2 })),
      error: field(text),
      note: field(text),
      verifiedAt: field(text),
    },
    ["status", "attempts"],
  );
  const node = rec({ name: field(text), role: field(fc.constantFrom("control-plane", "worker")), ip: field(text) }, ["name", "role"]);
  const outputs = fc
    .tuple(
      rec(
        {
          image: rec({ ref: field(text), digest: field(text) }, ["ref"]),
          nodes: field(fc.array(node, { maxLength: 3 })),
          apiServerPort: field(fc.integer({ min: 1, max: 65535 })),
          network: field(text),
          kubeconfig: field(text),
          context: field(text),
          addons: field(fc.dictionary(fc.constantFrom("storage", "metrics"), rec({ status: field(fc.constantFrom("pending", "available", "failed")), message: field(text) }, ["status"]))),
        },
        [],
      ),
      // Unknown outputs are kept (a loose object).
      fc.dictionary(fc.constantFrom("later", "more"), junk, { maxKeys: 2 }),
    )
    .map(([known, loose]) => (typeof known === "object" && known !== null && !Array.isArray(known) ? { ...loose, ...known } : known));
  return rec(
    {
      schemaVersion: bad ? fc.constantFrom(SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION, SCHEMA_VERSION, 1, "2") : fc.constant(SCHEMA_VERSION),
      name: field(text),
      createdAt: field(text),
      updatedAt: field(text),
      config: fc.oneof(junk, fc.record({ nodes: fc.array(fc.record({ name: text, role: text }), { maxLength: 2 }) })),
      machine: fc.oneof(junk, fc.record({ value: fc.oneof(text, fc.dictionary(text, text)) })),
      workflowVersion: field(text),
      steps: field(fc.dictionary(fc.constantFrom("bootstrap", "stop", "start"), field(fc.dictionary(fc.constantFrom("imageBuilt", "vmRunning", "cniInstalled"), stepRecord)))),
      outputs,
    },
    ["schemaVersion", "name", "createdAt", "updatedAt", "config", "steps", "outputs"],
  ).map((doc) => JSON.parse(JSON.stringify(doc)) as unknown);
}

describe("state.json without zod", () => {
  it("accepts every document the schema accepts when it is well formed, with the schema's own result, keys in its order", () => {
    fc.assert(
      fc.property(documents(false), (doc) => {
        const light = conformingState(doc);
        const parsed = ClusterState.safeParse(doc);
        expect(parsed.success).toBe(true);
        expect(light).toBeDefined();
        expect(JSON.stringify(light)).toBe(JSON.stringify(parsed.data));
      }),
      { numRuns: 300 },
    );
  });

  it("never accepts what the schema refuses, and never differs from it on what it accepts", () => {
    fc.assert(
      fc.property(documents(true), (doc) => {
        const light = conformingState(doc);
        if (light === undefined) return;
        const parsed = ClusterState.safeParse(doc);
        expect(parsed.success, JSON.stringify(doc)).toBe(true);
        expect(JSON.stringify(light)).toBe(JSON.stringify(parsed.data));
      }),
      { numRuns: 2000 },
    );
  });

  it("leaves a __proto__ key to the schema", () => {
    const doc = JSON.parse(
      `{"schemaVersion":${SCHEMA_VERSION},"name":"a","createdAt":"t","updatedAt":"t","config":{},"steps":{"__proto__":{}},"outputs":{}}`,
    );
    expect(conformingState(doc)).toBeUndefined();
  });
});
