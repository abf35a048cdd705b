// What kina knows of each addon it installs: where its manifest comes from and which workload says
// it is available. Used by addonsReady (bootstrap) and the install/uninstall chains.

import { CHAINS, type AddonName, type ChainId } from "../../machines/workflows.js";
import { firstControlPlane } from "./nodes.js";
import type { KinaContext } from "./services.js";

export interface AddonSpec {
  /** Where its manifest comes from inside the node (kindest/node ships these). */
  manifest?: string;
  deployment: { namespace: string; name: string };
}

export const ADDON_CATALOG: Record<"coredns" | AddonName, AddonSpec> = {
  coredns: { deployment: { namespace: "kube-system", name: "coredns" } },
  storage: {
    manifest: "/kind/manifests/default-storage.yaml",
    deployment: { namespace: "local-path-storage", name: "local-path-provisioner" },
  },
};

/** The addon an install or uninstall chain is for. */
export function addonOfChain(chain: ChainId): AddonName {
  const addon = CHAINS[chain].addon;
  if (!addon) throw new Error(`chain ${chain} is not an addon chain`);
  return addon;
}

/** The chain's addon and its manifest as the node image ships it (undefined: it has none). */
export async function addonManifest(ctx: KinaContext): Promise<{ addon: AddonName; path?: string; text?: string }> {
  const addon = addonOfChain(ctx.chain);
  const path = ADDON_CATALOG[addon].manifest;
  if (!path) return { addon };
  return { addon, path, text: await ctx.services.runtime.readFile(firstControlPlane(ctx.config).name, path) };
}
