// nodesReady (start chain): the API answers /readyz through the cluster's kubeconfig (the same
// https://127.0.0.1:<port> the user's kubectl uses, which does not move when VMs get new IPs), and
// every node reports Ready, then CoreDNS is available again.

import { COREDNS } from "./addons-ready.js";
import { deploymentAvailable, nodesReady, type DeploymentLike, type NodeLike } from "./kube-waits.js";

import { waitForReadyz } from "./kube-nodes.js";
import type { KinaStep } from "./services.js";

export const step: KinaStep = {
  async run(ctx) {
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    ctx.progress(`waiting for ${kube.server}/readyz`);
    await waitForReadyz(kube, ctx.signal, (last) => new Error(`the API server at ${kube.server} did not become ready: ${last}`));
    ctx.progress("waiting for every node to be Ready");
    const names = ctx.config.nodes.map((n) => n.name);
    await kube.waitUntil("nodes Ready", () => kube.list<NodeLike>("v1", "Node"), "/api/v1/nodes", (nodes) => nodesReady(nodes, names));
    // In-cluster names work again only once CoreDNS is back (it needs a CNI: none with cni none).
    if (ctx.config.networking.cni !== "none") {
      ctx.progress("waiting for CoreDNS");
      await kube.waitUntil(
        "CoreDNS",
        () => kube.list<DeploymentLike>("apps/v1", "Deployment", COREDNS.namespace),
        `/apis/apps/v1/namespaces/${COREDNS.namespace}/deployments`,
        (items) => deploymentAvailable(items.find((d) => d.metadata.name === COREDNS.name), `${COREDNS.namespace}/${COREDNS.name}`),
      );
    }
  },
  async verify(ctx) {
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const ready = await kube.readyz();
    if (!ready.ok) return { ok: false, reason: `the API server does not answer /readyz: ${ready.detail}` };
    const nodes = nodesReady((await kube.list<NodeLike>("v1", "Node")).items, ctx.config.nodes.map((n) => n.name));
    if (!nodes.done) return { ok: false, reason: nodes.reason };
    if (ctx.config.networking.cni === "none") return { ok: true };
    const dns = deploymentAvailable(await kube.read<DeploymentLike>("apps/v1", "Deployment", COREDNS.name, COREDNS.namespace), "kube-system/coredns");
    return dns.done ? { ok: true } : { ok: false, reason: dns.reason };
  },
};
