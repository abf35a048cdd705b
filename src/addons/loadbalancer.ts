// The `loadbalancer` addon: a small loop in the first control-plane VM (a systemd unit, as kiac's
// kiac-lb) that writes the node's own address into status.loadBalancer.ingress of every Service
// of type LoadBalancer without a loadBalancerClass. kube-proxy already forwards a Service's
// LoadBalancer address, so `curl http://<node IP>:<port>` from the Mac reaches it. The loop reads
// the address each round, so a VM that came back with a new IP re-publishes within seconds.

export const LB_UNIT = "kina-lb.service";
export const LB_SCRIPT_PATH = "/usr/local/bin/kina-lb";
export const LB_UNIT_PATH = `/etc/systemd/system/${LB_UNIT}`;

export const LB_SCRIPT = `#!/bin/sh
# kina-lb: Services of type LoadBalancer get this node's address (installed by \`kina install loadbalancer\`).
set -u
export KUBECONFIG=/etc/kubernetes/admin.conf
template='{{range .items}}{{if eq .spec.type "LoadBalancer"}}{{if not .spec.loadBalancerClass}}{{.metadata.namespace}} {{.metadata.name}} {{range .status.loadBalancer.ingress}}{{.ip}},{{end}}{{"\\n"}}{{end}}{{end}}{{end}}'
while :; do
  ip=$(ip -4 -o addr show dev eth0 | awk '{ split($4, a, "/"); print a[1]; exit }')
  if [ -n "$ip" ]; then
    kubectl get services --all-namespaces -o go-template="$template" 2>/dev/null |
      while read -r ns name current; do
        [ "\${current:-}" = "$ip," ] && continue
        kubectl patch service --namespace "$ns" "$name" --subresource=status --type=merge \\
          -p "{\\"status\\":{\\"loadBalancer\\":{\\"ingress\\":[{\\"ip\\":\\"$ip\\",\\"ipMode\\":\\"VIP\\"}]}}}" >/dev/null
      done
  fi
  sleep 2
done
`;

export const LB_UNIT_FILE = `[Unit]
Description=kina LoadBalancer addresses (kina install loadbalancer)
After=kubelet.service

[Service]
ExecStart=${LB_SCRIPT_PATH}
Restart=always
RestartSec=2

[Install]
WantedBy=multi-user.target
`;
