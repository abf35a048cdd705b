// kindnet from the node image (/kind/manifests/default-cni.yaml), pointed at the control plane's
// stable name (kina-control-plane:6443, in every node's /etc/hosts) so it does not depend on the
// kubernetes Service before kube-proxy runs nor on the IP a restart changes, applied with
// server-side apply.

import { parseAllDocuments, stringify } from "yaml";
import { CONTROL_PLANE_ENDPOINT, firstControlPlane } from "../nodes.js";
import { verifyAgentAndNodes, waitForAgentAndNodes, type CniStrategy } from "./strategy.js";

const KINDNET_MANIFEST = "/kind/manifests/default-cni.yaml";
const KINDNET = { namespace: "kube-system", name: "kindnet" };

type EnvVar = { name: string; value?: string; [k: string]: unknown };
type Doc = { kind?: string; metadata?: { name?: string }; spec?: { template?: { spec?: { containers?: { env?: EnvVar[] }[] } } } };

function setEnv(env: EnvVar[], name: string, value: string): EnvVar[] {
  const rest = env.filter((e) => e.name !== name);
  return [...rest, { name, value }];
}

/** kind's manifest is a template: fill the pod subnet and set the control-plane endpoint. */
export function renderKindnet(manifest: string, podSubnet: string, endpoint: string): string {
  const filled = manifest.replaceAll("{{ .PodSubnet }}", podSubnet).replaceAll("{{.PodSubnet}}", podSubnet);
  const docs = parseAllDocuments(filled).map((d) => d.toJS() as Doc | null).filter((d): d is Doc => Boolean(d));
  let found = false;
  for (const doc of docs) {
    if (doc.kind !== "DaemonSet") continue;
    found = true;
    for (const c of doc.spec?.template?.spec?.containers ?? []) {
      c.env = setEnv(setEnv(c.env ?? [], "POD_SUBNET", podSubnet), "CONTROL_PLANE_ENDPOINT", endpoint);
    }
  }
  if (!found) throw new Error(`${KINDNET_MANIFEST} has no DaemonSet; is this a kindest/node-based image?`);
  return docs.map((d) => stringify(d)).join("---\n");
}

export const kindnet: CniStrategy = {
  async install(ctx, kube) {
    const cp = firstControlPlane(ctx.config);
    const manifest = await ctx.services.runtime.readFile(cp.name, KINDNET_MANIFEST);
    await kube.apply(renderKindnet(manifest, ctx.config.networking.podSubnet, CONTROL_PLANE_ENDPOINT));
  },
  waitReady: (ctx, kube) => waitForAgentAndNodes(ctx, kube, KINDNET),
  verify: (ctx, kube) => verifyAgentAndNodes(ctx, kube, KINDNET),
};
