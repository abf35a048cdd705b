// macOS version vs the configured node count: VMs reach each other only on macOS 26 (reference §1).

import { macosMajor, MIN_MULTI_NODE_MACOS_MAJOR } from "../../runtime/version.js";
import { fail, ok, reason, warn, type Check } from "../check.js";

export const macosCheck: Check = {
  id: "macos",
  async run(ctx) {
    const probe = await ctx.macos();
    if (!probe.ok) return warn(`cannot check: ${reason(probe.error)}`, "kina runs on macOS (Apple silicon) with Apple's `container` CLI");
    const version = probe.value;
    const major = macosMajor(version) ?? 0;
    const count = ctx.config.nodes.length;
    if (major >= MIN_MULTI_NODE_MACOS_MAJOR) return ok(`${version}: multi-node clusters and networks available`);
    if (count > 1) {
      return fail(
        `${version} with a ${count}-node config (${ctx.config.source}): VMs cannot reach each other and \`container network\` needs macOS ${MIN_MULTI_NODE_MACOS_MAJOR}`,
        `use a single-node config, or upgrade to macOS ${MIN_MULTI_NODE_MACOS_MAJOR}`,
      );
    }
    return ok(`${version}: single-node clusters only (multi-node needs macOS ${MIN_MULTI_NODE_MACOS_MAJOR})`);
  },
};
