export {
  DEFAULT_API_BIND_PORT,
  DEFAULT_CRI_SOCKET,
  generateKubeadmDocuments,
  renderKubeadmConfig,
  renderKubeadmDocuments,
  type KubeadmInput,
  type KubeProxyMode,
} from "./config.js";
export type { JsonObject, JsonValue, KubeDocument } from "./documents.js";
export { KubeadmConfigError, type KubeadmConfigErrorCode } from "./errors.js";
export { kubeadmInitArgs, preflightIgnores } from "./init-args.js";
export {
  applyKubeadmConfigPatches,
  applyKubeadmJson6902Patches,
  parseKubeadmConfigPatches,
  type Json6902Patch,
  type ParsedMergePatch,
} from "./patches.js";
export { generateBootstrapToken, isBootstrapToken } from "./token.js";
export {
  MIN_KUBERNETES_VERSION,
  kubeadmApiVersion,
  kubeletCgroupDriver,
  parseKubernetesVersion,
  supportedKubernetesVersion,
  type KubeadmApiVersion,
  type KubernetesVersion,
} from "./version.js";
