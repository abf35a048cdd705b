// The Mac's memory vs what the configured nodes ask for. Each VM gets its memory plus 128 MiB of
// overhead (reference §8 "Default resources"), and freed guest memory is not returned to macOS.

import { parseMemsize, parseVmStatAvailable } from "../host-memory.js";
import { fail, ok, warn, type Check } from "../check.js";

const VM_OVERHEAD_MIB = 128;
const MIB = 1024 * 1024;

function gib(bytes: number): string {
  return `${(bytes / 1024 / MIB).toFixed(1)} GiB`;
}

export const memoryCheck: Check = {
  id: "memory",
  async run(ctx) {
    const { nodes, source } = ctx.config;
    const neededBytes = nodes.reduce((sum, n) => sum + (n.memoryMiB + VM_OVERHEAD_MIB) * MIB, 0);
    const asked = `${nodes.length} node${nodes.length === 1 ? "" : "s"} ${nodes.length === 1 ? "needs" : "need"} ${gib(neededBytes)} with VM overhead (${source})`;
    const lower = "give the nodes less memory (nodes[].memory in the config, e.g. memory: 2g) or use fewer nodes";
    const totalRun = await ctx.host("sysctl", ["-n", "hw.memsize"]);
    const total = totalRun.exitCode === 0 ? parseMemsize(totalRun.stdout) : undefined;
    if (total === undefined) {
      const why = totalRun.spawnErrorCode === "ENOENT" ? "`sysctl` not found" : "`sysctl -n hw.memsize` gave no size";
      return warn(`cannot check: ${why}; ${asked}`);
    }
    if (total < neededBytes) return fail(`this Mac has ${gib(total)} in all, but ${asked}`, lower);
    const freeRun = await ctx.host("vm_stat", []);
    const available = freeRun.exitCode === 0 ? parseVmStatAvailable(freeRun.stdout) : undefined;
    if (available === undefined) {
      const why = freeRun.spawnErrorCode === "ENOENT" ? "`vm_stat` not found" : "`vm_stat` gave no page counts";
      return warn(`${gib(total)} in all, free memory unknown (${why}); ${asked}`);
    }
    if (available < neededBytes) {
      return warn(`only ${gib(available)} free of ${gib(total)}, but ${asked}: macOS will swap`, `quit other apps or VMs, or ${lower}`);
    }
    return ok(`${gib(available)} free of ${gib(total)}; ${asked}`);
  },
};
