// VMs labelled io.kina.cluster=X for clusters kina has no state for (a deleted state folder, a
// crash before the first checkpoint): they hold memory and addresses nobody manages.

import { ok, reason, warn, type Check } from "../check.js";

// The label every kina node VM carries (DESIGN.md §4; src/steps/nodes.ts sets it). Not imported
// from there: that module pulls in the kubeadm renderer, which doctor does not need.
const CLUSTER_LABEL = "io.kina.cluster";

export const leftoversCheck: Check = {
  id: "leftover-vms",
  async run(ctx) {
    const probe = await ctx.containers();
    if (!probe.ok) return warn(`cannot check: \`container list --all\` did not answer (${reason(probe.error)})`);
    const known = new Set(ctx.knownClusters);
    const orphans = new Map<string, string[]>();
    for (const c of probe.value) {
      const cluster = c.configuration.labels?.[CLUSTER_LABEL];
      if (cluster === undefined || known.has(cluster)) continue;
      orphans.set(cluster, [...(orphans.get(cluster) ?? []), c.id]);
    }
    if (orphans.size === 0) return ok(`no kina VMs without a cluster state (${probe.value.length} containers listed)`);
    const clusters = [...orphans.keys()].sort();
    const ids = clusters.flatMap((c) => orphans.get(c)!);
    const listed = clusters.map((c) => `${c} (${orphans.get(c)!.join(", ")})`).join("; ");
    return warn(
      `VMs labelled ${CLUSTER_LABEL} for clusters kina has no state for: ${listed}`,
      `container delete --force ${ids.join(" ")}  (or: ${clusters.map((c) => `kina delete ${c}`).join("; ")})`,
    );
  },
};
