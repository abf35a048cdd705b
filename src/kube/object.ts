// A Kubernetes object as kina handles it: enough shape to apply, read and delete it. Types only,
// so modules that never talk to the API (addon catalogs, renderers) can use it without client-node.

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}
