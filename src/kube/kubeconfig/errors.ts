/**
 * Why a kubeconfig operation failed. `code` lets callers pick an exit status or hint without
 * matching on message text; the message itself always names the file and the fix.
 */
export type KubeconfigErrorCode =
  | "invalid-admin-conf"
  | "not-yaml"
  | "not-kubeconfig"
  | "locked"
  | "partial-removal";

export class KubeconfigError extends Error {
  readonly code: KubeconfigErrorCode;
  /** The file the error is about, when there is one. */
  readonly path: string | undefined;

  constructor(code: KubeconfigErrorCode, message: string, options: { path?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "KubeconfigError";
    this.code = code;
    this.path = options.path;
  }
}
