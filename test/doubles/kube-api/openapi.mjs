// Just enough OpenAPI v3 for kubectl: its field-validation probe looks for a PATCH operation with the resource's
// x-kubernetes-group-version-kind and a `fieldValidation` query parameter. Finding it, kubectl leaves validation to
// the server instead of downloading full schemas (which this double does not have).
import { createHash } from "node:crypto";
import { groupVersions } from "./resources.mjs";

const gvPath = (group, version) => (group ? `apis/${group}/${version}` : `api/${version}`);

function hashOf(value) {
  return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 32).toUpperCase();
}

export function openapiRoot(resources) {
  const paths = {};
  for (const [group, versions] of groupVersions(resources)) {
    for (const version of versions) {
      const path = gvPath(group, version);
      paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hashOf(openapiGroupVersion(resources, group, version))}` };
    }
  }
  return { paths };
}

export function openapiGroupVersion(resources, group, version) {
  const matching = resources.filter((r) => r.group === group && r.version === version);
  if (matching.length === 0) return null;
  const paths = {};
  const parameters = ["dryRun", "fieldManager", "fieldValidation", "force"].map((name) => ({
    name, in: "query", schema: { type: name === "force" ? "boolean" : "string", uniqueItems: true },
  }));
  for (const r of matching) {
    const base = `/${gvPath(group, version)}${r.namespaced ? "/namespaces/{namespace}" : ""}/${r.plural}/{name}`;
    const gvk = { group, version, kind: r.kind };
    paths[base] = {
      patch: {
        operationId: `patch${r.kind}`,
        parameters,
        responses: { 200: { description: "OK" } },
        "x-kubernetes-action": "patch",
        "x-kubernetes-group-version-kind": gvk,
      },
    };
  }
  return { openapi: "3.0.0", info: { title: "Kubernetes", version: "unversioned" }, paths, components: { schemas: {} } };
}
