// The Gateway API controller of the `gateway` addon: Traefik, written by kina (Traefik ships a Helm
// chart, and kina's addons need no helm). It listens on the first control plane's ports 80 and 443
// (hostPort), so the Gateway answers at that node's IP from the Mac, and it reconciles the
// GatewayClass `traefik` and the Gateway `traefik/kina` kina creates.

import type { KubeObject } from "./objects.js";

export const TRAEFIK_IMAGE = "docker.io/library/traefik:v3.8";
const NS = "traefik";
const labels = { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/managed-by": "kina" };

const read = ["get", "list", "watch"];
const gatewayKinds = ["gatewayclasses", "gateways", "httproutes", "grpcroutes", "tcproutes", "tlsroutes", "udproutes", "referencegrants", "backendtlspolicies", "listenersets"];

export function traefikObjects(): KubeObject[] {
  return [
    { apiVersion: "v1", kind: "Namespace", metadata: { name: NS, labels } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "traefik", namespace: NS, labels } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: "kina-traefik", labels },
      rules: [
        { apiGroups: [""], resources: ["namespaces", "services", "secrets", "configmaps", "nodes"], verbs: read },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: read },
        { apiGroups: ["gateway.networking.k8s.io"], resources: gatewayKinds, verbs: read },
        { apiGroups: ["gateway.networking.k8s.io"], resources: gatewayKinds.map((k) => `${k}/status`), verbs: ["update", "patch"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "kina-traefik", labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "kina-traefik" },
      subjects: [{ kind: "ServiceAccount", name: "traefik", namespace: NS }],
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "traefik", namespace: NS, labels },
      spec: {
        replicas: 1,
        // hostPorts 80/443 allow one pod per node: stop the old one before starting the new.
        strategy: { type: "Recreate" },
        selector: { matchLabels: { "app.kubernetes.io/name": "traefik" } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: "traefik",
            // On the first control plane, so the Gateway is at the same address as the API and the LoadBalancer addon.
            nodeSelector: { "node-role.kubernetes.io/control-plane": "" },
            tolerations: [{ key: "node-role.kubernetes.io/control-plane", operator: "Exists", effect: "NoSchedule" }],
            containers: [
              {
                name: "traefik",
                image: TRAEFIK_IMAGE,
                args: [
                  "--entrypoints.web.address=:80",
                  "--entrypoints.websecure.address=:443",
                  "--providers.kubernetesgateway",
                  "--providers.kubernetesgateway.statusaddress.ip=$(HOST_IP)",
                  "--ping",
                ],
                env: [{ name: "HOST_IP", valueFrom: { fieldRef: { fieldPath: "status.hostIP" } } }],
                ports: [
                  { name: "web", containerPort: 80, hostPort: 80, protocol: "TCP" },
                  { name: "websecure", containerPort: 443, hostPort: 443, protocol: "TCP" },
                  { name: "traefik", containerPort: 8080, protocol: "TCP" },
                ],
                readinessProbe: { httpGet: { path: "/ping", port: 8080 }, periodSeconds: 2 },
                securityContext: { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } },
              },
            ],
          },
        },
      },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "GatewayClass",
      metadata: { name: "traefik", labels },
      spec: { controllerName: "traefik.io/gateway-controller" },
    },
    {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "Gateway",
      metadata: { name: "kina", namespace: NS, labels },
      spec: {
        gatewayClassName: "traefik",
        // Traefik matches a listener to the entrypoint of the same port. HTTPS listeners need a
        // certificate of the user's: add one to this Gateway (port 443) or make a Gateway of your own.
        listeners: [{ name: "http", protocol: "HTTP", port: 80, allowedRoutes: { namespaces: { from: "All" } } }],
      },
    },
  ];
}
