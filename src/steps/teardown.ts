// Teardown for `kina delete` and `--delete-on-failure`: every VM labelled for the cluster, the
// cluster's network, and kina's kubeconfig entries in every file of $KUBECONFIG. Works from labels
// alone, so it also cleans up after a create that died before writing state.

import { homedir } from "node:os";
import { createdKubeconfigsLedger } from "../../state/paths.js";
import { kubeconfigPaths, removeKubeconfigEntries } from "../kube/kubeconfig/index.js";
import { CLUSTER_LABEL, networkName } from "./nodes.js";
import type { KinaTeardownContext } from "./services.js";

export async function teardown(ctx: KinaTeardownContext): Promise<void> {
  const runtime = ctx.services.runtime;
  const containers = (await runtime.list({ all: true })).filter((c) => c.configuration.labels?.[CLUSTER_LABEL] === ctx.cluster);
  await Promise.all(
    containers.map(async (c) => {
      await runtime.delete(c.id, { force: true });
      ctx.notice(`deleted VM ${c.id}`);
    }),
  );
  const network = networkName(ctx.cluster);
  try {
    if (await runtime.tryNetworkInspect(network)) {
      await runtime.networkDelete(network);
      ctx.notice(`deleted network ${network}`);
    }
  } catch (error) {
    // macOS 15 has no `container network` commands; kina never created a network there.
    if ((error as Error).name !== "UnknownOptionError") throw error;
  }
  const paths = kubeconfigPaths(ctx.env, ctx.env.HOME ?? homedir());
  if (ctx.config?.kubeconfig.target) paths.push(ctx.config.kubeconfig.target);
  // Files `kina export kubeconfig --kubeconfig FILE` wrote to.
  const exported = ctx.outputs?.["exportedKubeconfigs"];
  if (Array.isArray(exported)) paths.push(...exported.filter((p): p is string => typeof p === "string"));
  const { changedPaths } = await removeKubeconfigEntries({ paths, cluster: ctx.cluster, createdLedger: createdKubeconfigsLedger(ctx.env) });
  for (const p of changedPaths) ctx.notice(`removed kina-${ctx.cluster} from ${p}`);
}
