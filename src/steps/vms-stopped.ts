// vmsStopped (stop chain): every node VM of the cluster stopped. kindest/node runs systemd, which
// needs more than `container stop`'s default 5 s to shut the kubelet and containerd down cleanly
// before SIGKILL, so kina gives it STOP_SECONDS. Stopping a stopped VM is a no-op in `container`;
// a VM that no longer exists has nothing to stop (`kina start` reports it).

import type { KinaContext, KinaStep } from "./services.js";

export const STOP_SECONDS = 30;

async function states(ctx: KinaContext) {
  return Promise.all(ctx.config.nodes.map(async (n) => ({ node: n, vm: await ctx.services.runtime.tryInspect(n.name) })));
}

export const step: KinaStep = {
  async run(ctx) {
    await Promise.all(
      (await states(ctx)).map(async ({ node, vm }) => {
        if (!vm) {
          ctx.log.line(`${node.name} does not exist; nothing to stop`);
          return;
        }
        if (vm.status.state === "stopped") return;
        ctx.progress(`stopping ${node.name}`);
        await ctx.services.runtime.stop(node.name, { timeSeconds: STOP_SECONDS });
      }),
    );
  },
  async verify(ctx) {
    for (const { node, vm } of await states(ctx)) {
      if (vm && vm.status.state !== "stopped") return { ok: false, reason: `VM ${node.name} is ${vm.status.state}` };
    }
    return { ok: true };
  },
};
