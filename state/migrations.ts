// Schema migrations: MIGRATIONS[n] turns a version-n document into version n+1. Empty while the
// schema is at version 1; the hook exists so version 2 is a one-function change.

type Doc = Record<string, unknown>;

export const MIGRATIONS: Record<number, (doc: Doc) => Doc> = {};

export function migrate(doc: Doc, from: number, to: number): Doc {
  let current = doc;
  for (let v = from; v < to; v++) {
    const step = MIGRATIONS[v];
    if (!step) throw new Error(`no migration from state schema version ${v} to ${v + 1}`);
    current = { ...step(current), schemaVersion: v + 1 };
  }
  return current;
}
