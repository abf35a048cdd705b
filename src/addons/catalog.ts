// What kina knows of each addon: where its objects come from (the node image, an upstream release
// pinned by sha256, or objects kina writes itself), how kina adapts them, and what says the addon
// works. Data and small pure functions only; src/addons/install.ts does the I/O.

import type { AddonName } from "../../machines/workflows.js";
import type { KubeObject } from "./objects.js";
import { traefikObjects } from "./traefik.js";

/** A file of an upstream release, fetched once and checked against the sha256 kept here. */
export interface PinnedFile {
  url: string;
  sha256: string;
}

/** What must hold for an addon to count as available; each is checked through the API or the node. */
export type ReadyCheck =
  | { kind: "deployment"; namespace: string; name: string }
  | { kind: "apiservice"; name: string }
  | { kind: "gatewayclass"; name: string }
  | { kind: "gateway"; namespace: string; name: string }
  | { kind: "unit"; unit: string };

export interface AddonDef {
  /** One line for `--help` and the README. */
  summary: string;
  /** The manifest the node image ships (kindest/node's local-path). */
  nodeManifest?: string;
  /** An upstream release at a pinned version: its files in apply order. */
  upstream?: { version: string; files: readonly PinnedFile[] };
  /** Objects kina writes itself (after the upstream ones). */
  own?: () => KubeObject[];
  /** kina's adaptations of the upstream objects (image tag, flags), as kustomize's release overlay does. */
  render?: (objects: KubeObject[]) => KubeObject[];
  /** Runs inside the first control-plane VM instead of as Kubernetes objects (the LoadBalancer loop). */
  onNode?: "loadbalancer";
  ready: readonly ReadyCheck[];
  /** Printed on every install. */
  warning?: string;
}

const METRICS_SERVER_VERSION = "v0.9.0";
const GATEWAY_API_VERSION = "v1.6.1";
const INGRESS_NGINX_VERSION = "controller-v1.15.1";

const raw = (repo: string, ref: string, path: string) => `https://raw.githubusercontent.com/${repo}/${ref}/${path}`;

/** Gateway API standard channel, in the order of its config/crd/kustomization.yaml. */
const GATEWAY_API_CRDS: readonly [string, string][] = [
  ["gatewayclasses", "53710048ba26f8620eed59d5e51b157ecf040daf5c6eef31a4b991e0808c4be5"],
  ["gateways", "25b885f5870b8fff1ae82efa2628b2761cef3745900c2aecf8fb76629a01255a"],
  ["grpcroutes", "53a8d029da8f07e55d3fa58a5cf6de5950dab19fbb8d6a8082fb5e51ca5ef6fc"],
  ["httproutes", "a424a0d6c953b162e71d1d97bb7e75012d8f1ac264e7274f2763d1b96ab39852"],
  ["referencegrants", "8c645e9333cfa67790cc2a53e0c00076f88b2bd4230d2b49688c78bc34f9b2c3"],
  ["backendtlspolicies", "0d48c9e4b53dd9510cf615b9b1192d9d7afb07a1cc0498c9515627cb1c075419"],
  ["listenersets", "bf4d4b02564999b2558b96e31465129895db9b3a8adfb90adb9c80eac52a3a70"],
  ["tcproutes", "d5104d0cf30e924f5e3c9e2e76abd46876401c34ca33b9e79321523eee78c7f6"],
  ["tlsroutes", "bb8b67926e5d9652cbfd2e19063b7c1d9e78806c9dd671608f57baef2f2e3bbb"],
  ["udproutes", "4b80684c2bf8ef4b0a2a3ab45164ac9f96258fc69912645ff50ced595b0aa6de"],
  ["vap_safeupgrades", "afb0ea1b3cc2e9344d93b0926fbe741aeb48ab4439f9f7b4b77b9ac94faf6c2e"],
];

/** metrics-server's release components.yaml is manifests/base plus the release overlay's image. */
function renderMetricsServer(objects: KubeObject[]): KubeObject[] {
  for (const o of objects) {
    const labels = ((o.metadata.labels as Record<string, string> | undefined) ??= {});
    labels["k8s-app"] ??= "metrics-server"; // the base's kustomization commonLabels
    if (o.kind !== "Deployment") continue;
    const spec = o.spec as { template: { spec: { containers: { image?: string; args?: string[] }[] } } };
    for (const c of spec.template.spec.containers) {
      c.image = `registry.k8s.io/metrics-server/metrics-server:${METRICS_SERVER_VERSION}`;
      // kubelets serve self-signed certificates in a kubeadm cluster (reference: kernel-cni.md §5).
      if (!c.args?.includes("--kubelet-insecure-tls")) c.args = [...(c.args ?? []), "--kubelet-insecure-tls"];
    }
  }
  return objects;
}

export const ADDONS: Record<AddonName, AddonDef> = {
  storage: {
    summary: "a default StorageClass (local-path, from the node image); on by default",
    nodeManifest: "/kind/manifests/default-storage.yaml",
    ready: [{ kind: "deployment", namespace: "local-path-storage", name: "local-path-provisioner" }],
  },
  "metrics-server": {
    summary: `metrics-server ${METRICS_SERVER_VERSION} with --kubelet-insecure-tls: kubectl top works`,
    upstream: {
      version: METRICS_SERVER_VERSION,
      files: [
        { url: raw("kubernetes-sigs/metrics-server", METRICS_SERVER_VERSION, "manifests/base/rbac.yaml"), sha256: "510be174d47ae7d05ae6908ccb7ca7111008f18b5d1a920ebc6de6582c23b854" },
        { url: raw("kubernetes-sigs/metrics-server", METRICS_SERVER_VERSION, "manifests/base/service.yaml"), sha256: "1ce19a57f4769906255c3410a38a01fb0f803e21976ce160f506a90638cbb5c7" },
        { url: raw("kubernetes-sigs/metrics-server", METRICS_SERVER_VERSION, "manifests/base/deployment.yaml"), sha256: "18970227f17d0c6cb8e7a4a1cdde847117703afd3b0777badf8a006cfea252c2" },
        { url: raw("kubernetes-sigs/metrics-server", METRICS_SERVER_VERSION, "manifests/base/apiservice.yaml"), sha256: "03266df7891b56dfffebb855a031b524ed20c6736846417ccd491dd91c6c0ec3" },
      ],
    },
    render: renderMetricsServer,
    ready: [
      { kind: "deployment", namespace: "kube-system", name: "metrics-server" },
      { kind: "apiservice", name: "v1beta1.metrics.k8s.io" },
    ],
  },
  gateway: {
    summary: `Gateway API ${GATEWAY_API_VERSION} (standard channel) with Traefik: GatewayClass traefik, Gateway traefik/kina on the node's port 80`,
    upstream: {
      version: GATEWAY_API_VERSION,
      files: GATEWAY_API_CRDS.map(([name, sha256]) => ({
        url: raw("kubernetes-sigs/gateway-api", GATEWAY_API_VERSION, `config/crd/standard/gateway.networking.k8s.io_${name}.yaml`),
        sha256,
      })),
    },
    own: traefikObjects,
    ready: [
      { kind: "deployment", namespace: "traefik", name: "traefik" },
      { kind: "gatewayclass", name: "traefik" },
      { kind: "gateway", namespace: "traefik", name: "kina" },
    ],
  },
  loadbalancer: {
    summary: "Services of type LoadBalancer get the first control plane's IP, reachable from the Mac",
    onNode: "loadbalancer",
    ready: [{ kind: "unit", unit: "kina-lb.service" }],
  },
  "ingress-nginx": {
    summary: "ingress-nginx controller v1.15.1 (kind provider, hostPort 80/443); retired upstream, prefer gateway",
    upstream: {
      version: INGRESS_NGINX_VERSION,
      files: [{ url: raw("kubernetes/ingress-nginx", INGRESS_NGINX_VERSION, "deploy/static/provider/kind/deploy.yaml"), sha256: "2a3ae008c8786431115502644e77ab398fdebfb721a5d1195ed3089cde3299df" }],
    },
    ready: [{ kind: "deployment", namespace: "ingress-nginx", name: "ingress-nginx-controller" }],
    warning:
      "ingress-nginx was retired in March 2026: no releases or security fixes any more. `kina install gateway` (Gateway API with Traefik) is the maintained choice.",
  },
};
