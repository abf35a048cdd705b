// `helm` on PATH when the config asks for Cilium, which kina installs with helm (DESIGN.md §7):
// the same `helm version --short` and the same verdict (found, runs, Helm 3+) as the install.

import { HELM_INSTALL_HINT, HELM_VERSION_ARGS, judgeHelmVersion } from "../../steps/cni/helm.js";
import { ok, warn, type Check } from "../check.js";

export const helmCheck: Check = {
  id: "helm",
  async run(ctx) {
    if (ctx.config.cni !== "cilium") return ok(`not needed (networking.cni: ${ctx.config.cni}, ${ctx.config.source})`);
    const verdict = judgeHelmVersion(await ctx.host("helm", [...HELM_VERSION_ARGS]));
    if (!verdict.ok) return warn(`${verdict.problem}; networking.cni: cilium is installed with helm (${ctx.config.source})`, HELM_INSTALL_HINT);
    return ok(`${verdict.version} (for networking.cni: cilium)`);
  },
};
