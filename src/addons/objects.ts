// Addon objects as data: parsed from YAML streams, put in the order the API needs them (namespaces
// and CRDs before what lives in them or is defined by them), and remembered by reference so an
// uninstall deletes exactly what the install applied, last first.

import { parseAllDocuments } from "yaml";

import type { KubeObject } from "../kube/object.js";

export type { KubeObject };

/** What an install applied, as recorded in the state file. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Every object of a YAML stream; `source` names the file in errors. */
export function parseObjects(text: string, source: string): KubeObject[] {
  const out: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`${source} is not valid YAML: ${doc.errors[0]!.message}`);
    const obj = doc.toJS() as KubeObject | null;
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== "object" || !obj.apiVersion || !obj.kind || !obj.metadata?.name) {
      throw new Error(`${source} holds an object without apiVersion, kind and metadata.name: ${JSON.stringify(obj).slice(0, 120)}`);
    }
    if (obj.kind === "List") throw new Error(`${source}: a kind: List is not supported; give the objects as a YAML stream (--- between them)`);
    out.push(obj);
  }
  return out;
}

const groupOf = (apiVersion: string) => (apiVersion.includes("/") ? apiVersion.split("/")[0]! : "");

/** Namespaces, then CRDs, then everything else in file order, then custom resources of those CRDs. */
export function applyOrder(objects: readonly KubeObject[]): { crds: KubeObject[]; before: KubeObject[]; after: KubeObject[] } {
  const crdGroups = new Set(
    objects.filter((o) => o.kind === "CustomResourceDefinition").map((o) => String((o.spec as { group?: string } | undefined)?.group ?? "")),
  );
  const namespaces = objects.filter((o) => o.kind === "Namespace");
  const crds = objects.filter((o) => o.kind === "CustomResourceDefinition");
  const custom = objects.filter((o) => crdGroups.has(groupOf(o.apiVersion)));
  const rest = objects.filter((o) => o.kind !== "Namespace" && o.kind !== "CustomResourceDefinition" && !custom.includes(o));
  return { crds, before: [...namespaces], after: [...rest, ...custom] };
}

export function refOf(o: KubeObject): ObjectRef {
  return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
}

export function describeRef(r: ObjectRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}`;
}
