// Simulated controllers: what kubelet, the DaemonSet/Deployment controllers and apiextensions would write into
// status. Recomputed after every change; a status that changes is saved, so watchers see MODIFIED events.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { kubeletProblem, loadBalancerAddress } from "./kubelets.mjs";

const NODE_NOT_READY_MESSAGE = "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady "
  + "message:Network plugin returns error: cni plugin not initialized";

export function readFaults(file) {
  const empty = { daemonSetsNeverReady: [], deploymentsNeverAvailable: [], apiServicesNeverAvailable: [] };
  if (!file || !existsSync(file)) return empty;
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8"));
    return {
      daemonSetsNeverReady: Array.isArray(parsed.daemonSetsNeverReady) ? parsed.daemonSetsNeverReady : [],
      deploymentsNeverAvailable: Array.isArray(parsed.deploymentsNeverAvailable) ? parsed.deploymentsNeverAvailable : [],
      apiServicesNeverAvailable: Array.isArray(parsed.apiServicesNeverAvailable) ? parsed.apiServicesNeverAvailable : [],
    };
  } catch {
    // A half-written faults file is read again on the next poll.
    return empty;
  }
}

const sameJSON = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Keeps a condition's transition time while its status does not change. */
function condition(previous, type, status, reason, message, now, extra = {}) {
  const old = (previous ?? []).find((c) => c.type === type);
  const lastTransitionTime = old && old.status === status ? old.lastTransitionTime : now;
  return { type, status, ...extra, lastTransitionTime, reason, message };
}

function matchesNodeSelector(podSpec, node) {
  const labels = node.metadata.labels ?? {};
  return Object.entries(podSpec?.nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
}

function tolerates(tolerations, taint) {
  return (tolerations ?? []).some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if (!t.key) return t.operator === "Exists";
    if (t.key !== taint.key) return false;
    return t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "");
  });
}

function schedulableOn(podSpec, node) {
  if (node.spec?.unschedulable) return false;
  const blocking = (node.spec?.taints ?? []).filter((t) => t.effect === "NoSchedule" || t.effect === "NoExecute");
  return matchesNodeSelector(podSpec, node) && blocking.every((t) => tolerates(podSpec?.tolerations, t));
}

const isReady = (node) => (node.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");

function daemonSetStatus(ds, nodes, faults) {
  const desired = nodes.filter((n) => matchesNodeSelector(ds.spec?.template?.spec, n)).length;
  const ready = faults.daemonSetsNeverReady.includes(ds.metadata.name) ? 0 : desired;
  return {
    ...ds.status,
    currentNumberScheduled: desired,
    desiredNumberScheduled: desired,
    numberMisscheduled: 0,
    numberReady: ready,
    observedGeneration: ds.metadata.generation,
    updatedNumberScheduled: desired,
    numberAvailable: ready,
    ...(desired - ready > 0 ? { numberUnavailable: desired - ready } : { numberUnavailable: undefined }),
  };
}

function fullyReady(ds) {
  const s = ds.status ?? {};
  return s.desiredNumberScheduled > 0 && s.numberReady === s.desiredNumberScheduled
    && s.observedGeneration === ds.metadata.generation;
}

function nodeStatus(node, networkReady, now) {
  const status = structuredClone(node.status ?? {});
  const previous = status.conditions ?? [];
  const others = previous.filter((c) => c.type !== "Ready");
  const kubelet = kubeletProblem(node.metadata.name);
  const ready = kubelet
    ? condition(previous, "Ready", "Unknown", "NodeStatusUnknown", `Kubelet stopped posting node status: ${kubelet}`, now,
      { lastHeartbeatTime: previous.find((c) => c.type === "Ready")?.lastHeartbeatTime ?? now })
    : networkReady
    ? condition(previous, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now,
      { lastHeartbeatTime: previous.find((c) => c.type === "Ready")?.lastHeartbeatTime ?? now })
    : condition(previous, "Ready", "False", "KubeletNotReady", NODE_NOT_READY_MESSAGE, now,
      { lastHeartbeatTime: previous.find((c) => c.type === "Ready")?.lastHeartbeatTime ?? now });
  status.conditions = [...others, ready];
  return status;
}

function workloadAvailable(podSpec, nodes) {
  return nodes.some((n) => isReady(n) && schedulableOn(podSpec, n));
}

// ReplicaSet names carry a hash of the pod template, as the Deployment controller's do.
function templateHash(template) {
  const digits = "bcdfghjklmnpqrstvwxz2456789";
  const bytes = createHash("sha256").update(JSON.stringify(template ?? {})).digest();
  return [...bytes.subarray(0, 10)].map((b) => digits[b % digits.length]).join("");
}

function deploymentStatus(d, nodes, faults, now) {
  const replicas = d.spec?.replicas ?? 1;
  const available = replicas === 0
    || (!faults.deploymentsNeverAvailable.includes(d.metadata.name) && workloadAvailable(d.spec?.template?.spec, nodes));
  const previous = d.status?.conditions;
  const rs = `${d.metadata.name}-${templateHash(d.spec?.template)}`;
  const conditions = available
    ? [condition(previous, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now),
      condition(previous, "Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${rs}" has successfully progressed.`, now)]
    : [condition(previous, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now),
      condition(previous, "Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${rs}" is progressing.`, now)];
  const status = { observedGeneration: d.metadata.generation, replicas, updatedReplicas: replicas, conditions };
  if (available) Object.assign(status, { readyReplicas: replicas, availableReplicas: replicas });
  else if (replicas > 0) status.unavailableReplicas = replicas;
  return status;
}

function statefulSetStatus(s, nodes) {
  const replicas = s.spec?.replicas ?? 1;
  const ready = workloadAvailable(s.spec?.template?.spec, nodes) ? replicas : 0;
  return { observedGeneration: s.metadata.generation, replicas, currentReplicas: replicas, updatedReplicas: replicas,
    readyReplicas: ready, availableReplicas: ready };
}

function crdStatus(crd, now) {
  const previous = crd.status?.conditions;
  return {
    acceptedNames: crd.spec?.names ?? {},
    conditions: [
      condition(previous, "NamesAccepted", "True", "NoConflicts", "no conflicts found", now),
      condition(previous, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted", now),
    ],
    storedVersions: (crd.spec?.versions ?? []).filter((v) => v.storage).map((v) => v.name),
  };
}

const isAvailable = (d) => (d.status?.conditions ?? []).some((c) => c.type === "Available" && c.status === "True");
const selects = (selector, labels) => Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

/** kube-aggregator: an APIService backed by a Service is Available while a workload behind it is. */
function apiServiceStatus(a, store, faults, now) {
  const previous = a.status?.conditions;
  const svcRef = a.spec?.service;
  if (!svcRef) return { conditions: [condition(previous, "Available", "True", "Local", "Local APIServices are always available", now)] };
  const group = `${a.spec?.group ?? ""}/${a.spec?.version ?? ""}`;
  const url = `https://${svcRef.name}.${svcRef.namespace}.svc:${svcRef.port ?? 443}/apis/${group}`;
  if (faults.apiServicesNeverAvailable.includes(a.metadata.name)) {
    return { conditions: [condition(previous, "Available", "False", "FailedDiscoveryCheck", `failing or missing response from ${url}: bad status from ${url}: 503`, now)] };
  }
  const svc = store.list("services").find((s) => s.metadata.namespace === svcRef.namespace && s.metadata.name === svcRef.name);
  if (!svc) return { conditions: [condition(previous, "Available", "False", "ServiceNotFound", `service/${svcRef.name} in "${svcRef.namespace}" is not present`, now)] };
  const backed = store.list("deployments.apps").some((d) => d.metadata.namespace === svcRef.namespace && isAvailable(d)
    && selects(svc.spec?.selector, d.spec?.template?.metadata?.labels));
  return backed
    ? { conditions: [condition(previous, "Available", "True", "Passed", "all checks passed", now)] }
    : { conditions: [condition(previous, "Available", "False", "MissingEndpoints", `endpoints for service/${svcRef.name} in "${svcRef.namespace}" have no addresses with port name "https"`, now)] };
}

/** Traefik's Gateway API provider: it accepts its GatewayClass and programs the Gateways of it while it runs. */
const TRAEFIK_CONTROLLER = "traefik.io/gateway-controller";
function traefikRunning(store) {
  return store.list("deployments.apps").some((d) => isAvailable(d)
    && (d.spec?.template?.spec?.containers ?? []).some((c) => (c.args ?? []).includes("--providers.kubernetesgateway")));
}

/** Brings every simulated status up to date; returns how many objects changed. */
export function reconcile(store, faults, now = new Date().toISOString().replace(/\.\d+Z$/, "Z")) {
  let changes = 0;
  const update = (resourceId, object, status) => {
    const clean = JSON.parse(JSON.stringify(status));
    if (sameJSON(object.status, clean)) return;
    store.save(resourceId, { ...structuredClone(object), status: clean });
    changes++;
  };
  // Node readiness feeds deployments, so settle in dependency order: DaemonSets, Nodes, then workloads.
  const nodes = () => store.list("nodes");
  for (const ds of store.list("daemonsets.apps")) update("daemonsets.apps", ds, daemonSetStatus(ds, nodes(), faults));
  const networkReady = store.list("daemonsets.apps").some((ds) => ds.metadata.name !== "kube-proxy" && fullyReady(ds));
  for (const node of nodes()) update("nodes", node, nodeStatus(node, networkReady, now));
  for (const d of store.list("deployments.apps")) update("deployments.apps", d, deploymentStatus(d, nodes(), faults, now));
  for (const s of store.list("statefulsets.apps")) update("statefulsets.apps", s, statefulSetStatus(s, nodes()));
  for (const crd of store.list("customresourcedefinitions.apiextensions.k8s.io")) {
    update("customresourcedefinitions.apiextensions.k8s.io", crd, crdStatus(crd, now));
  }
  for (const a of store.list("apiservices.apiregistration.k8s.io")) update("apiservices.apiregistration.k8s.io", a, apiServiceStatus(a, store, faults, now));
  const traefik = traefikRunning(store);
  const accepted = new Set();
  for (const gc of safeList(store, "gatewayclasses.gateway.networking.k8s.io")) {
    if (gc.spec?.controllerName !== TRAEFIK_CONTROLLER) continue;
    if (traefik) accepted.add(gc.metadata.name);
    const previous = gc.status?.conditions;
    update("gatewayclasses.gateway.networking.k8s.io", gc, {
      conditions: [traefik
        ? condition(previous, "Accepted", "True", "Accepted", "Handled by Traefik controller", now, { observedGeneration: gc.metadata.generation })
        : condition(previous, "Accepted", "Unknown", "Pending", "Waiting for controller", now, { observedGeneration: gc.metadata.generation })],
    });
  }
  for (const gw of safeList(store, "gateways.gateway.networking.k8s.io")) {
    if (!accepted.has(gw.spec?.gatewayClassName) && !(gw.status?.conditions ?? []).length) continue;
    const ok = accepted.has(gw.spec?.gatewayClassName);
    const previous = gw.status?.conditions;
    update("gateways.gateway.networking.k8s.io", gw, {
      conditions: [
        condition(previous, "Accepted", ok ? "True" : "Unknown", ok ? "Accepted" : "Pending", ok ? "Gateway successfully scheduled" : "Waiting for controller", now, { observedGeneration: gw.metadata.generation }),
        condition(previous, "Programmed", ok ? "True" : "Unknown", ok ? "Programmed" : "Pending", ok ? "Gateway successfully scheduled" : "Waiting for controller", now, { observedGeneration: gw.metadata.generation }),
      ],
    });
  }
  // kina-lb (kina install loadbalancer) publishes its node's address on LoadBalancer Services.
  const lbIp = loadBalancerAddress();
  if (lbIp) {
    for (const svc of store.list("services")) {
      if (svc.spec?.type !== "LoadBalancer" || svc.spec?.loadBalancerClass) continue;
      update("services", svc, { ...(svc.status ?? {}), loadBalancer: { ingress: [{ ip: lbIp, ipMode: "VIP" }] } });
    }
  }
  return changes;
}

/** Custom resources exist only once their CRD does. */
function safeList(store, id) {
  try {
    return store.list(id);
  } catch {
    return [];
  }
}
