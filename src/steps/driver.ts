// The real cluster driver: every registry step's implementation (src/steps/<kebab-case id>.ts,
// exporting `step`, loaded on first use), the host preflight, and teardown. Loaded lazily by the
// commands that run or undo a cluster.

import { stepModuleName, type StepId } from "../../machines/workflows.js";
import type { ResolvedConfig } from "../config/resolved.js";
import { liveVmStates } from "../runtime/live.js";
import { assertMultiNodeSupported, checkHost } from "../runtime/preflight.js";
import { createServices, type KinaServices, type KinaStep } from "./services.js";
import type { ClusterDriver } from "./step.js";
import { teardown } from "./teardown.js";

export async function loadStep(id: StepId): Promise<KinaStep> {
  const module = (await import(`./${stepModuleName(id)}.js`)) as { step?: KinaStep };
  if (!module.step) throw new Error(`src/steps/${stepModuleName(id)}.ts does not export \`step\``);
  return module.step;
}

export function realDriver(): ClusterDriver<KinaServices> {
  return {
    loadStep,
    async preflight(config: ResolvedConfig, services: KinaServices) {
      const host = await checkHost({ cli: services.runtime, env: process.env });
      assertMultiNodeSupported(host.macosVersion, config.nodes.length);
    },
    teardown,
    liveVmStates,
    services: createServices,
  };
}
