/** Why a kubeadm configuration could not be produced; the CLI maps these to "invalid config" (exit 2). */
export type KubeadmConfigErrorCode =
  | "unsupported-version"
  | "invalid-input"
  | "patch-not-yaml"
  | "patch-invalid"
  | "patch-no-match"
  | "patch-failed";

export class KubeadmConfigError extends Error {
  override readonly name = "KubeadmConfigError";
  constructor(
    readonly code: KubeadmConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}
