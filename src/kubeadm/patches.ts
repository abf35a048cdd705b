import {
  describeDocuments,
  documentMatches,
  isJsonObject,
  splitApiVersion,
  type JsonObject,
  type KubeDocument,
} from "./documents.js";
import { KubeadmConfigError } from "./errors.js";
import { applyJson6902, type Json6902Operation } from "./json6902.js";
import { mergeKubeadmPatch, type ExtraArgsShape } from "./merge.js";
import { parseYamlDocuments } from "./yaml-json.js";

/** kind's `kubeadmConfigPatchesJSON6902` entry; `name`/`namespace` are accepted and ignored, as in kind. */
export interface Json6902Patch {
  group: string;
  version: string;
  kind: string;
  patch: string;
  name?: string;
  namespace?: string;
}

/** A merge patch after parsing: what it matches and what it changes. */
export interface ParsedMergePatch {
  /** e.g. `kubeadmConfigPatches[1]`, or `kubeadmConfigPatches[1] (document 2)` for streams. */
  label: string;
  kind: string;
  apiVersion?: string;
  body: JsonObject;
}

/**
 * Parses merge patches so config validation can reject them before any VM exists. A patch
 * string may hold several `---` documents (kind splits them too); each must be a mapping with a
 * `kind`.
 */
export function parseKubeadmConfigPatches(patches: string[], source = "kubeadmConfigPatches"): ParsedMergePatch[] {
  return patches.flatMap((text, index) => {
    const base = `${source}[${index}]`;
    let docs;
    try {
      docs = parseYamlDocuments(text);
    } catch (err) {
      throw new KubeadmConfigError("patch-not-yaml", `${base} is not valid YAML: ${(err as Error).message}`);
    }
    if (docs.length === 0) {
      throw new KubeadmConfigError("patch-invalid", `${base} is empty`);
    }
    return docs.map((doc, d) => {
      const label = docs.length > 1 ? `${base} (document ${d + 1})` : base;
      if (!isJsonObject(doc) || typeof doc.kind !== "string" || doc.kind === "") {
        throw new KubeadmConfigError(
          "patch-invalid",
          `${label} must be a YAML mapping with a "kind" field naming the document it patches ` +
            `(for example kind: ClusterConfiguration)`,
        );
      }
      if (doc.apiVersion !== undefined && typeof doc.apiVersion !== "string") {
        throw new KubeadmConfigError("patch-invalid", `${label} has a non-string apiVersion`);
      }
      // kind and apiVersion select the target; they are not changes to it.
      const { kind, apiVersion, ...body } = doc;
      const parsed: ParsedMergePatch = { label, kind, body };
      if (typeof apiVersion === "string" && apiVersion !== "") parsed.apiVersion = apiVersion;
      return parsed;
    });
  });
}

function extraArgsShape(doc: KubeDocument): ExtraArgsShape | undefined {
  const { group, version } = splitApiVersion(doc.apiVersion);
  if (group !== "kubeadm.k8s.io") return undefined;
  return version === "v1beta4" ? "list" : "map";
}

function noMatch(label: string, target: { kind: string; apiVersion?: string }, docs: KubeDocument[]): never {
  const wanted = target.apiVersion ? `kind ${target.kind}, apiVersion ${target.apiVersion}` : `kind ${target.kind}`;
  const hints: string[] = [];
  if (target.kind === "KubeProxyConfiguration" && !docs.some((d) => d.kind === target.kind)) {
    hints.push("kube-proxy is disabled (kubeProxyMode: none), so there is no KubeProxyConfiguration");
  }
  const sameKind = docs.find((d) => d.kind === target.kind);
  if (sameKind && target.apiVersion) {
    hints.push(`this Kubernetes version uses ${sameKind.apiVersion}; omit apiVersion to match any version`);
  }
  throw new KubeadmConfigError(
    "patch-no-match",
    `${label} (${wanted}) matches no generated kubeadm document; generated: ${describeDocuments(docs)}` +
      (hints.length ? `. Hint: ${hints.join("; ")}` : ""),
  );
}

/** Applies merge patches in order; every patch must match at least one document. */
export function applyKubeadmConfigPatches(
  docs: KubeDocument[],
  patches: string[],
  source = "kubeadmConfigPatches",
): KubeDocument[] {
  let out = docs;
  for (const patch of parseKubeadmConfigPatches(patches, source)) {
    if (!out.some((d) => documentMatches(d, patch))) noMatch(patch.label, patch, out);
    out = out.map((d) =>
      documentMatches(d, patch)
        ? ({ ...(mergeKubeadmPatch(d, patch.body, extraArgsShape(d)) as JsonObject), kind: d.kind, apiVersion: d.apiVersion } as KubeDocument)
        : d,
    );
  }
  return out;
}

function parseOperations(patch: Json6902Patch, label: string): Json6902Operation[] {
  let docs;
  try {
    docs = parseYamlDocuments(patch.patch);
  } catch (err) {
    throw new KubeadmConfigError("patch-not-yaml", `${label}.patch is not valid YAML: ${(err as Error).message}`);
  }
  const ops = docs[0];
  const valid =
    docs.length === 1 &&
    Array.isArray(ops) &&
    ops.every((o) => isJsonObject(o) && typeof o.op === "string" && typeof o.path === "string");
  if (!valid) {
    throw new KubeadmConfigError(
      "patch-invalid",
      `${label}.patch must be a list of JSON 6902 operations, each with "op" and "path"`,
    );
  }
  return ops as unknown as Json6902Operation[];
}

/** Applies RFC 6902 patches (kind: target chosen by kind + group/version) in order. */
export function applyKubeadmJson6902Patches(
  docs: KubeDocument[],
  patches: Json6902Patch[],
  source = "kubeadmConfigPatchesJSON6902",
): KubeDocument[] {
  let out = docs;
  patches.forEach((patch, index) => {
    const label = `${source}[${index}]`;
    if (typeof patch.kind !== "string" || patch.kind === "") {
      throw new KubeadmConfigError("patch-invalid", `${label} needs a "kind"`);
    }
    const ops = parseOperations(patch, label);
    const apiVersion = patch.group ? `${patch.group}/${patch.version ?? ""}` : patch.version;
    const target = apiVersion ? { kind: patch.kind, apiVersion } : { kind: patch.kind };
    if (!out.some((d) => documentMatches(d, target))) noMatch(label, target, out);
    out = out.map((d) => {
      if (!documentMatches(d, target)) return d;
      let patched;
      try {
        patched = applyJson6902(d, ops);
      } catch (err) {
        throw new KubeadmConfigError("patch-failed", `${label} failed on ${d.kind}: ${(err as Error).message}`);
      }
      if (!isJsonObject(patched) || patched.kind !== d.kind || typeof patched.apiVersion !== "string") {
        throw new KubeadmConfigError("patch-failed", `${label} must not change the document's kind or apiVersion`);
      }
      return patched as KubeDocument;
    });
  });
  return out;
}
