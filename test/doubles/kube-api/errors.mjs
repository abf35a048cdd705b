// Kubernetes `Status` failures, thrown by handlers and rendered by the router.

export class ApiError extends Error {
  constructor(code, reason, message, details) {
    super(message);
    this.code = code;
    this.reason = reason;
    this.details = details;
  }

  toStatus() {
    return {
      kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: this.message, reason: this.reason,
      ...(this.details ? { details: this.details } : {}), code: this.code,
    };
  }
}

const qualified = (resource) => (resource.group ? `${resource.plural}.${resource.group}` : resource.plural);
const details = (resource, name, extra = {}) => ({ name, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural, ...extra });

export const notFound = (resource, name) =>
  new ApiError(404, "NotFound", `${qualified(resource)} "${name}" not found`, details(resource, name));

export const namespaceNotFound = (namespace) =>
  new ApiError(404, "NotFound", `namespaces "${namespace}" not found`, { name: namespace, kind: "namespaces" });

export const alreadyExists = (resource, name) =>
  new ApiError(409, "AlreadyExists", `${qualified(resource)} "${name}" already exists`, details(resource, name));

export const conflict = (resource, name) => new ApiError(409, "Conflict",
  `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  details(resource, name));

export const applyConflict = (resource, name, conflicts) => {
  const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`);
  const message = conflicts.length === 1
    ? `Apply failed with 1 conflict: ${lines[0]}`
    : `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`;
  return new ApiError(409, "Conflict", message, details(resource, name, {
    causes: conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field })),
  }));
};

export const invalid = (resource, kind, name, causes) => new ApiError(422, "Invalid",
  `${kind} "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(", ")}`,
  details(resource, name, { kind, causes: causes.map((c) => ({ reason: c.reason ?? "FieldValueInvalid", message: c.message, field: c.field })) }));

export const badRequest = (message) => new ApiError(400, "BadRequest", message);

export const unknownPath = () => new ApiError(404, "NotFound", "the server could not find the requested resource", {});

export const methodNotAllowed = (method) => new ApiError(405, "MethodNotAllowed", `the server does not allow this method on the requested resource (${method})`, {});

export const unsupportedMediaType = (type) => new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json (got ${type}; this fake apiserver decodes protobuf only for v1 Namespace, ConfigMap, Secret and ServiceAccount)`, {});
