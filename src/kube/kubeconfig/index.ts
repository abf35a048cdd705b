export { fromAdminConf, withServer, type FromAdminConfOptions } from "./admin-conf.js";
export { writePrivateFile } from "./atomic-write.js";
export { KubeconfigError, type KubeconfigErrorCode } from "./errors.js";
export {
  backupPathFor,
  exportKubeconfig,
  removeKubeconfigEntries,
  type ExportKubeconfigOptions,
  type ExportKubeconfigResult,
  type RemoveKubeconfigEntriesOptions,
} from "./files.js";
export type { LockOptions } from "./lock.js";
export { mergeInto, removeFrom, type MergeOptions, type RemoveResult } from "./merge.js";
export { kinaEntryName } from "./names.js";
export { kubeconfigPaths, mergeTargetPath } from "./paths.js";
