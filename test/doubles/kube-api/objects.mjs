// Create, update, patch, apply and delete with the bookkeeping the real apiserver does: identity checks,
// uid/creationTimestamp/generation, status kept apart from spec writes, managedFields, namespace lifecycle.
import { randomBytes, randomUUID } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { ApiError, alreadyExists, applyConflict, badRequest, conflict, invalid, namespaceNotFound, notFound, unsupportedMediaType } from "./errors.mjs";
import { recordUpdate, serverSideApply } from "./fields.mjs";
import { PatchError, jsonPatch, mergePatch, strategicMergePatch } from "./patch.mjs";
import { builtinResource } from "./resources.mjs";

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
// Names of these kinds may contain ':' and other path-safe characters in the real API (e.g. "system:node").
const PATH_SEGMENT_NAMES = new Set(["roles", "rolebindings", "clusterroles", "clusterrolebindings"]);
// The real registry strategies reset status on create for these.
const RESET_STATUS_ON_CREATE = new Set(["deployments.apps", "daemonsets.apps", "replicasets.apps", "statefulsets.apps",
  "jobs.batch", "cronjobs.batch", "customresourcedefinitions.apiextensions.k8s.io", "services"]);

// Kinds whose registry strategy never sets metadata.generation even though they have a spec.
const NO_GENERATION = new Set(["namespaces", "nodes", "services", "persistentvolumes", "persistentvolumeclaims"]);

const nowISO = () => new Date().toISOString().replace(/\.\d+Z$/, "Z");
const sameJSON = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

export function randomSuffix(n = 5) {
  const alphabet = "bcdfghjklmnpqrstvwxz2456789";
  return [...randomBytes(n)].map((b) => alphabet[b % alphabet.length]).join("");
}

function validateName(resource, kind, name) {
  const causes = [];
  if (PATH_SEGMENT_NAMES.has(resource.plural)) {
    if (name === "." || name === ".." || /[/%]/.test(name)) causes.push({ field: "metadata.name", message: `Invalid value: "${name}": may not contain '/' or '%'` });
  } else {
    const rule = resource.plural === "namespaces" || resource.plural === "services" ? DNS_LABEL : DNS_SUBDOMAIN;
    if (name.length > 253 || !rule.test(name)) {
      causes.push({ field: "metadata.name", message: `Invalid value: "${name}": a lowercase RFC 1123 ${rule === DNS_LABEL ? "label" : "subdomain"} must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character` });
    }
  }
  if (causes.length) throw invalid(resource, kind, name, causes);
}

export class ObjectService {
  constructor(store, getResources) {
    this.store = store;
    this.getResources = getResources;
  }

  requireNamespace(resource, namespace) {
    if (resource.namespaced && !this.store.get("namespaces", undefined, namespace)) throw namespaceNotFound(namespace);
  }

  get(resource, namespace, name) {
    const object = this.store.get(resource.id, resource.namespaced ? namespace : undefined, name);
    if (!object) throw notFound(resource, name);
    return object;
  }

  /** Checks apiVersion/kind/namespace of a request body against the URL and fills them in. */
  #identify(resource, namespace, body, nameFromUrl) {
    if (body === null || typeof body !== "object" || Array.isArray(body)) throw badRequest("the request body must be a JSON or YAML object");
    if (body.kind && body.kind !== resource.kind) {
      throw badRequest(`the kind of the provided object (${body.kind}) does not match the kind of the requested resource (${resource.kind})`);
    }
    if (body.apiVersion && body.apiVersion !== resource.apiVersion) {
      throw badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${resource.apiVersion})`);
    }
    const object = structuredClone(body);
    object.apiVersion = resource.apiVersion;
    object.kind = resource.kind;
    object.metadata = object.metadata ?? {};
    if (resource.namespaced) {
      if (object.metadata.namespace && object.metadata.namespace !== namespace) {
        throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      }
      object.metadata.namespace = namespace;
    } else delete object.metadata.namespace;
    if (nameFromUrl !== undefined && object.metadata.name && object.metadata.name !== nameFromUrl) {
      throw badRequest(`the name of the object (${object.metadata.name}) does not match the name on the URL (${nameFromUrl})`);
    }
    if (nameFromUrl !== undefined) object.metadata.name = nameFromUrl;
    return object;
  }

  #finishCreate(resource, object, manager, { skipManagedFields = false } = {}) {
    const meta = object.metadata;
    if (!meta.name && meta.generateName) meta.name = `${meta.generateName}${randomSuffix()}`;
    if (!meta.name) {
      throw invalid(resource, resource.kind, "", [{ field: "metadata.name", reason: "FieldValueRequired", message: "Required value: name or generateName is required" }]);
    }
    validateName(resource, resource.kind, meta.name);
    if (this.store.get(resource.id, meta.namespace, meta.name)) throw alreadyExists(resource, meta.name);
    this.requireNamespace(resource, meta.namespace);
    meta.uid = randomUUID();
    meta.creationTimestamp = nowISO();
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    if (resource.crd || (object.spec !== undefined && !NO_GENERATION.has(resource.id))) meta.generation = 1;
    if (resource.id === "secrets") object.type ??= "Opaque";
    if (RESET_STATUS_ON_CREATE.has(resource.id)) delete object.status;
    if (resource.id === "namespaces") {
      meta.labels = { ...meta.labels, "kubernetes.io/metadata.name": meta.name };
      object.spec = { finalizers: ["kubernetes"], ...object.spec };
      object.status = { phase: "Active" };
    }
    if (resource.id === "services") this.#allocateClusterIP(object);
    if (!skipManagedFields) {
      meta.managedFields = recordUpdate({ before: undefined, after: object, manager, now: meta.creationTimestamp });
    }
    return object;
  }

  #allocateClusterIP(service) {
    const spec = (service.spec ??= {});
    spec.type ??= "ClusterIP";
    if (spec.clusterIP === "None" || spec.clusterIP) {
      spec.clusterIPs ??= [spec.clusterIP];
      return;
    }
    const used = new Set(this.store.list("services").map((s) => s.spec?.clusterIP));
    let ip;
    do ip = `10.96.${1 + (randomBytes(1)[0] % 254)}.${1 + (randomBytes(1)[0] % 254)}`; while (used.has(ip));
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  #commit(resource, object, dryRun) {
    if (dryRun) return object;
    const saved = this.store.save(resource.id, object);
    if (resource.id === "namespaces" && saved.metadata.resourceVersion && !this.store.get("serviceaccounts", saved.metadata.name, "default")) {
      // The serviceaccount controller gives every namespace a "default" account.
      this.store.save("serviceaccounts", this.#finishCreate(builtinResource("", "serviceaccounts"),
        { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace: saved.metadata.name } }, "kube-controller-manager"));
    }
    return saved;
  }

  create(resource, namespace, body, { manager, dryRun }) {
    const object = this.#identify(resource, namespace, body, undefined);
    return this.#commit(resource, this.#finishCreate(resource, object, manager), dryRun);
  }

  /** Carries server-owned fields from `current` into `next` and applies generation/status rules. */
  #finishUpdate(resource, current, next, { subresource, manager }) {
    let object;
    if (subresource === "status") {
      object = { ...structuredClone(current), status: next.status };
    } else {
      object = next;
      if (resource.hasStatus) {
        if (current.status === undefined) delete object.status;
        else object.status = structuredClone(current.status);
      }
      const meta = object.metadata;
      for (const key of ["uid", "creationTimestamp", "generation", "deletionTimestamp"]) {
        if (current.metadata[key] === undefined) delete meta[key];
        else meta[key] = current.metadata[key];
      }
      const { metadata: _a, status: _b, ...restNew } = object;
      const { metadata: _c, status: _d, ...restOld } = current;
      if (meta.generation !== undefined && !sameJSON(restNew, restOld)) meta.generation = current.metadata.generation + 1;
      if (resource.id === "namespaces") object.status = current.status;
      if (manager !== null) meta.managedFields = recordUpdate({ before: current, after: object, manager, now: nowISO() });
    }
    object.metadata.resourceVersion = current.metadata.resourceVersion;
    return object;
  }

  #checkVersion(resource, current, requested) {
    if (requested && requested !== current.metadata.resourceVersion) throw conflict(resource, current.metadata.name);
  }

  update(resource, namespace, name, body, { subresource, manager, dryRun }) {
    const current = this.get(resource, namespace, name);
    const next = this.#identify(resource, namespace, body, name);
    this.#checkVersion(resource, current, next.metadata.resourceVersion);
    const object = this.#finishUpdate(resource, current, next, { subresource, manager });
    if (sameJSON(object, current)) return current;
    return this.#commit(resource, object, dryRun);
  }

  /** Returns { object, created } (created only for an apply that made a new object). */
  patch(resource, namespace, name, contentType, rawBody, options) {
    if (contentType === "application/apply-patch+yaml") return this.apply(resource, namespace, name, rawBody, options);
    const current = this.get(resource, namespace, name);
    let body;
    try {
      body = JSON.parse(rawBody);
    } catch (e) {
      throw badRequest(`error decoding patch: ${e.message}`);
    }
    let patched;
    try {
      if (contentType === "application/merge-patch+json") patched = mergePatch(current, body);
      else if (contentType === "application/strategic-merge-patch+json") patched = strategicMergePatch(current, body);
      else if (contentType === "application/json-patch+json") patched = jsonPatch(current, body);
      else throw unsupportedMediaType(contentType);
    } catch (e) {
      if (e instanceof PatchError) throw new ApiError(422, "Invalid", `the server rejected our request due to an error in our request: ${e.message}`, {});
      throw e;
    }
    const next = this.#identify(resource, namespace, patched, name);
    this.#checkVersion(resource, current, next.metadata.resourceVersion);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    const object = this.#finishUpdate(resource, current, next, options);
    if (sameJSON(object, current)) return { object: current, created: false };
    return { object: this.#commit(resource, object, options.dryRun), created: false };
  }

  apply(resource, namespace, name, rawBody, { subresource, manager, force, dryRun, explicitManager }) {
    if (!explicitManager) throw badRequest("PATCH /apply requires fieldManager to be set");
    let body;
    try {
      body = parseYaml(rawBody);
    } catch (e) {
      throw badRequest(`error decoding YAML: ${e.message}`);
    }
    if (!body?.apiVersion || !body?.kind) throw badRequest("apply patches must specify apiVersion and kind");
    const applied = this.#identify(resource, namespace, body, name);
    const requestedVersion = applied.metadata.resourceVersion;
    for (const key of ["resourceVersion", "managedFields", "uid", "creationTimestamp", "generation"]) delete applied.metadata[key];
    const current = this.store.get(resource.id, resource.namespaced ? namespace : undefined, name);
    if (current) this.#checkVersion(resource, current, requestedVersion);
    else if (requestedVersion || subresource === "status") throw notFound(resource, name);
    if (subresource === "status") {
      const object = { ...structuredClone(current), status: mergePatch(current.status ?? {}, applied.status ?? {}) };
      if (sameJSON(object, current)) return { object: current, created: false };
      return { object: this.#commit(resource, object, dryRun), created: false };
    }
    if (resource.hasStatus) delete applied.status;
    const result = serverSideApply({ live: current, applied, manager, force, now: nowISO() });
    if (result.conflicts) throw applyConflict(resource, name, result.conflicts);
    const merged = result.object;
    if (!current) {
      const managedFields = merged.metadata.managedFields;
      const created = this.#finishCreate(resource, merged, manager, { skipManagedFields: true });
      created.metadata.managedFields = managedFields;
      return { object: this.#commit(resource, created, dryRun), created: true };
    }
    const object = this.#finishUpdate(resource, current, merged, { subresource, manager: null });
    object.metadata.managedFields = merged.metadata.managedFields;
    if (sameJSON(object, current)) return { object: current, created: false };
    return { object: this.#commit(resource, object, dryRun), created: false };
  }

  delete(resource, namespace, name, { dryRun }) {
    const current = this.get(resource, namespace, name);
    if (dryRun) return current;
    if (resource.id === "namespaces") {
      // The namespace controller empties a deleted namespace; here that happens at once.
      for (const r of this.getResources().filter((r) => r.namespaced)) {
        for (const o of this.store.list(r.id, name)) this.store.remove(r.id, name, o.metadata.name);
      }
    }
    return this.store.remove(resource.id, resource.namespaced ? namespace : undefined, name);
  }
}
