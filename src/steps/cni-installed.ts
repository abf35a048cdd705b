// cniInstalled: kindnet from the node image (/kind/manifests/default-cni.yaml), pointed at the
// control plane's stable name (kina-control-plane:6443, in every node's /etc/hosts) so it does not
// depend on the kubernetes Service before kube-proxy runs nor on the IP a restart changes,
// applied with server-side apply; then the DaemonSet must roll out and every node be Ready.

import { parseAllDocuments, stringify } from "yaml";
import type { KubeAccess } from "../kube/access.js";
import { daemonSetRolledOut, nodesReady, type DaemonSetLike, type NodeLike } from "./kube-waits.js";
import { CONTROL_PLANE_ENDPOINT, firstControlPlane } from "./nodes.js";
import type { KinaContext, KinaStep } from "./services.js";

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

async function waitForCni(ctx: KinaContext, kube: KubeAccess): Promise<void> {
  ctx.progress("waiting for DaemonSet kindnet to roll out");
  await kube.waitUntil(
    "DaemonSet kube-system/kindnet",
    () => kube.list<DaemonSetLike>("apps/v1", "DaemonSet", KINDNET.namespace),
    `/apis/apps/v1/namespaces/${KINDNET.namespace}/daemonsets`,
    (items) => daemonSetRolledOut(items.find((d) => d.metadata.name === KINDNET.name), KINDNET.name),
  );
  ctx.progress("waiting for every node to be Ready");
  const names = ctx.config.nodes.map((n) => n.name);
  await kube.waitUntil("nodes Ready", () => kube.list<NodeLike>("v1", "Node"), "/api/v1/nodes", (nodes) => nodesReady(nodes, names));
}

export const step: KinaStep = {
  async run(ctx) {
    if (ctx.config.networking.cni !== "kindnet") {
      throw new Error(`cni: ${ctx.config.networking.cni} is not supported by this kina yet; use kindnet or none`);
    }
    const cp = firstControlPlane(ctx.config);
    const manifest = await ctx.services.runtime.readFile(cp.name, KINDNET_MANIFEST);
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    await kube.apply(renderKindnet(manifest, ctx.config.networking.podSubnet, CONTROL_PLANE_ENDPOINT));
    await waitForCni(ctx, kube);
  },
  async verify(ctx) {
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const ds = daemonSetRolledOut(await kube.read<DaemonSetLike>("apps/v1", "DaemonSet", KINDNET.name, KINDNET.namespace), KINDNET.name);
    if (!ds.done) return { ok: false, reason: ds.reason };
    const nodes = nodesReady((await kube.list<NodeLike>("v1", "Node")).items, ctx.config.nodes.map((n) => n.name));
    return nodes.done ? { ok: true } : { ok: false, reason: nodes.reason };
  },
};
