import { parseAllDocuments, stringify, type DocumentOptions, type ParseOptions, type SchemaOptions } from "yaml";
import { isJsonObject, type JsonValue } from "./documents.js";

/**
 * kubeadm reads YAML with Go's YAML 1.1 rules: `yes`/`on` are booleans, so parse users' patches
 * the same way and quote such strings when writing. Timestamps stay strings, as they do when Go
 * decodes into an untyped value.
 */
const YAML_1_1: ParseOptions & DocumentOptions & SchemaOptions = {
  version: "1.1",
  customTags: (tags) => tags.filter((t) => typeof t === "string" || t.tag !== "tag:yaml.org,2002:timestamp"),
};

/** Parses a YAML stream into its non-empty documents; throws with the parser's first complaint. */
export function parseYamlDocuments(text: string): JsonValue[] {
  const out: JsonValue[] = [];
  for (const doc of parseAllDocuments(text, YAML_1_1)) {
    const first = doc.errors[0];
    if (first) throw new Error(first.message.split("\n")[0]);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    out.push(asJson(value));
  }
  return out;
}

function asJson(v: unknown): JsonValue {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`${v} is not a value kubeadm accepts`);
    return v;
  }
  if (Array.isArray(v)) return v.map(asJson);
  if (isJsonObject(v) && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asJson(x)]));
  }
  throw new Error(`a value of type ${Object.prototype.toString.call(v)} is not plain YAML data`);
}

/** Serialises documents as one `---`-separated stream that Go's YAML 1.1 reader parses back unchanged. */
export function stringifyYamlDocuments(docs: JsonValue[], header?: string): string {
  const body = docs.map((d) => stringify(d, { ...YAML_1_1, lineWidth: 0 })).join("---\n");
  return header ? `${header}\n${body}` : body;
}
