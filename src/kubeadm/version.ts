import { KubeadmConfigError } from "./errors.js";

export interface KubernetesVersion {
  major: number;
  minor: number;
  patch: number;
  /** The string as given, e.g. "v1.35.5" or "v1.37.0-rc.1". */
  raw: string;
}

export type KubeadmApiVersion = "kubeadm.k8s.io/v1beta3" | "kubeadm.k8s.io/v1beta4";

/**
 * Oldest Kubernetes kina renders a config for. kind still emits kubeadm v1beta2 below 1.23 and
 * then has to skip preflight through a CLI flag; kina only implements v1beta3 and newer.
 */
export const MIN_KUBERNETES_VERSION = "v1.23.0";

/** kind switches to kubeadm v1beta4 at 1.36 (pkg/cluster/internal/kubeadm/config.go). */
const V1BETA4_FROM = { major: 1, minor: 36 };

const VERSION_RE = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/;

/**
 * Parses a node image's Kubernetes version. Like kind's "generic" parse, a pre-release or build
 * suffix is ignored for comparisons, so v1.36.0-rc.1 counts as 1.36.0.
 */
export function parseKubernetesVersion(raw: string): KubernetesVersion {
  const m = VERSION_RE.exec(raw.trim());
  if (!m) {
    throw new KubeadmConfigError(
      "unsupported-version",
      `"${raw}" is not a Kubernetes version (expected something like v1.35.5)`,
    );
  }
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), raw: raw.trim() };
}

export function compareVersions(a: KubernetesVersion, b: KubernetesVersion): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

/** Parses and refuses versions older than kina supports, with the reason and the floor. */
export function supportedKubernetesVersion(raw: string): KubernetesVersion {
  const v = parseKubernetesVersion(raw);
  if (compareVersions(v, parseKubernetesVersion(MIN_KUBERNETES_VERSION)) < 0) {
    throw new KubeadmConfigError(
      "unsupported-version",
      `Kubernetes ${raw} is too old: kina supports ${MIN_KUBERNETES_VERSION} and newer ` +
        `(kubeadm config API v1beta3/v1beta4); use a newer node image`,
    );
  }
  return v;
}

export function kubeadmApiVersion(raw: string): KubeadmApiVersion {
  const v = supportedKubernetesVersion(raw);
  const atLeastV4 =
    v.major > V1BETA4_FROM.major || (v.major === V1BETA4_FROM.major && v.minor >= V1BETA4_FROM.minor);
  return atLeastV4 ? "kubeadm.k8s.io/v1beta4" : "kubeadm.k8s.io/v1beta3";
}

/** kind's node images configure containerd for cgroupfs before 1.24 and systemd from 1.24 on. */
export function kubeletCgroupDriver(raw: string): "systemd" | "cgroupfs" {
  const v = supportedKubernetesVersion(raw);
  return v.major === 1 && v.minor < 24 ? "cgroupfs" : "systemd";
}
