// `helm` on PATH when the config asks for Cilium, which kina installs with helm (DESIGN.md §7).

import { ok, warn, type Check } from "../check.js";

export const helmCheck: Check = {
  id: "helm",
  async run(ctx) {
    if (ctx.config.cni !== "cilium") return ok(`not needed (networking.cni: ${ctx.config.cni}, ${ctx.config.source})`);
    const result = await ctx.host("helm", ["version", "--short"]);
    const install = "install helm (`brew install helm`, or helm.sh/docs/intro/install) and put it on PATH";
    if (result.spawnErrorCode === "ENOENT") return warn(`not found on PATH; networking.cni: cilium is installed with helm (${ctx.config.source})`, install);
    if (result.exitCode !== 0) return warn(`\`helm version\` failed: ${(result.stderr || result.stdout).trim().split("\n")[0] ?? ""}`, install);
    return ok(`${result.stdout.trim()} (for networking.cni: cilium)`);
  },
};
