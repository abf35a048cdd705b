/** A JSON-compatible value, as parsed from YAML. */
export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** One document of the kubeadm config stream; matched by patches on kind (and apiVersion). */
export interface KubeDocument extends JsonObject {
  apiVersion: string;
  kind: string;
}

export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function deepClone<T extends JsonValue>(v: T): T {
  return structuredClone(v);
}

/** "group/version" → [group, version]; a bare "v1" has the empty group, as in Kubernetes TypeMeta. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.lastIndexOf("/");
  return i === -1
    ? { group: "", version: apiVersion }
    : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/**
 * kind's matching rule: kind must be equal; a patch without apiVersion matches any version; a
 * patch naming only a group ("kubeadm.k8s.io/") matches every version of that group.
 */
export function documentMatches(
  doc: KubeDocument,
  target: { kind: string; apiVersion?: string | undefined },
): boolean {
  if (doc.kind !== target.kind) return false;
  if (!target.apiVersion) return true;
  const d = splitApiVersion(doc.apiVersion);
  const t = splitApiVersion(target.apiVersion);
  return d.group === t.group && (t.version === "" || d.version === t.version);
}

export function describeDocuments(docs: KubeDocument[]): string {
  return docs.map((d) => `${d.kind} (${d.apiVersion})`).join(", ");
}

export function jsonEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
