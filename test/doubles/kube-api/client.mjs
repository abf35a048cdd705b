// What in-"node" fakes (kubeadm join) need from the fake apiserver, spoken over its HTTPS API with admin credentials.
import { request } from "node:https";
import { lookupEndpoint } from "./endpoint-registry.mjs";
import { readCredentials } from "./kubeconfig.mjs";

/** Sends one JSON request with the kubeconfig's client certificate; resolves { status, body }. */
export function apiRequest({ adminConf, server, method, path, body, contentType = "application/json" }) {
  const credentials = readCredentials(adminConf);
  const base = new URL(server ?? lookupEndpoint(credentials.ca) ?? credentials.server);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request({
      host: base.hostname.replace(/^\[|\]$/g, ""), port: base.port || 443, method, path,
      ca: credentials.ca, cert: credentials.cert, key: credentials.key, servername: "localhost",
      headers: { Accept: "application/json", "User-Agent": "kubeadm/fake",
        ...(payload ? { "Content-Type": contentType, "Content-Length": Buffer.byteLength(payload) } : {}) },
      timeout: 15_000,
    }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let parsed;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
        resolve({ status: res.statusCode, body: parsed });
      });
    });
    req.on("timeout", () => req.destroy(new Error(`request to ${base.origin} timed out`)));
    req.on("error", reject);
    if (payload) req.write(payload);
    req.end();
  });
}

/**
 * Registers a Node the way kubelet does after `kubeadm join`: NotReady until a CNI is ready; control-plane nodes
 * get kubeadm's role label and NoSchedule taint. An existing Node is left as it is (kubelet re-registration).
 * `server` overrides where the API is reached; by default the live fake apiserver using admin.conf's CA.
 */
export async function registerNode({ adminConf, name, ip, role, server, labels = {} }) {
  const { nodeObject } = await import("./seed.mjs");
  const versionReply = await apiRequest({ adminConf, server, method: "GET", path: "/version" });
  const kubernetesVersion = versionReply.body?.gitVersion ?? "v0.0.0";
  const node = nodeObject({ name, ip, role, kubernetesVersion });
  // kubelet registers with its --node-labels.
  node.metadata.labels = { ...node.metadata.labels, ...labels };
  const reply = await apiRequest({ adminConf, server, method: "POST", path: "/api/v1/nodes?fieldManager=kubelet", body: node });
  if (reply.status === 201) return reply.body;
  if (reply.status === 409) return (await apiRequest({ adminConf, server, method: "GET", path: `/api/v1/nodes/${encodeURIComponent(name)}` })).body;
  throw new Error(`registering node ${name} failed: HTTP ${reply.status} ${reply.body?.message ?? ""}`);
}
