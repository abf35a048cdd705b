// Reads a kubeadm config file the way kubeadm 1.35 does: multi-document YAML with
// InitConfiguration/ClusterConfiguration/JoinConfiguration (kubeadm.k8s.io/v1beta3 or v1beta4)
// plus kubelet and kube-proxy component configs. Shape errors kubeadm would reject are errors here.
import YAML from "yaml";

export class KubeadmConfigError extends Error {}

const KUBEADM_GROUP = "kubeadm.k8s.io";
const SUPPORTED = ["v1beta3", "v1beta4"];
const OLD = ["v1beta1", "v1beta2", "v1alpha3", "v1alpha2", "v1alpha1"];
const KUBEADM_KINDS = ["InitConfiguration", "ClusterConfiguration", "JoinConfiguration", "ResetConfiguration", "UpgradeConfiguration"];
const COMPONENT_KINDS = {
  "kubelet.config.k8s.io/v1beta1": "KubeletConfiguration",
  "kubeproxy.config.k8s.io/v1alpha1": "KubeProxyConfiguration",
};


// v1beta3 takes extraArgs as map[string]string, v1beta4 as []Arg{name, value}.
function checkArgs(value, version, where, kind) {
  if (value === undefined || value === null) return;
  if (version === "v1beta4") {
    if (!Array.isArray(value)) {
      throw new KubeadmConfigError(`json: cannot unmarshal object into Go struct field ${where} of type []v1beta4.Arg`);
    }
    for (const arg of value) {
      if (typeof arg !== "object" || arg === null || typeof arg.name !== "string" || (arg.value !== undefined && typeof arg.value !== "string")) {
        throw new KubeadmConfigError(`json: cannot unmarshal ${typeof arg.value === "boolean" ? "bool" : "value"} into Go struct field Arg.${where}.value of type string`);
      }
    }
    return;
  }
  if (Array.isArray(value) || typeof value !== "object") {
    throw new KubeadmConfigError(`json: cannot unmarshal array into Go struct field ${where} of type map[string]string`);
  }
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      const t = typeof v === "boolean" ? "bool" : typeof v === "number" ? "number" : "object";
      throw new KubeadmConfigError(`json: cannot unmarshal ${t} into Go struct field ${where} of type string (key "${k}" in ${kind})`);
    }
  }
}

/** Turns extraArgs of either shape into a plain map. */
export function argsMap(value) {
  if (!value) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((a) => [a.name, a.value ?? ""]));
  return { ...value };
}

export function parseKubeadmConfig(text) {
  let docs;
  try {
    docs = YAML.parseAllDocuments(text);
  } catch (err) {
    throw new KubeadmConfigError(`error converting YAML to JSON: yaml: ${err.message}`);
  }
  const result = { warnings: [], init: null, cluster: null, join: null, kubelet: null, proxy: null, version: null };
  for (const doc of docs) {
    if (doc.errors.length) {
      const e = doc.errors[0];
      const line = e.linePos?.[0]?.line;
      throw new KubeadmConfigError(`error converting YAML to JSON: yaml: ${line ? `line ${line}: ` : ""}${e.message.split("\n")[0]}`);
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    if (typeof obj !== "object" || Array.isArray(obj)) throw new KubeadmConfigError("error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array into Go value of type map[string]interface {}");
    const { apiVersion, kind } = obj;
    if (!apiVersion || !kind) {
      throw new KubeadmConfigError(`invalid configuration for GroupVersionKind ${apiVersion ?? ""}, Kind=${kind ?? ""}: kind and apiVersion is mandatory information that must be specified`);
    }
    const [group, version] = String(apiVersion).includes("/") ? String(apiVersion).split("/") : ["", apiVersion];
    if (group === KUBEADM_GROUP) {
      if (OLD.includes(version)) {
        throw new KubeadmConfigError(
          `your configuration file uses an old API spec: "${apiVersion}" (kind: "${kind}"). Please use kubeadm v1.22 instead and run 'kubeadm config migrate --old-config old.yaml --new-config new.yaml', which will write the new, similar spec using a newer API version.`,
        );
      }
      if (!SUPPORTED.includes(version)) throw new KubeadmConfigError(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "k8s.io/kubernetes/cmd/kubeadm/app/apis/kubeadm/scheme/scheme.go:31"`);
      if (!KUBEADM_KINDS.includes(kind)) {
        result.warnings.push(`[config] WARNING: Ignored configuration document with GroupVersionKind ${apiVersion}, Kind=${kind}`);
        continue;
      }
      result.version ??= version;
      validateKubeadmDoc(obj, version, kind);
      if (kind === "InitConfiguration") result.init = obj;
      else if (kind === "ClusterConfiguration") result.cluster = obj;
      else if (kind === "JoinConfiguration") result.join = obj;
    } else if (COMPONENT_KINDS[apiVersion] === kind) {
      if (kind === "KubeletConfiguration") result.kubelet = obj;
      else result.proxy = obj;
    } else {
      result.warnings.push(`[config] WARNING: Ignored YAML document with GroupVersionKind ${apiVersion}, Kind=${kind}`);
    }
  }
  return result;
}

function validateKubeadmDoc(obj, version, kind) {
  if (kind === "ClusterConfiguration") {
    checkArgs(obj.apiServer?.extraArgs, version, "ClusterConfiguration.apiServer.extraArgs", kind);
    checkArgs(obj.controllerManager?.extraArgs, version, "ClusterConfiguration.controllerManager.extraArgs", kind);
    checkArgs(obj.scheduler?.extraArgs, version, "ClusterConfiguration.scheduler.extraArgs", kind);
    checkArgs(obj.etcd?.local?.extraArgs, version, "ClusterConfiguration.etcd.local.extraArgs", kind);
    if (obj.networking?.podSubnet !== undefined && typeof obj.networking.podSubnet !== "string") {
      throw new KubeadmConfigError("json: cannot unmarshal value into Go struct field Networking.networking.podSubnet of type string");
    }
  }
  if (kind === "InitConfiguration" || kind === "JoinConfiguration") {
    checkArgs(obj.nodeRegistration?.kubeletExtraArgs, version, `${kind}.nodeRegistration.kubeletExtraArgs`, kind);
    if (obj.skipPhases !== undefined && !Array.isArray(obj.skipPhases)) {
      throw new KubeadmConfigError(`json: cannot unmarshal value into Go struct field ${kind}.skipPhases of type []string`);
    }
  }
  if (kind === "InitConfiguration") {
    for (const t of obj.bootstrapTokens ?? []) {
      if (typeof t.token !== "string" || !TOKEN_RE.test(t.token)) {
        throw new KubeadmConfigError(`bootstrapTokens[0].token: Invalid value: "${t.token}": the bootstrap token is invalid`);
      }
    }
  }
}

export const TOKEN_RE = /^[a-z0-9]{6}\.[a-z0-9]{16}$/;
