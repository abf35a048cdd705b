// kubeadmInit: render the kubeadm config for the first control plane, write it where kindest/node's
// entrypoint expects it (/kind/kubeadm.conf, so its restart logic keeps the certificates), and run
// `kubeadm init`. kubeadm init is not re-runnable: any attempt after the first starts with
// `kubeadm reset -f`, which clears what a partial init left behind.

import { NODE_KUBEADM_CONFIG_PATH } from "../image/nodeImage.js";
import { kubeadmInitArgs } from "../kubeadm/index.js";
import { firstControlPlane, nodeKubeadmConfig, nodeKubernetesVersion } from "./nodes.js";
import { preloadKubeClient, type KinaContext, type KinaStep } from "./services.js";

const ADMIN_CONF = "/etc/kubernetes/admin.conf";

function tail(text: string, lines = 12): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

export const step: KinaStep = {
  async run(ctx) {
    const runtime = ctx.services.runtime;
    const cp = firstControlPlane(ctx.config);
    const ip = ctx.outputs.nodes.find((n) => n.name === cp.name)?.ip;
    if (!ip) throw new Error(`no IP recorded for ${cp.name}; run \`kina retry vm ${ctx.cluster}\``);

    if (ctx.attempt > 1) {
      ctx.progress("kubeadm reset -f (clearing the previous attempt)");
      const reset = await runtime.exec(cp.name, ["kubeadm", "reset", "-f"]);
      if (reset.exitCode !== 0) throw new Error(`kubeadm reset -f failed in ${cp.name}:\n${tail(reset.stderr || reset.stdout)}`);
    }

    const version = await nodeKubernetesVersion(ctx, cp.name);
    const config = nodeKubeadmConfig(ctx, cp, ip, { kubernetesVersion: version });
    ctx.log.line(`kubeadm config for ${cp.name}:\n${config}`);
    await runtime.writeFile(cp.name, NODE_KUBEADM_CONFIG_PATH, config, 0o600);

    ctx.progress("kubeadm init (usually the longest step)");
    // kubeconfigExported is next and needs the Kubernetes client: load it while kubeadm works.
    preloadKubeClient();
    const init = await runtime.exec(cp.name, kubeadmInitArgs({ configPath: NODE_KUBEADM_CONFIG_PATH, version }), {
      timeoutMs: ctx.timeoutMs,
    });
    if (init.exitCode !== 0) {
      const error = new Error(`kubeadm init failed in ${cp.name} (exit ${init.exitCode}):\n${tail(init.stderr || init.stdout)}`);
      (error as Error & { hint?: string }).hint =
        `the full output is in the step log; \`kina resume ${ctx.cluster}\` runs kubeadm reset -f and tries again`;
      throw error;
    }
  },
  async verify(ctx) {
    const cp = firstControlPlane(ctx.config);
    const result = await ctx.services.runtime.exec(cp.name, ["test", "-f", ADMIN_CONF]);
    return result.exitCode === 0 ? { ok: true } : { ok: false, reason: `${ADMIN_CONF} is missing in ${cp.name}` };
  },
};
