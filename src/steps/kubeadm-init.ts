// kubeadmInit: render the kubeadm config for the first control plane, write it where kindest/node's
// entrypoint expects it (/kind/kubeadm.conf, so its restart logic keeps the certificates), and run
// `kubeadm init`. kubeadm init is not re-runnable: any attempt after the first starts with
// `kubeadm reset -f`, which clears what a partial init left behind.

import { NODE_KUBEADM_CONFIG_PATH } from "../image/nodeImage.js";
import { kubeadmInitArgs, renderKubeadmConfig } from "../kubeadm/index.js";
import { CONTROL_PLANE_ENDPOINT, CONTROL_PLANE_HOST, firstControlPlane } from "./nodes.js";
import type { KinaContext, KinaStep } from "./services.js";

const ADMIN_CONF = "/etc/kubernetes/admin.conf";

function tail(text: string, lines = 12): string {
  return text.trim().split("\n").slice(-lines).join("\n");
}

async function nodeVersion(ctx: KinaContext, node: string): Promise<string> {
  const result = await ctx.services.runtime.exec(node, ["cat", "/kind/version"]);
  const version = result.stdout.trim();
  if (result.exitCode !== 0 || !/^v\d+\.\d+\.\d+/.test(version)) {
    ctx.log.line(`no usable /kind/version in ${node}; using the configured ${ctx.config.kubernetesVersion}`);
    return ctx.config.kubernetesVersion;
  }
  return version;
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

    const version = await nodeVersion(ctx, cp.name);
    const config = renderKubeadmConfig({
      clusterName: ctx.cluster,
      kubernetesVersion: version,
      nodeName: cp.name,
      nodeIp: ip,
      podSubnet: ctx.config.networking.podSubnet,
      serviceSubnet: ctx.config.networking.serviceSubnet,
      kubeProxyMode: ctx.config.networking.kubeProxyMode,
      featureGates: ctx.config.featureGates,
      runtimeConfig: ctx.config.runtimeConfig,
      // The endpoint is a name every node resolves through kina's /etc/hosts block: it survives the
      // new IP Apple `container` gives the VM on every start.
      controlPlaneEndpoint: CONTROL_PLANE_ENDPOINT,
      extraCertSANs: ["127.0.0.1", "localhost", ip, cp.name, CONTROL_PLANE_HOST],
      kubeadmConfigPatches: ctx.config.kubeadmConfigPatches,
      kubeadmConfigPatchesJSON6902: ctx.config.kubeadmConfigPatchesJSON6902,
      nodeKubeadmConfigPatches: cp.kubeadmConfigPatches,
      nodeKubeadmConfigPatchesJSON6902: cp.kubeadmConfigPatchesJSON6902,
      nodeLabels: cp.labels,
    });
    ctx.log.line(`kubeadm config for ${cp.name}:\n${config}`);
    await runtime.writeFile(cp.name, NODE_KUBEADM_CONFIG_PATH, config, 0o600);

    ctx.progress("kubeadm init (usually the longest step)");
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
