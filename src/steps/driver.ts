// The real cluster driver: the eight bootstrap steps in machine order, the host preflight, and
// teardown. Loaded lazily by the commands that run or undo a cluster.

import type { ResolvedConfig } from "../config/resolved.js";
import { assertMultiNodeSupported, checkHost } from "../runtime/preflight.js";
import { addonsReady } from "./addons.js";
import { cniInstalled } from "./cni.js";
import { imageBuilt } from "./image.js";
import { nodesJoined } from "./join.js";
import { kubeadmInit } from "./kubeadm-init.js";
import { kubeconfigExported } from "./kubeconfig.js";
import { createServices, type KinaServices } from "./services.js";
import type { ClusterDriver } from "./step.js";
import { teardown } from "./teardown.js";
import { untainted } from "./untaint.js";
import { vmRunning } from "./vm.js";

export function realDriver(): ClusterDriver<KinaServices> {
  return {
    steps: { imageBuilt, vmRunning, kubeadmInit, kubeconfigExported, nodesJoined, untainted, cniInstalled, addonsReady },
    async preflight(config: ResolvedConfig, services: KinaServices) {
      const host = await checkHost({ cli: services.runtime, env: process.env });
      assertMultiNodeSupported(host.macosVersion, config.nodes.length);
    },
    teardown,
    services: createServices,
  };
}
