import { isMap, isScalar, isSeq, type Document, type YAMLMap, type YAMLSeq } from "yaml";
import { KubeconfigError } from "./errors.js";
import {
  SECTIONS,
  entryName,
  isNullish,
  parseKubeconfig,
  renderKubeconfig,
  rootMap,
  scalarString,
  sectionSeq,
  setTopLevel,
  stringNode,
  type Section,
} from "./document.js";
import { kinaEntryName } from "./names.js";

export interface MergeOptions {
  /** Make kina's context the current one even when the file already has a current context. */
  switchContext: boolean;
  /** Names the existing kubeconfig in error messages, e.g. its path. */
  source?: string;
}

/**
 * Adds kina's cluster, user and context (from `kinaYaml`, as made by `fromAdminConf`) to a user's
 * kubeconfig, replacing older entries of the same names in place. Everything else in the file is
 * kept: foreign entries, their order, extensions, preferences, comments. current-context becomes
 * kina's when `switchContext` is set or the file has none.
 */
export function mergeInto(existingYaml: string | undefined, kinaYaml: string, options: MergeOptions): string {
  const ours = readKinaEntries(kinaYaml);
  const doc = parseKubeconfig(existingYaml ?? "", options.source ?? "the existing kubeconfig");
  const root = rootMap(doc);

  for (const section of SECTIONS) {
    upsert(sectionSeq(root, section), ours.name, ours.entries[section]);
  }
  const current = scalarString(root.get("current-context", true));
  // A file that has no current context gets kina's, unless the user said --no-switch-context
  // and the file is new: then there was never a context to keep, and none is set.
  const isNew = existingYaml === undefined;
  if (options.switchContext || (!isNew && (current === undefined || current === ""))) {
    setTopLevel(root, "current-context", stringNode(ours.name));
  }
  // The JavaScript client refuses a kubeconfig without them (kind#1242).
  if (isNullish(root.get("apiVersion", true))) setTopLevel(root, "apiVersion", stringNode("v1"));
  if (isNullish(root.get("kind", true))) setTopLevel(root, "kind", stringNode("Config"));
  return renderKubeconfig(doc, existingYaml);
}

export interface RemoveResult {
  /** The new file content; the input itself, unchanged, when `changed` is false. */
  text: string;
  changed: boolean;
}

/**
 * Removes the cluster, user and context entries named `kina-<cluster>`, and clears current-context
 * if it named kina's context. Foreign entries, and comments written next to kina's entries, stay.
 */
export function removeFrom(existingYaml: string, cluster: string, options: { source?: string } = {}): RemoveResult {
  const name = kinaEntryName(cluster);
  const doc = parseKubeconfig(existingYaml, options.source ?? "the kubeconfig");
  if (!isMap(doc.contents)) return { text: existingYaml, changed: false };
  const root = doc.contents;

  let changed = false;
  for (const section of SECTIONS) {
    const seq = root.get(section, true);
    if (!isSeq(seq)) continue;
    const before = seq.items.length;
    for (let index = seq.items.length - 1; index >= 0; index--) {
      if (entryName(seq.items[index]) === name) removeAt(seq, index);
    }
    if (seq.items.length === before) continue;
    changed = true;
    if (seq.items.length === 0) moveCommentsAboveKey(root, section, seq);
  }
  if (scalarString(root.get("current-context", true)) === name) {
    setTopLevel(root, "current-context", stringNode(""));
    changed = true;
  }
  return changed ? { text: renderKubeconfig(doc, existingYaml), changed } : { text: existingYaml, changed };
}

interface KinaEntries {
  name: string;
  entries: Record<Section, YAMLMap>;
}

function readKinaEntries(kinaYaml: string): KinaEntries {
  const what = "kina's kubeconfig for the cluster";
  const doc: Document = parseKubeconfig(kinaYaml, what);
  const root = doc.contents;
  const entries = {} as Record<Section, YAMLMap>;
  let name: string | undefined;
  for (const section of SECTIONS) {
    const seq = isMap(root) ? root.get(section, true) : undefined;
    const entry = isSeq(seq) && seq.items.length === 1 ? seq.items[0] : undefined;
    const entryNameHere = entryName(entry);
    if (!isMap(entry) || entryNameHere === undefined || !entryNameHere.startsWith(kinaEntryName(""))) {
      throw new KubeconfigError("not-kubeconfig", `${what} must hold exactly one kina-named entry in "${section}"`);
    }
    if (name !== undefined && entryNameHere !== name) {
      throw new KubeconfigError("not-kubeconfig", `${what} names its entries differently ("${name}", "${entryNameHere}")`);
    }
    name = entryNameHere;
    entries[section] = entry;
  }
  return { name: name as string, entries };
}

/** Replaces the first entry named `name` in place (dropping later duplicates), or appends one. */
function upsert(seq: YAMLSeq, name: string, entry: YAMLMap): void {
  const matches = seq.items.flatMap((item, index) => (entryName(item) === name ? [index] : []));
  const fresh = entry.clone() as YAMLMap;
  const first = matches[0];
  if (first === undefined) {
    seq.items.push(fresh);
    return;
  }
  for (const index of matches.slice(1).reverse()) removeAt(seq, index);
  const old = seq.items[first] as YAMLMap;
  // Comments the user wrote around our entry are theirs, not part of the entry.
  fresh.commentBefore = old.commentBefore;
  fresh.spaceBefore = old.spaceBefore;
  fresh.comment = old.comment;
  seq.items[first] = fresh;
}

/**
 * Removes one list item. The parser attaches a comment line to the item that follows it (and a
 * trailing one to the item before), so comments attached to the removed item move to a neighbour.
 */
function removeAt(seq: YAMLSeq, index: number): void {
  const removed = seq.items[index] as YAMLMap;
  seq.items.splice(index, 1);
  const previous = seq.items[index - 1] as YAMLMap | undefined;
  const next = seq.items[index] as YAMLMap | undefined;
  if (removed.commentBefore) {
    if (next !== undefined) next.commentBefore = joinComments(removed.commentBefore, next.commentBefore);
    else if (previous !== undefined) previous.comment = joinComments(previous.comment, removed.commentBefore);
    else seq.commentBefore = joinComments(seq.commentBefore, removed.commentBefore);
  }
  if (removed.spaceBefore && next !== undefined) next.spaceBefore = true;
  if (removed.comment) {
    if (previous !== undefined) previous.comment = joinComments(previous.comment, removed.comment);
    else if (next !== undefined) next.commentBefore = joinComments(removed.comment, next.commentBefore);
    else seq.comment = joinComments(removed.comment, seq.comment);
  }
}

/**
 * The `yaml` package renders comments around an empty list as invalid YAML (`key:\n# c\n[]`), so
 * when kina empties a list, the comments that were inside it go above its key instead.
 */
function moveCommentsAboveKey(root: YAMLMap, section: Section, seq: YAMLSeq): void {
  const moved = joinComments(seq.commentBefore, seq.comment);
  if (moved === "") return;
  const key = root.items.find((pair) => scalarString(pair.key) === section)?.key;
  if (!isScalar(key)) return;
  key.commentBefore = joinComments(key.commentBefore, moved);
  seq.commentBefore = undefined;
  seq.comment = undefined;
}

function joinComments(first: string | null | undefined, second: string | null | undefined): string {
  return [first, second].filter((c): c is string => typeof c === "string" && c.length > 0).join("\n");
}
