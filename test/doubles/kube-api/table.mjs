// meta.k8s.io/v1 Table rendering, the format kubectl asks for (`Accept: application/json;as=Table;...`).

export function humanDuration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  const y = Math.floor(d / 365);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 730) return `${d}d`;
  if (y < 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

const age = (o) => (o.metadata?.creationTimestamp ? humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp)) : "<unknown>");
const num = (v) => v ?? 0;
const col = (name, type = "string", priority = 0, format = "") => ({ name, type, format, description: name, priority });
const NAME = { ...col("Name", "string", 0, "name"), description: "Name must be unique within a namespace." };
const AGE = col("Age");

function nodeStatus(node) {
  const ready = (node.status?.conditions ?? []).find((c) => c.type === "Ready");
  const words = [ready?.status === "True" ? "Ready" : ready ? "NotReady" : "Unknown"];
  if (node.spec?.unschedulable) words.push("SchedulingDisabled");
  return words.join(",");
}

function nodeRoles(node) {
  const roles = Object.keys(node.metadata?.labels ?? {})
    .filter((k) => k.startsWith("node-role.kubernetes.io/"))
    .map((k) => k.slice("node-role.kubernetes.io/".length))
    .filter(Boolean)
    .sort();
  return roles.length ? roles.join(",") : "<none>";
}

function podReady(pod) {
  const statuses = pod.status?.containerStatuses ?? [];
  const total = pod.spec?.containers?.length ?? statuses.length;
  return `${statuses.filter((s) => s.ready).length}/${total}`;
}

const selectorText = (sel) => Object.entries(sel ?? {}).map(([k, v]) => `${k}=${v}`).join(",") || "<none>";

const TABLES = {
  nodes: [[NAME, col("Status"), col("Roles"), AGE, col("Version"), col("Internal-IP", "string", 1)],
    (o) => [o.metadata.name, nodeStatus(o), nodeRoles(o), age(o), o.status?.nodeInfo?.kubeletVersion ?? "",
      (o.status?.addresses ?? []).find((a) => a.type === "InternalIP")?.address ?? "<none>"]],
  namespaces: [[NAME, col("Status"), AGE], (o) => [o.metadata.name, o.status?.phase ?? "Active", age(o)]],
  pods: [[NAME, col("Ready"), col("Status"), col("Restarts", "string"), AGE, col("IP", "string", 1), col("Node", "string", 1)],
    (o) => [o.metadata.name, podReady(o), o.metadata.deletionTimestamp ? "Terminating" : (o.status?.phase ?? "Pending"),
      String((o.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0)), age(o),
      o.status?.podIP ?? "<none>", o.spec?.nodeName ?? "<none>"]],
  deployments: [[NAME, col("Ready"), col("Up-to-date", "integer"), col("Available", "integer"), AGE],
    (o) => [o.metadata.name, `${num(o.status?.readyReplicas)}/${o.spec?.replicas ?? 1}`, num(o.status?.updatedReplicas),
      num(o.status?.availableReplicas), age(o)]],
  daemonsets: [[NAME, col("Desired", "integer"), col("Current", "integer"), col("Ready", "integer"),
    col("Up-to-date", "integer"), col("Available", "integer"), col("Node Selector"), AGE],
  (o) => [o.metadata.name, num(o.status?.desiredNumberScheduled), num(o.status?.currentNumberScheduled),
    num(o.status?.numberReady), num(o.status?.updatedNumberScheduled), num(o.status?.numberAvailable),
    selectorText(o.spec?.template?.spec?.nodeSelector), age(o)]],
  services: [[NAME, col("Type"), col("Cluster-IP"), col("External-IP"), col("Port(s)"), AGE],
    (o) => [o.metadata.name, o.spec?.type ?? "ClusterIP", o.spec?.clusterIP ?? "<none>", "<none>",
      (o.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? "TCP"}`).join(",") || "<none>", age(o)]],
  configmaps: [[NAME, col("Data", "integer"), AGE],
    (o) => [o.metadata.name, Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length, age(o)]],
  secrets: [[NAME, col("Type"), col("Data", "integer"), AGE],
    (o) => [o.metadata.name, o.type ?? "Opaque", Object.keys(o.data ?? {}).length, age(o)]],
  storageclasses: [[NAME, col("Provisioner"), col("ReclaimPolicy"), col("VolumeBindingMode"), AGE],
    (o) => [o.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"] === "true" ? `${o.metadata.name} (default)` : o.metadata.name,
      o.provisioner ?? "", o.reclaimPolicy ?? "Delete", o.volumeBindingMode ?? "Immediate", age(o)]],
};

const DEFAULT_TABLE = [[NAME, AGE], (o) => [o.metadata.name, age(o)]];

function rowObject(object, includeObject) {
  if (includeObject === "None") return undefined;
  if (includeObject === "Object") return object;
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata };
}

export function renderTable({ resource, objects, resourceVersion, includeObject }) {
  const [columns, cells] = resource.group === "" || resource.group === "apps" || resource.group === "storage.k8s.io"
    ? (TABLES[resource.plural] ?? DEFAULT_TABLE)
    : DEFAULT_TABLE;
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion },
    columnDefinitions: columns,
    rows: objects.map((o) => ({ cells: cells(o), object: rowObject(o, includeObject) })),
  };
}

export function wantsTable(accept) {
  return /as=Table/.test(accept ?? "") && /g=meta\.k8s\.io/.test(accept ?? "");
}
