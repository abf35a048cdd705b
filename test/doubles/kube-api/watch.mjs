// Watch streams: newline-delimited {"type","object"} events over a chunked response, optionally as Tables.
import { renderTable } from "./table.mjs";

function tooOld(requested, current) {
  return {
    type: "ERROR",
    object: { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure",
      message: `too old resource version: ${requested} (${current})`, reason: "Expired", code: 410 },
  };
}

/**
 * Serves a watch on one collection until the client goes away or timeoutSeconds pass.
 * `matches(object)` filters by namespace and selectors; `onOpen`/`onClose` let the server count live watches.
 */
export function serveWatch({ req, res, store, resource, matches, query, asTable, onOpen, onClose }) {
  const includeObject = query.get("includeObject") ?? undefined;
  let firstTable = true;
  const encode = (type, object) => {
    if (!asTable || type === "ERROR" || type === "BOOKMARK") return JSON.stringify({ type, object });
    const table = renderTable({ resource, objects: [object], resourceVersion: object.metadata.resourceVersion, includeObject });
    if (!firstTable) table.columnDefinitions = [];
    firstTable = false;
    return JSON.stringify({ type, object: table });
  };
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private" });
  res.flushHeaders();
  const send = (type, object) => res.write(`${encode(type, object)}\n`);

  const requested = query.get("resourceVersion") ?? "";
  const sendInitial = query.get("sendInitialEvents") === "true";
  const fromVersion = requested === "" || requested === "0" ? null : Number(requested);
  if (fromVersion !== null && !Number.isFinite(fromVersion)) {
    send("ERROR", { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message: `invalid resource version: ${requested}`, reason: "BadRequest", code: 400 });
    res.end();
    return;
  }
  const replay = fromVersion === null ? [] : store.eventsSince(fromVersion);
  if (replay === null) {
    send("ERROR", tooOld(requested, store.resourceVersion).object);
    res.end();
    return;
  }

  let closed = false;
  const unsubscribe = store.subscribe((event) => {
    if (event.resource !== resource.id || !matches(event.object)) return;
    send(event.type, event.object);
  });
  if (fromVersion === null || sendInitial) {
    for (const object of store.list(resource.id)) if (matches(object)) send("ADDED", object);
  }
  for (const event of replay) if (event.resource === resource.id && matches(event.object)) send(event.type, event.object);
  if (sendInitial) {
    send("BOOKMARK", { kind: resource.kind, apiVersion: resource.apiVersion,
      metadata: { resourceVersion: String(store.resourceVersion), annotations: { "k8s.io/initial-events-end": "true" } } });
  }
  onOpen();

  const timeoutSeconds = Number(query.get("timeoutSeconds") ?? 0);
  const timer = timeoutSeconds > 0 ? setTimeout(() => finish(), timeoutSeconds * 1000) : null;
  function finish() {
    if (closed) return;
    closed = true;
    unsubscribe();
    if (timer) clearTimeout(timer);
    onClose();
    res.end();
  }
  req.on("close", finish);
  res.on("close", finish);
  return finish;
}
