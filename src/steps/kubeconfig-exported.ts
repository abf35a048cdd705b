// kubeconfigExported: kubeadm's admin.conf, renamed to kina-<cluster> and pointed at the published
// 127.0.0.1 port, written to the cluster folder (0600) and merged into the user's kubeconfig; then
// the API must answer /readyz from the host, through that very file, within the step timeout.

import { access } from "node:fs/promises";
import { homedir } from "node:os";
import { parse } from "yaml";
import { exportKubeconfig, fromAdminConf, kinaEntryName, kubeconfigPaths, mergeTargetPath, writePrivateFile } from "../kube/kubeconfig/index.js";
import { createdKubeconfigsLedger } from "../../state/paths.js";
import { waitForReadyz } from "./kube-nodes.js";
import { firstControlPlane } from "./nodes.js";
import type { KinaContext, KinaStep } from "./services.js";

const ADMIN_CONF = "/etc/kubernetes/admin.conf";

export function userKubeconfigTarget(ctx: Pick<KinaContext, "config" | "env">): string {
  return ctx.config.kubeconfig.target ?? mergeTargetPath(kubeconfigPaths(ctx.env, ctx.env.HOME ?? homedir()));
}

function unreachable(ctx: KinaContext, server: string, detail: string): Error {
  const error = new Error(`the API server at ${server} did not answer /readyz from this Mac: ${detail}`);
  (error as Error & { hint?: string }).hint =
    "usual causes: a VPN routing the VM subnet away (disconnect it or exclude 192.168.64.0/24), or a " +
    "stuck `container` service (`container system stop && container system start`); then " +
    `\`kina resume ${ctx.cluster}\``;
  return error;
}

async function checkReachable(ctx: KinaContext): Promise<void> {
  const kube = await ctx.services.kube(ctx.paths.kubeconfig);
  await waitForReadyz(kube, ctx.signal, (last) => unreachable(ctx, kube.server, last));
}

export const step: KinaStep = {
  async run(ctx) {
    const cp = firstControlPlane(ctx.config);
    const port = ctx.outputs.apiServerPort;
    if (!port) throw new Error(`no API port recorded; run \`kina retry vm ${ctx.cluster}\``);
    const admin = await ctx.services.runtime.readFile(cp.name, ADMIN_CONF, { redact: true });
    const server = `https://127.0.0.1:${port}`;
    const kinaYaml = fromAdminConf(admin, { cluster: ctx.cluster, server });
    await writePrivateFile(ctx.paths.kubeconfig, kinaYaml);
    const target = userKubeconfigTarget(ctx);
    const result = await exportKubeconfig({
      targetPath: target,
      kinaYaml,
      switchContext: ctx.config.kubeconfig.switchContext,
      createdLedger: createdKubeconfigsLedger(ctx.env),
    });
    ctx.log.line(`merged ${kinaEntryName(ctx.cluster)} into ${target}${result.backupPath ? ` (backup: ${result.backupPath})` : ""}`);
    // The CLI tells the user which context is current after this write (see userKubeconfigWrite).
    await ctx.setOutputs({
      kubeconfig: ctx.paths.kubeconfig,
      context: kinaEntryName(ctx.cluster),
      userKubeconfig: { path: target, currentContext: result.currentContext, writtenAt: new Date().toISOString() },
    });
    ctx.progress(`waiting for ${server}/readyz`);
    await checkReachable(ctx);
  },
  async verify(ctx) {
    try {
      await access(ctx.paths.kubeconfig);
    } catch {
      return { ok: false, reason: `${ctx.paths.kubeconfig} is missing` };
    }
    const target = userKubeconfigTarget(ctx);
    const context = kinaEntryName(ctx.cluster);
    try {
      const { readFile } = await import("node:fs/promises");
      const doc = parse(await readFile(target, "utf8")) as { contexts?: { name?: string }[] } | null;
      if (!doc?.contexts?.some((c) => c?.name === context)) return { ok: false, reason: `context ${context} is missing from ${target}` };
    } catch {
      return { ok: false, reason: `${target} is missing or unreadable` };
    }
    const kube = await ctx.services.kube(ctx.paths.kubeconfig);
    const r = await kube.readyz();
    return r.ok ? { ok: true } : { ok: false, reason: `the API server does not answer /readyz (${r.detail})` };
  },
};
