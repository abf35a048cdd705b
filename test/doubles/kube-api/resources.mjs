// The API surface the fake apiserver serves: built-in resources plus those defined by stored CRDs.

const ALL = ["all"];
// [group, version, kind, plural, namespaced, shortNames, hasStatus, categories]
const BUILTIN = [
  ["", "v1", "Namespace", "namespaces", false, ["ns"], true],
  ["", "v1", "Node", "nodes", false, ["no"], true],
  ["", "v1", "Pod", "pods", true, ["po"], true, ALL],
  ["", "v1", "Service", "services", true, ["svc"], true, ALL],
  ["", "v1", "ConfigMap", "configmaps", true, ["cm"], false],
  ["", "v1", "Secret", "secrets", true, [], false],
  ["", "v1", "ServiceAccount", "serviceaccounts", true, ["sa"], false],
  ["", "v1", "Endpoints", "endpoints", true, ["ep"], false],
  ["", "v1", "Event", "events", true, ["ev"], false],
  ["", "v1", "PersistentVolume", "persistentvolumes", false, ["pv"], true],
  ["", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, ["pvc"], true],
  ["", "v1", "ReplicationController", "replicationcontrollers", true, ["rc"], true, ALL],
  ["", "v1", "LimitRange", "limitranges", true, ["limits"], false],
  ["", "v1", "ResourceQuota", "resourcequotas", true, ["quota"], true],
  ["", "v1", "PodTemplate", "podtemplates", true, [], false],
  ["apps", "v1", "Deployment", "deployments", true, ["deploy"], true, ALL],
  ["apps", "v1", "DaemonSet", "daemonsets", true, ["ds"], true, ALL],
  ["apps", "v1", "ReplicaSet", "replicasets", true, ["rs"], true, ALL],
  ["apps", "v1", "StatefulSet", "statefulsets", true, ["sts"], true, ALL],
  ["apps", "v1", "ControllerRevision", "controllerrevisions", true, [], false],
  ["batch", "v1", "Job", "jobs", true, [], true, ALL],
  ["batch", "v1", "CronJob", "cronjobs", true, ["cj"], true, ALL],
  ["autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers", true, ["hpa"], true, ALL],
  ["rbac.authorization.k8s.io", "v1", "Role", "roles", true, [], false],
  ["rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", true, [], false],
  ["rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", false, [], false],
  ["rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", false, [], false],
  ["storage.k8s.io", "v1", "StorageClass", "storageclasses", false, ["sc"], false],
  ["storage.k8s.io", "v1", "CSIDriver", "csidrivers", false, [], false],
  ["storage.k8s.io", "v1", "CSINode", "csinodes", false, [], false],
  ["storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", false, [], true],
  ["apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", false, ["crd", "crds"], true],
  ["apiregistration.k8s.io", "v1", "APIService", "apiservices", false, [], true],
  ["admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy", "validatingadmissionpolicies", false, [], true],
  ["admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings", false, [], false],
  ["admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations", false, [], false],
  ["admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations", false, [], false],
  ["policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", true, ["pdb"], true],
  ["networking.k8s.io", "v1", "Ingress", "ingresses", true, ["ing"], true],
  ["networking.k8s.io", "v1", "IngressClass", "ingressclasses", false, [], false],
  ["networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", true, ["netpol"], false],
  ["coordination.k8s.io", "v1", "Lease", "leases", true, [], false],
  ["discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", true, [], false],
  ["events.k8s.io", "v1", "Event", "events", true, ["ev"], false],
  ["scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", false, ["pc"], false],
  ["node.k8s.io", "v1", "RuntimeClass", "runtimeclasses", false, [], false],
  ["certificates.k8s.io", "v1", "CertificateSigningRequest", "certificatesigningrequests", false, ["csr"], true],
];

const VERBS = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function describe([group, version, kind, plural, namespaced, shortNames, hasStatus, categories]) {
  return {
    group, version, kind, plural, namespaced, shortNames, hasStatus, categories: categories ?? [],
    singular: kind.toLowerCase(),
    id: group ? `${plural}.${group}` : plural,
    apiVersion: group ? `${group}/${version}` : version,
  };
}

const builtin = BUILTIN.map(describe);

function fromCrd(crd) {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  if (!spec.group || !names.plural || !names.kind) return [];
  return (spec.versions ?? []).filter((v) => v.served !== false).map((v) => ({
    ...describe([spec.group, v.name, names.kind, names.plural, spec.scope !== "Cluster", names.shortNames ?? [],
      Boolean(v.subresources?.status), names.categories]),
    singular: names.singular ?? names.kind.toLowerCase(),
    crd: crd.metadata.name,
  }));
}

/** All served resources; `crds` are the stored CustomResourceDefinition objects. */
export function servedResources(crds) {
  return [...builtin, ...crds.flatMap(fromCrd)];
}

export function findResource(resources, group, version, plural) {
  return resources.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function builtinResource(group, plural) {
  return builtin.find((r) => r.group === group && r.plural === plural);
}

/** Group versions, preferred first within a group, groups in first-seen order ("" = core). */
export function groupVersions(resources) {
  const groups = new Map();
  for (const r of resources) {
    if (!groups.has(r.group)) groups.set(r.group, []);
    const versions = groups.get(r.group);
    if (!versions.includes(r.version)) versions.push(r.version);
  }
  return groups;
}

function apiGroup(name, versions) {
  const list = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: list, preferredVersion: list[0] };
}

export function discoveryApis(resources) {
  const groups = [...groupVersions(resources)].filter(([g]) => g !== "").map(([g, v]) => apiGroup(g, v));
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

export function discoveryGroup(resources, group) {
  const versions = groupVersions(resources).get(group);
  return versions ? { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group, versions) } : null;
}

export function discoveryResourceList(resources, group, version) {
  const matching = resources.filter((r) => r.group === group && r.version === version);
  if (matching.length === 0) return null;
  const list = [];
  for (const r of matching) {
    list.push({
      name: r.plural, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: VERBS,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    });
    if (r.hasStatus) {
      list.push({ name: `${r.plural}/status`, singularName: "", namespaced: r.namespaced, kind: r.kind,
        verbs: ["get", "patch", "update"] });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: group ? `${group}/${version}` : version,
    resources: list };
}
