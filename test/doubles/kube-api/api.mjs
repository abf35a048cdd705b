// HTTP routing for the fake apiserver: health, version, discovery and the generic REST verbs on every resource.
import { ApiError, badRequest, methodNotAllowed, unknownPath, unsupportedMediaType } from "./errors.mjs";
import { ObjectService } from "./objects.mjs";
import { reconcile, readFaults } from "./readiness.mjs";
import { discoveryApis, discoveryGroup, discoveryResourceList, findResource, servedResources } from "./resources.mjs";
import { SelectorError, fieldSelector, labelSelector } from "./selectors.mjs";
import { renderTable, wantsTable } from "./table.mjs";
import { serveWatch } from "./watch.mjs";
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { openapiGroupVersion, openapiRoot } from "./openapi.mjs";
import { decodeKubernetesProtobuf } from "./protobuf.mjs";
import { podLog } from "./pod-logs.mjs";

const CRD_ID = "customresourcedefinitions.apiextensions.k8s.io";
const MAX_BODY = 32 * 1024 * 1024;

function readBody(req, raw = false) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) reject(new ApiError(413, "RequestEntityTooLarge", "request body too large", {}));
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(raw ? Buffer.concat(chunks) : Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function sendJSON(res, code, body) {
  const text = JSON.stringify(body);
  res.writeHead(code, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-cache, private" });
  res.end(text);
}

function sendText(res, code, text) {
  res.writeHead(code, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** Splits /api/... and /apis/... resource paths; returns null for anything else. */
function parseResourcePath(segments, resources) {
  let group;
  let version;
  let rest;
  if (segments[0] === "api" && segments.length >= 3) [group, version, rest] = ["", segments[1], segments.slice(2)];
  else if (segments[0] === "apis" && segments.length >= 4) [group, version, rest] = [segments[1], segments[2], segments.slice(3)];
  else return null;
  let watchPath = false;
  if (rest[0] === "watch") {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace;
  if (rest[0] === "namespaces" && rest.length >= 3 && findResource(resources, group, version, rest[2])?.namespaced) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [plural, name, subresource, ...extra] = rest;
  const resource = findResource(resources, group, version, plural);
  if (!resource || extra.length > 0) return { resource: null };
  if (namespace !== undefined && !resource.namespaced) return { resource: null };
  if (resource.namespaced && name !== undefined && namespace === undefined) return { resource: null };
  const podLog = subresource === "log" && resource.group === "" && resource.plural === "pods" && name !== undefined;
  if (subresource !== undefined && !(subresource === "status" && resource.hasStatus) && !podLog) return { resource: null };
  return { resource, namespace, name, subresource, watchPath };
}

export function createApi({ store, faultsFile, advertiseAddress, kubernetesVersion, log }) {
  let resources = servedResources(store.list(CRD_ID));
  const objects = new ObjectService(store, () => resources);
  let faultsStamp = stamp(faultsFile);
  let reconcileQueued = false;
  let openWatches = 0;
  let lastActivity = Date.now();

  function stamp(file) {
    try {
      const s = statSync(file);
      return `${s.mtimeMs}:${s.size}`;
    } catch {
      return "absent";
    }
  }

  function scheduleReconcile() {
    if (reconcileQueued) return;
    reconcileQueued = true;
    // Status follows a write on the next turn, so a client first sees its own write, then the controllers' update.
    setImmediate(() => {
      reconcileQueued = false;
      reconcile(store, readFaults(faultsFile));
    });
  }

  store.subscribe((event) => {
    if (event.resource === CRD_ID) resources = servedResources(store.list(CRD_ID));
    scheduleReconcile();
  });

  /** Recomputes status when the faults file changed (statuses re-read it); called on a timer and per request. */
  function pollFaults() {
    const current = stamp(faultsFile);
    if (current === faultsStamp) return;
    faultsStamp = current;
    scheduleReconcile();
  }

  const version = () => {
    const [major, minor] = kubernetesVersion.replace(/^v/, "").split(".");
    return { major, minor, emulationMajor: major, emulationMinor: minor, minCompatibilityMajor: major,
      minCompatibilityMinor: String(Number(minor) - 1), gitVersion: kubernetesVersion,
      gitCommit: "0000000000000000000000000000000000000000", gitTreeState: "clean", buildDate: "2026-01-01T00:00:00Z",
      goVersion: "go1.25.0", compiler: "gc", platform: "linux/arm64" };
  };

  function handleDiscovery(req, res, segments) {
    if (req.method !== "GET") throw methodNotAllowed(req.method);
    if (segments.length === 1 && segments[0] === "api") {
      return sendJSON(res, 200, { kind: "APIVersions", versions: ["v1"],
        serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: `${advertiseAddress}:6443` }] });
    }
    if (segments.length === 1) return sendJSON(res, 200, discoveryApis(resources));
    if (segments[0] === "apis" && segments.length === 2) {
      const group = discoveryGroup(resources, segments[1]);
      if (!group) throw unknownPath();
      return sendJSON(res, 200, group);
    }
    const [group, ver] = segments[0] === "api" ? ["", segments[1]] : [segments[1], segments[2]];
    const list = discoveryResourceList(resources, group, ver);
    if (!list) throw unknownPath();
    return sendJSON(res, 200, list);
  }

  function matcher(resource, namespace, query) {
    try {
      const byLabel = labelSelector(query.get("labelSelector"));
      const byField = fieldSelector(query.get("fieldSelector"));
      return (o) => (!namespace || o.metadata.namespace === namespace) && byLabel(o) && byField(o);
    } catch (e) {
      if (e instanceof SelectorError) throw badRequest(e.message);
      throw e;
    }
  }

  const withKind = (resource, object) => ({ ...object, apiVersion: resource.apiVersion, kind: resource.kind });

  async function handleResource(req, res, route, query) {
    const { resource, namespace, name, subresource } = route;
    const accept = req.headers.accept ?? "";
    const manager = query.get("fieldManager") ?? (req.headers["user-agent"] ?? "unknown").split("/")[0];
    const options = { subresource, manager, explicitManager: query.has("fieldManager"), force: query.get("force") === "true",
      dryRun: query.has("dryRun") };
    const watch = route.watchPath || ["1", "true"].includes(query.get("watch") ?? "");
    const contentType = (req.headers["content-type"] ?? "application/json").split(";")[0].trim();
    const body = async () => {
      if (contentType === "application/vnd.kubernetes.protobuf") {
        let decoded;
        try {
          decoded = decodeKubernetesProtobuf(await readBody(req, true));
        } catch (e) {
          throw badRequest(`error decoding protobuf body: ${e.message}`);
        }
        if (!decoded) throw unsupportedMediaType(contentType);
        return decoded;
      }
      if (!["application/json", "application/yaml"].includes(contentType)) throw unsupportedMediaType(contentType);
      const text = await readBody(req);
      if (contentType === "application/yaml") {
        const { parse } = await import("yaml");
        return parse(text);
      }
      try {
        return JSON.parse(text);
      } catch (e) {
        throw badRequest(`error decoding request body: ${e.message}`);
      }
    };
    const respond = (code, object) => {
      if (wantsTable(accept) && object.kind !== "Status") {
        return sendJSON(res, code, renderTable({ resource, objects: [object], resourceVersion: object.metadata.resourceVersion,
          includeObject: query.get("includeObject") ?? undefined }));
      }
      return sendJSON(res, code, object);
    };

    // `log` is read-only (GET only in the API reference).
    if (subresource === "log" && req.method !== "GET") throw methodNotAllowed(req.method);
    switch (req.method) {
      case "GET": {
        if (subresource === "log") return sendText(res, 200, podLog(objects.get(resource, namespace, name), query));
        if (name !== undefined && !watch) return respond(200, objects.get(resource, namespace, name));
        const byName = name !== undefined ? `metadata.name=${name}` : "";
        const fieldText = [query.get("fieldSelector"), byName].filter(Boolean).join(",");
        const q = new URLSearchParams(query);
        if (fieldText) q.set("fieldSelector", fieldText);
        const matches = matcher(resource, namespace, q);
        if (watch) {
          serveWatch({ req, res, store, resource, matches, query: q, asTable: wantsTable(accept),
            onOpen: () => openWatches++, onClose: () => { openWatches--; lastActivity = Date.now(); } });
          return undefined;
        }
        if (resource.namespaced && namespace) objects.requireNamespace(resource, namespace);
        const items = store.list(resource.id).filter(matches);
        const resourceVersion = String(store.resourceVersion);
        if (wantsTable(accept)) {
          return sendJSON(res, 200, renderTable({ resource, objects: items, resourceVersion, includeObject: query.get("includeObject") ?? undefined }));
        }
        return sendJSON(res, 200, { kind: `${resource.kind}List`, apiVersion: resource.apiVersion, metadata: { resourceVersion },
          items: items.map((o) => withKind(resource, o)) });
      }
      case "POST": {
        if (name !== undefined) throw methodNotAllowed("POST");
        if (resource.namespaced && !namespace) throw unknownPath();
        return respond(201, objects.create(resource, namespace, await body(), options));
      }
      case "PUT": {
        if (name === undefined) throw methodNotAllowed("PUT");
        return respond(200, objects.update(resource, namespace, name, await body(), options));
      }
      case "PATCH": {
        if (name === undefined) throw methodNotAllowed("PATCH");
        const text = await readBody(req);
        const { object, created } = objects.patch(resource, namespace, name, contentType, text, options);
        return respond(created ? 201 : 200, object);
      }
      case "DELETE": {
        if (subresource) throw methodNotAllowed("DELETE");
        if (name !== undefined) return respond(200, objects.delete(resource, namespace, name, options));
        const matches = matcher(resource, namespace, query);
        const deleted = store.list(resource.id).filter(matches).map((o) =>
          objects.delete(resource, o.metadata.namespace, o.metadata.name, options));
        return sendJSON(res, 200, { kind: `${resource.kind}List`, apiVersion: resource.apiVersion,
          metadata: { resourceVersion: String(store.resourceVersion) }, items: deleted.map((o) => withKind(resource, o)) });
      }
      default:
        throw methodNotAllowed(req.method);
    }
  }

  /**
   * The crash matrix (test/crash/): with `recordWrites` or `crashAtWrite: { n, after, pidFile }` in the faults file,
   * every write (POST, PUT, PATCH, DELETE) by a client other than the fake nodes' own kubeadm/kubelet is numbered
   * across server restarts (kube-api-writes.count next to the faults file) and logged to kube-api-writes.log; write n
   * SIGKILLs the process whose pid is in `pidFile` (the harness writes kina's) before the write is applied, or after
   * it is applied but before the answer is sent. Returns "before", "after" or null.
   */
  function numberWrite(req) {
    if (!["POST", "PUT", "PATCH", "DELETE"].includes(req.method)) return null;
    if ((req.headers["user-agent"] ?? "").startsWith("kubeadm/fake")) return null;
    if (!faultsFile || !existsSync(faultsFile)) return null;
    let doc;
    try {
      doc = JSON.parse(readFileSync(faultsFile, "utf8"));
    } catch {
      return null;
    }
    if (!doc.recordWrites && !doc.crashAtWrite) return null;
    const counter = join(dirname(faultsFile), "kube-api-writes.count");
    const n = (existsSync(counter) ? Number(readFileSync(counter, "utf8")) : 0) + 1;
    writeFileSync(counter, String(n));
    if (doc.recordWrites) {
      appendFileSync(join(dirname(faultsFile), "kube-api-writes.log"), `${JSON.stringify({ n, method: req.method, url: req.url })}\n`);
    }
    return doc.crashAtWrite?.n === n ? { after: doc.crashAtWrite.after === true, pidFile: doc.crashAtWrite.pidFile } : null;
  }

  function killClient(pidFile) {
    try {
      process.kill(Number(readFileSync(pidFile, "utf8").trim()), "SIGKILL");
    } catch (error) {
      log(`crashAtWrite: could not kill the client named in ${pidFile}: ${error.message}`);
    }
  }

  async function handle(req, res) {
    lastActivity = Date.now();
    pollFaults();
    const crash = numberWrite(req);
    if (crash && !crash.after) {
      killClient(crash.pidFile);
      req.socket.destroy();
      return undefined;
    }
    if (crash) {
      // Applied, but the answer never reaches the client: it dies first.
      res.writeHead = () => res;
      res.end = () => {
        killClient(crash.pidFile);
        req.socket.destroy();
        return res;
      };
    }
    const url = new URL(req.url, "https://apiserver");
    // Each segment is percent-decoded, as the apiserver does (client-node sends `system%3Aaggregated-metrics-reader`).
    const segments = url.pathname.split("/").filter(Boolean).map((s) => decodeURIComponent(s));
    res.on("finish", () => log(`${req.method} ${req.url} ${res.statusCode}`));
    try {
      if (["readyz", "livez", "healthz"].includes(segments[0])) return sendText(res, 200, "ok");
      if (segments[0] === "version" && segments.length === 1) return sendJSON(res, 200, version());
      if (segments[0] === "openapi" && segments[1] === "v3") {
        if (segments.length === 2) return sendJSON(res, 200, openapiRoot(resources));
        const [group, ver] = segments[2] === "api" ? ["", segments[3]] : [segments[3], segments[4]];
        const doc = openapiGroupVersion(resources, group, ver);
        if (!doc) throw unknownPath();
        return sendJSON(res, 200, doc);
      }
      if ((segments[0] === "api" && segments.length <= 2) || (segments[0] === "apis" && segments.length <= 3)) {
        return handleDiscovery(req, res, segments);
      }
      const route = parseResourcePath(segments, resources);
      if (!route || !route.resource) throw unknownPath();
      return await handleResource(req, res, route, url.searchParams);
    } catch (error) {
      if (!(error instanceof ApiError)) {
        log(`internal error: ${error.stack ?? error}`);
        error = new ApiError(500, "InternalError", `Internal error occurred: ${error.message}`, {});
      }
      if (res.headersSent) return res.end();
      return sendJSON(res, error.code, error.toStatus());
    }
  }

  /** First start: create what kubeadm init leaves behind, in order. */
  function seed(pairs) {
    for (const [resourceId, object] of pairs) {
      const resource = resources.find((r) => r.id === resourceId);
      const ns = object.metadata.namespace;
      if (store.get(resourceId, ns, object.metadata.name)) continue;
      objects.create(resource, ns, object, { manager: resourceId === "nodes" ? "kubelet" : "kubeadm" });
    }
  }

  return {
    handle,
    seed,
    pollFaults,
    reconcileNow: () => reconcile(store, readFaults(faultsFile)),
    idleSince: () => (openWatches > 0 ? Date.now() : lastActivity),
  };
}
