// The objects `kubeadm init` leaves in a fresh cluster (before any CNI is installed).
import { randomUUID } from "node:crypto";

function meta(name, namespace, extra = {}) {
  return { name, ...(namespace ? { namespace } : {}), ...extra };
}

export function nodeObject({ name, ip, role, kubernetesVersion }) {
  const controlPlane = role === "control-plane";
  const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: meta(name, undefined, {
      labels: {
        "beta.kubernetes.io/arch": "arm64", "beta.kubernetes.io/os": "linux", "kubernetes.io/arch": "arm64",
        "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
        ...(controlPlane ? { "node-role.kubernetes.io/control-plane": "", "node.kubernetes.io/exclude-from-external-load-balancers": "" } : {}),
      },
      annotations: {
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
      },
    }),
    spec: {
      ...(controlPlane ? { taints: [{ key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }] } : {}),
    },
    status: {
      addresses: [{ type: "InternalIP", address: ip }, { type: "Hostname", address: name }],
      capacity: { cpu: "4", memory: "8128548Ki", pods: "110", "ephemeral-storage": "61202244Ki" },
      allocatable: { cpu: "4", memory: "8128548Ki", pods: "110", "ephemeral-storage": "61202244Ki" },
      conditions: ["MemoryPressure", "DiskPressure", "PIDPressure"].map((type) => ({
        type, status: "False", lastHeartbeatTime: now, lastTransitionTime: now, reason: `KubeletHasSufficient${type === "PIDPressure" ? "PID" : type.replace("Pressure", "")}`,
        message: `kubelet has sufficient ${type === "PIDPressure" ? "PID" : type.replace("Pressure", "").toLowerCase()} available`,
      })),
      nodeInfo: {
        architecture: "arm64", operatingSystem: "linux", osImage: "Debian GNU/Linux 12 (bookworm)",
        containerRuntimeVersion: "containerd://2.1.1", kubeletVersion: kubernetesVersion,
        kubeProxyVersion: kubernetesVersion, kernelVersion: "6.12.28", machineID: randomUUID().replace(/-/g, ""),
        systemUUID: randomUUID(), bootID: randomUUID(),
      },
    },
  };
}

function kubeconfigFor(server, caData, user) {
  return [
    "apiVersion: v1", "clusters:", "- cluster:", ...(caData ? [`    certificate-authority-data: ${caData}`] : []),
    ...(user ? ["    certificate-authority: /var/lib/kube-proxy/ca.crt"] : []),
    `    server: ${server}`, user ? "  name: default" : "  name: \"\"",
    ...(user ? ["contexts:", "- context:", "    cluster: default", "    namespace: default", "    user: default",
      "  name: default", "current-context: default", "kind: Config", "users:", "- name: default", "  user:",
      "    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token"]
      : ["contexts: null", "current-context: \"\"", "kind: Config", "preferences: {}", "users: null"]),
    "",
  ].join("\n");
}

/** [resourceId, object] pairs in creation order. */
export function seedObjects({ nodeName, advertiseAddress, kubernetesVersion, caCert }) {
  const server = `https://${advertiseAddress}:6443`;
  const caData = Buffer.from(caCert).toString("base64");
  const out = [];
  for (const ns of ["default", "kube-node-lease", "kube-public", "kube-system"]) {
    out.push(["namespaces", { apiVersion: "v1", kind: "Namespace", metadata: meta(ns), spec: { finalizers: ["kubernetes"] } }]);
  }
  out.push(["nodes", nodeObject({ name: nodeName, ip: advertiseAddress, role: "control-plane", kubernetesVersion })]);
  out.push(["services", {
    apiVersion: "v1", kind: "Service",
    metadata: meta("kubernetes", "default", { labels: { component: "apiserver", provider: "kubernetes" } }),
    spec: { type: "ClusterIP", clusterIP: "10.96.0.1", clusterIPs: ["10.96.0.1"], ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 6443 }] },
  }]);
  out.push(["services", {
    apiVersion: "v1", kind: "Service",
    metadata: meta("kube-dns", "kube-system", { labels: { "k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS" } }),
    spec: { type: "ClusterIP", clusterIP: "10.96.0.10", clusterIPs: ["10.96.0.10"], selector: { "k8s-app": "kube-dns" },
      ports: [{ name: "dns", port: 53, protocol: "UDP", targetPort: 53 }, { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
        { name: "metrics", port: 9153, protocol: "TCP", targetPort: 9153 }] },
  }]);
  out.push(["configmaps", {
    apiVersion: "v1", kind: "ConfigMap", metadata: meta("cluster-info", "kube-public"),
    data: { kubeconfig: kubeconfigFor(server, caData, false) },
  }]);
  out.push(["configmaps", {
    apiVersion: "v1", kind: "ConfigMap", metadata: meta("kubeadm-config", "kube-system"),
    data: {
      ClusterConfiguration: [
        "apiServer:", "  certSANs:", "  - localhost", "  - 127.0.0.1", "apiVersion: kubeadm.k8s.io/v1beta4",
        "caCertificateValidityPeriod: 87600h0m0s", "certificateValidityPeriod: 8760h0m0s",
        "certificatesDir: /etc/kubernetes/pki", "clusterName: kubernetes", `controlPlaneEndpoint: ${advertiseAddress}:6443`,
        "etcd:", "  local:", "    dataDir: /var/lib/etcd", "imageRepository: registry.k8s.io", "kind: ClusterConfiguration",
        `kubernetesVersion: ${kubernetesVersion}`, "networking:", "  dnsDomain: cluster.local", "  podSubnet: 10.244.0.0/16",
        "  serviceSubnet: 10.96.0.0/16", "",
      ].join("\n"),
    },
  }]);
  out.push(["configmaps", {
    apiVersion: "v1", kind: "ConfigMap", metadata: meta("kubelet-config", "kube-system"),
    data: { kubelet: "apiVersion: kubelet.config.k8s.io/v1beta1\ncgroupDriver: systemd\nclusterDNS:\n- 10.96.0.10\nclusterDomain: cluster.local\nkind: KubeletConfiguration\n" },
  }]);
  out.push(["configmaps", {
    apiVersion: "v1", kind: "ConfigMap", metadata: meta("kube-proxy", "kube-system", { labels: { app: "kube-proxy" } }),
    data: {
      "config.conf": "apiVersion: kubeproxy.config.k8s.io/v1alpha1\nclientConnection:\n  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf\nclusterCIDR: 10.244.0.0/16\nkind: KubeProxyConfiguration\nmode: iptables\n",
      "kubeconfig.conf": kubeconfigFor(server, undefined, true),
    },
  }]);
  out.push(["configmaps", {
    apiVersion: "v1", kind: "ConfigMap", metadata: meta("coredns", "kube-system"),
    data: { Corefile: ".:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n       pods insecure\n       fallthrough in-addr.arpa ip6.arpa\n    }\n    forward . /etc/resolv.conf\n    cache 30\n    loop\n    reload\n    loadbalance\n}\n" },
  }]);
  for (const sa of ["coredns", "kube-proxy"]) {
    out.push(["serviceaccounts", { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(sa, "kube-system") }]);
  }
  out.push(["deployments.apps", {
    apiVersion: "apps/v1", kind: "Deployment", metadata: meta("coredns", "kube-system", { labels: { "k8s-app": "kube-dns" } }),
    spec: {
      replicas: 2,
      selector: { matchLabels: { "k8s-app": "kube-dns" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: 1 } },
      template: {
        metadata: { labels: { "k8s-app": "kube-dns" } },
        spec: {
          priorityClassName: "system-cluster-critical", serviceAccountName: "coredns",
          nodeSelector: { "kubernetes.io/os": "linux" },
          tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" },
            { key: "node-role.kubernetes.io/control-plane", effect: "NoSchedule" }],
          containers: [{ name: "coredns", image: "registry.k8s.io/coredns/coredns:v1.12.1", args: ["-conf", "/etc/coredns/Corefile"],
            ports: [{ containerPort: 53, name: "dns", protocol: "UDP" }, { containerPort: 53, name: "dns-tcp", protocol: "TCP" }] }],
          volumes: [{ name: "config-volume", configMap: { name: "coredns", items: [{ key: "Corefile", path: "Corefile" }] } }],
        },
      },
    },
  }]);
  out.push(["daemonsets.apps", {
    apiVersion: "apps/v1", kind: "DaemonSet", metadata: meta("kube-proxy", "kube-system", { labels: { "k8s-app": "kube-proxy" } }),
    spec: {
      selector: { matchLabels: { "k8s-app": "kube-proxy" } },
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } },
      template: {
        metadata: { labels: { "k8s-app": "kube-proxy" } },
        spec: {
          hostNetwork: true, priorityClassName: "system-node-critical", serviceAccountName: "kube-proxy",
          nodeSelector: { "kubernetes.io/os": "linux" }, tolerations: [{ operator: "Exists" }],
          containers: [{ name: "kube-proxy", image: `registry.k8s.io/kube-proxy:${kubernetesVersion}`,
            command: ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"] }],
        },
      },
    },
  }]);
  for (const component of ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
    const image = component === "etcd" ? "registry.k8s.io/etcd:3.6.4-0" : `registry.k8s.io/${component}:${kubernetesVersion}`;
    out.push(["pods", {
      apiVersion: "v1", kind: "Pod",
      metadata: meta(`${component}-${nodeName}`, "kube-system", { labels: { component, tier: "control-plane" },
        annotations: { "kubernetes.io/config.source": "file" } }),
      spec: { nodeName, hostNetwork: true, priorityClassName: "system-node-critical", containers: [{ name: component, image }] },
      status: { phase: "Running", hostIP: advertiseAddress, podIP: advertiseAddress,
        conditions: [{ type: "Ready", status: "True" }],
        containerStatuses: [{ name: component, image, ready: true, started: true, restartCount: 0, state: { running: {} } }] },
    }]);
  }
  out.push(["clusterroles.rbac.authorization.k8s.io", {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole",
    metadata: meta("cluster-admin", undefined, { labels: { "kubernetes.io/bootstrapping": "rbac-defaults" } }),
    rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }, { nonResourceURLs: ["*"], verbs: ["*"] }],
  }]);
  out.push(["clusterrolebindings.rbac.authorization.k8s.io", {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding",
    metadata: meta("kubeadm:cluster-admins"),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: "kubeadm:cluster-admins" }],
  }]);
  out.push(["priorityclasses.scheduling.k8s.io", { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass",
    metadata: meta("system-cluster-critical"), value: 2000000000, description: "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary." }]);
  out.push(["priorityclasses.scheduling.k8s.io", { apiVersion: "scheduling.k8s.io/v1", kind: "PriorityClass",
    metadata: meta("system-node-critical"), value: 2000001000, description: "Used for system critical pods that must not be moved from their current node." }]);
  return out;
}
