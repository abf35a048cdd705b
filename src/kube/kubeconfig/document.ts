import { Document, Pair, Scalar, YAMLMap, YAMLSeq, isCollection, isMap, isScalar, isSeq, parse, parseDocument } from "yaml";
import { KubeconfigError } from "./errors.js";

/**
 * Parsing and rendering of kubeconfig text through the `yaml` Document API, so that whatever kina
 * does not touch (foreign entries, comments, key order, quoting) is written back as it was read.
 *
 * Documents are parsed with the failsafe schema: every scalar stays the exact string it was in the
 * file. With the core schema, `017`, `1e3` or `0x1F` would be re-rendered as other spellings, and
 * Go's YAML 1.1 reader (kubectl) could then read them as something else.
 */

export const SECTIONS = ["clusters", "contexts", "users"] as const;
export type Section = (typeof SECTIONS)[number];

/** Singular field holding an entry's payload, e.g. `clusters[].cluster`. */
export const SECTION_PAYLOAD: Record<Section, string> = { clusters: "cluster", contexts: "context", users: "user" };

// The order kubectl writes top-level keys in; keys kina adds go where kubectl would have put them.
const KEY_ORDER = ["apiVersion", "clusters", "contexts", "current-context", "kind", "preferences", "users"];

const RENDER_OPTIONS = { lineWidth: 0, minContentWidth: 0, flowCollectionPadding: false } as const;

/**
 * Parses kubeconfig text. `what` names the input in error messages ("the existing kubeconfig").
 * Empty and comment-only text give a document without contents.
 */
export function parseKubeconfig(text: string, what: string): Document {
  const doc = parseDocument(text, { schema: "failsafe", prettyErrors: true });
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    throw new KubeconfigError("not-yaml", `${what} is not valid YAML: ${firstError.message.split("\n")[0]}`, {
      cause: firstError,
    });
  }
  if (isNullish(doc.contents)) {
    // `---` alone or a bare `null`: nothing there, but keep the document so its comments survive.
    doc.contents = null;
    return doc;
  }
  const root = doc.contents;
  if (!isMap(root)) {
    throw notKubeconfig(what, "its top level is not a mapping of kubeconfig fields");
  }
  const kind = scalarString(root.get("kind", true));
  if (kind !== undefined && kind !== "Config") {
    throw notKubeconfig(what, `it has kind "${kind}", a kubeconfig has kind "Config"`);
  }
  for (const section of SECTIONS) {
    const value = root.get(section, true);
    if (isNullish(value)) continue;
    if (!isSeq(value)) throw notKubeconfig(what, `its "${section}" field is not a list`);
    value.items.forEach((item, index) => {
      if (!isMap(item)) throw notKubeconfig(what, `${section}[${index}] is not a mapping`);
    });
  }
  const current = root.get("current-context", true);
  if (!isNullish(current) && !isScalar(current)) {
    throw notKubeconfig(what, `its "current-context" field is not a string`);
  }
  return doc;
}

function notKubeconfig(what: string, reason: string): KubeconfigError {
  return new KubeconfigError("not-kubeconfig", `${what} is not a kubeconfig: ${reason}`);
}

/**
 * Renders a document, indenting list items under their key the way the source did (kubectl
 * writes them unindented, which is also the default for new files).
 */
export function renderKubeconfig(doc: Document, sourceText: string | undefined): string {
  return doc.toString({ ...RENDER_OPTIONS, indentSeq: sourceIndentsSequences(doc, sourceText) });
}

function sourceIndentsSequences(doc: Document, sourceText: string | undefined): boolean {
  if (sourceText === undefined || !isMap(doc.contents)) return false;
  for (const section of SECTIONS) {
    const seq = doc.contents.get(section, true);
    if (!isSeq(seq) || seq.flow || seq.items.length === 0 || seq.range == null) continue;
    const dash = seq.range[0];
    const lineStart = sourceText.lastIndexOf("\n", dash - 1) + 1;
    return dash > lineStart;
  }
  return false;
}

/** True for absent values and YAML nulls (`~`, `null`, nothing), which the failsafe schema keeps as strings. */
export function isNullish(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  if (!isScalar(node)) return false;
  if (node.value === null || node.value === undefined) return true;
  return node.type === "PLAIN" && typeof node.value === "string" && /^(|~|null|Null|NULL)$/.test(node.value);
}

/** The string held by a scalar node, or undefined for anything else (including nulls). */
export function scalarString(node: unknown): string | undefined {
  if (!isScalar(node) || isNullish(node)) return undefined;
  return String(node.value);
}

/** The `name` of a list entry. */
export function entryName(item: unknown): string | undefined {
  return isMap(item) ? scalarString(item.get("name", true)) : undefined;
}

/**
 * A new string scalar, double-quoted whenever a YAML 1.1 or 1.2 reader would take the plain form
 * for something other than this string (kubectl reads YAML 1.1: `yes`, `on`, `017`…).
 */
export function stringNode(value: string): Scalar<string> {
  const node = new Scalar(value);
  if (readsAsOtherThan(value)) node.type = Scalar.QUOTE_DOUBLE;
  return node;
}

function readsAsOtherThan(value: string): boolean {
  if (value === "" || value.trim() !== value) return true;
  try {
    return parse(value, { schema: "core" }) !== value || parse(value, { schema: "yaml-1.1" }) !== value;
  } catch {
    return true;
  }
}

/** The root mapping, created (in block style) when the document has none. */
export function rootMap(doc: Document): YAMLMap {
  if (!isMap(doc.contents)) doc.contents = new YAMLMap() as never;
  const root = doc.contents as YAMLMap;
  // A JSON or `{}` kubeconfig: new block entries inside a flow mapping would be hard to read.
  root.flow = false;
  return root;
}

/** The list under `section`, created (empty, block style) when absent or null. */
export function sectionSeq(root: YAMLMap, section: Section): YAMLSeq {
  const value = root.get(section, true);
  if (isSeq(value)) {
    if (value.items.length === 0) value.flow = false;
    return value;
  }
  const seq = new YAMLSeq();
  setTopLevel(root, section, seq);
  return seq;
}

/** Sets a top-level key, keeping its position if present, else inserting it where kubectl would. */
export function setTopLevel(root: YAMLMap, key: string, value: unknown): void {
  if (root.has(key)) {
    const pair = root.items.find((p) => keyString(p.key) === key);
    if (pair !== undefined) {
      const old = pair.value;
      keepComments(old, value);
      pair.value = value;
      return;
    }
  }
  const rank = KEY_ORDER.indexOf(key);
  const before = root.items.findIndex((p) => {
    const other = KEY_ORDER.indexOf(keyString(p.key) ?? "");
    return rank >= 0 && other > rank;
  });
  const pair = new Pair(stringNode(key), value);
  if (before === -1) root.items.push(pair);
  else root.items.splice(before, 0, pair);
}

// Comments written on a value kina replaces (`current-context: prod # work`, `clusters: null # none
// yet`) are the user's: they move to the new value, above it when it is a list.
function keepComments(old: unknown, value: unknown): void {
  if (!isScalar(old) || !(isScalar(value) || isCollection(value))) return;
  if (old.commentBefore) value.commentBefore = old.commentBefore;
  if (!old.comment) return;
  if (isScalar(value)) value.comment = old.comment;
  else value.commentBefore = [value.commentBefore, old.comment].filter(Boolean).join("\n");
}

function keyString(key: unknown): string | undefined {
  if (typeof key === "string") return key;
  return scalarString(key);
}
