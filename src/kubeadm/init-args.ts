import { supportedKubernetesVersion } from "./version.js";

/**
 * Preflight checks the Apple `container` k8s plugin ignores for kindest/node VMs (no swap
 * accounting, no kernel config kubeadm recognises, bridge-nf sysctl set by node prep). kina's
 * config skips the preflight phase as kind does; the flag keeps init working when a user patch
 * re-enables preflight.
 */
const APPLE_CONTAINER_PREFLIGHT_IGNORES = [
  "Swap",
  "SystemVerification",
  "FileContent--proc-sys-net-bridge-bridge-nf-call-iptables",
] as const;

export function preflightIgnores(kubernetesVersion: string): string[] {
  supportedKubernetesVersion(kubernetesVersion);
  return [...APPLE_CONTAINER_PREFLIGHT_IGNORES];
}

/** argv for `kubeadm init` inside the first control plane (kind: `--skip-token-print --v=6`). */
export function kubeadmInitArgs(opts: { configPath: string; version: string }): string[] {
  return [
    "kubeadm",
    "init",
    "--config",
    opts.configPath,
    "--skip-token-print",
    "--v=6",
    `--ignore-preflight-errors=${preflightIgnores(opts.version).join(",")}`,
  ];
}
