// Field ownership (metadata.managedFields) and server-side apply merging. Ownership is tracked per leaf: scalars,
// lists (treated as atomic) and empty maps. That is coarser than the real structured-merge-diff but keeps the
// behaviours users meet: per-manager entries, conflicts with other managers, removal of fields a manager dropped.

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const SEP = "\u0000";
const IGNORED_META = new Set(["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation",
  "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "name", "namespace"]);

function ignored(path) {
  if (path.length === 1) return ["apiVersion", "kind", "status"].includes(path[0]);
  return path.length === 2 && path[0] === "metadata" && IGNORED_META.has(path[1]);
}

/** Leaf paths of an object as SEP-joined strings. */
export function leaves(obj, prefix = [], out = new Set()) {
  for (const [key, value] of Object.entries(obj ?? {})) {
    const path = [...prefix, key];
    if (ignored(path)) continue;
    if (isObject(value) && Object.keys(value).length > 0) leaves(value, path, out);
    else out.add(path.join(SEP));
  }
  return out;
}

export function valueAt(obj, leaf) {
  let node = obj;
  for (const key of leaf.split(SEP)) {
    if (!isObject(node) || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

function deleteAt(obj, leaf) {
  const keys = leaf.split(SEP);
  const parents = [];
  let node = obj;
  for (const key of keys.slice(0, -1)) {
    if (!isObject(node?.[key])) return;
    parents.push([node, key]);
    node = node[key];
  }
  delete node[keys.at(-1)];
  // Drop maps the removal left empty, as the real apply does.
  for (const [parent, key] of parents.reverse()) {
    if (Object.keys(parent[key]).length === 0) delete parent[key];
    else break;
  }
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

export function toFieldsV1(set) {
  const root = {};
  for (const leaf of [...set].sort()) {
    let node = root;
    for (const key of leaf.split(SEP)) node = node[`f:${key}`] ??= {};
  }
  return root;
}

function fromFieldsV1(fields, prefix = [], out = new Set()) {
  for (const [key, value] of Object.entries(fields ?? {})) {
    if (!key.startsWith("f:")) continue;
    const path = [...prefix, key.slice(2)];
    const children = Object.keys(value ?? {}).filter((k) => k.startsWith("f:"));
    if (children.length === 0) out.add(path.join(SEP));
    else fromFieldsV1(value, path, out);
  }
  return out;
}

function readEntries(object) {
  return (object?.metadata?.managedFields ?? []).map((e) => ({ ...e, set: fromFieldsV1(e.fieldsV1) }));
}

function writeEntries(entries) {
  return entries.filter((e) => e.set.size > 0).map(({ set, ...e }) => ({ ...e, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(set) }));
}

function entryFor(entries, manager, operation, apiVersion, time) {
  let entry = entries.find((e) => e.manager === manager && e.operation === operation && !e.subresource);
  if (!entry) {
    entry = { manager, operation, apiVersion, time, set: new Set() };
    entries.push(entry);
  }
  entry.apiVersion = apiVersion;
  entry.time = time;
  return entry;
}

/** managedFields after a non-apply write (create, update, patch) by `manager`. */
export function recordUpdate({ before, after, manager, now }) {
  const entries = readEntries(before);
  const oldLeaves = before ? leaves(before) : new Set();
  const newLeaves = leaves(after);
  const changed = new Set();
  for (const leaf of newLeaves) if (!oldLeaves.has(leaf) || !same(valueAt(before, leaf), valueAt(after, leaf))) changed.add(leaf);
  const removed = [...oldLeaves].filter((leaf) => !newLeaves.has(leaf));
  for (const entry of entries) {
    for (const leaf of [...changed, ...removed]) entry.set.delete(leaf);
    // Ownership of fields that vanished because a parent changed shape goes too.
    for (const leaf of [...entry.set]) if (!newLeaves.has(leaf)) entry.set.delete(leaf);
  }
  if (changed.size > 0) {
    const entry = entryFor(entries, manager, "Update", after.apiVersion, now);
    for (const leaf of changed) entry.set.add(leaf);
  }
  return writeEntries(entries);
}

function applyMerge(live, applied) {
  if (!isObject(applied) || !isObject(live)) return structuredClone(applied);
  const out = structuredClone(live);
  for (const [key, value] of Object.entries(applied)) out[key] = applyMerge(out[key], value);
  return out;
}

/**
 * Server-side apply of `applied` by `manager` onto `live` (undefined = create).
 * Returns { object } or { conflicts: [{ manager, apiVersion, field }] }.
 */
export function serverSideApply({ live, applied, manager, force, now }) {
  const entries = readEntries(live);
  const appliedLeaves = leaves(applied);
  const conflicts = [];
  for (const entry of entries) {
    if (entry.manager === manager && entry.operation === "Apply") continue;
    for (const leaf of appliedLeaves) {
      if (entry.set.has(leaf) && !same(valueAt(live, leaf), valueAt(applied, leaf))) {
        if (force) entry.set.delete(leaf);
        else conflicts.push({ manager: entry.manager, apiVersion: entry.apiVersion, field: `.${leaf.split(SEP).join(".")}` });
      }
    }
  }
  if (conflicts.length > 0) return { conflicts };
  const mine = entryFor(entries, manager, "Apply", applied.apiVersion, now);
  let base = live ? structuredClone(live) : {};
  for (const leaf of mine.set) {
    if (appliedLeaves.has(leaf)) continue;
    if (entries.some((e) => e !== mine && e.set.has(leaf))) continue;
    deleteAt(base, leaf);
  }
  mine.set = appliedLeaves;
  const object = applyMerge(base, applied);
  object.metadata = { ...object.metadata, managedFields: writeEntries(entries) };
  return { object };
}
