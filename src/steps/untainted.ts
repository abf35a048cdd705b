// untainted: with no workers, pods must schedule on the control planes, so their
// node-role.kubernetes.io/control-plane:NoSchedule taint goes. Removing an absent taint is a no-op.

import type { KubeAccess } from "../kube/access.js";
import { CONTROL_PLANE_TAINT, type NodeLike } from "./kube-waits.js";
import type { KinaContext, KinaStep } from "./services.js";

function controlPlanes(ctx: KinaContext): string[] {
  return ctx.config.nodes.filter((n) => n.role === "control-plane").map((n) => n.name);
}

function hasTaint(node: NodeLike | undefined): boolean {
  return Boolean(node?.spec?.taints?.some((t) => t.key === CONTROL_PLANE_TAINT && t.effect === "NoSchedule"));
}

async function readNode(kube: KubeAccess, name: string): Promise<NodeLike | undefined> {
  return kube.read<NodeLike>("v1", "Node", name);
}

export const step: KinaStep = {
  async run(ctx) {
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    for (const name of controlPlanes(ctx)) {
      const node = await readNode(kube, name);
      if (!node) throw new Error(`node ${name} is not registered with the API server`);
      if (!hasTaint(node)) {
        ctx.log.line(`${name} has no ${CONTROL_PLANE_TAINT}:NoSchedule taint`);
        continue;
      }
      const taints = (node.spec?.taints ?? []).filter((t) => !(t.key === CONTROL_PLANE_TAINT && t.effect === "NoSchedule"));
      // A merge patch replaces the whole list: the other taints are written back unchanged.
      await kube.mergePatch({ apiVersion: "v1", kind: "Node", metadata: { name }, spec: { taints } });
      ctx.log.line(`removed ${CONTROL_PLANE_TAINT}:NoSchedule from ${name}`);
    }
  },
  async verify(ctx) {
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    for (const name of controlPlanes(ctx)) {
      const node = await readNode(kube, name);
      if (!node) return { ok: false, reason: `node ${name} is not registered` };
      if (hasTaint(node)) return { ok: false, reason: `${name} has the ${CONTROL_PLANE_TAINT}:NoSchedule taint again` };
    }
    return { ok: true };
  },
};
