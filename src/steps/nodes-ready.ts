// nodesReady (start chain): the API answers /readyz through the cluster's kubeconfig (the same
// https://127.0.0.1:<port> the user's kubectl uses, which does not move when VMs get new IPs), and
// every node reports Ready.

import { StepTimeoutError } from "../engine/errors.js";
import { nodesReady, type NodeLike } from "./kube-waits.js";
import { waitFor } from "../engine/wait.js";
import type { KinaStep } from "./services.js";

export const step: KinaStep = {
  async run(ctx) {
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    let last = "no answer yet";
    ctx.progress(`waiting for ${kube.server}/readyz`);
    try {
      await waitFor(
        `the API server at ${kube.server}`,
        async () => {
          const r = await kube.readyz();
          last = r.detail;
          return r.ok;
        },
        ctx.signal,
        1000,
        () => last,
      );
    } catch (error) {
      if (ctx.signal.reason instanceof StepTimeoutError) throw new Error(`the API server at ${kube.server} did not become ready: ${last}`);
      throw error;
    }
    ctx.progress("waiting for every node to be Ready");
    const names = ctx.config.nodes.map((n) => n.name);
    await kube.waitUntil("nodes Ready", () => kube.list<NodeLike>("v1", "Node"), "/api/v1/nodes", (nodes) => nodesReady(nodes, names));
  },
  async verify(ctx) {
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const ready = await kube.readyz();
    if (!ready.ok) return { ok: false, reason: `the API server does not answer /readyz: ${ready.detail}` };
    const nodes = nodesReady((await kube.list<NodeLike>("v1", "Node")).items, ctx.config.nodes.map((n) => n.name));
    return nodes.done ? { ok: true } : { ok: false, reason: nodes.reason };
  },
};
