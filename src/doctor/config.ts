// Which cluster config the doctor judges: `--config FILE`, else the stored config of the named
// cluster, else kina's defaults — the same resolution `kina create` uses.

import { readFile } from "node:fs/promises";
import { loadConfigFile } from "../config/load.js";
import { pickClusterName, resolveConfig } from "../config/resolve.js";
import { ResolvedConfig } from "../config/resolved.js";
import { parseSizeMiB } from "../config/size.js";
import { pinnedImageOptions } from "../image/nodeImage.js";
import { clusterPaths } from "../../state/paths.js";
import type { DoctorConfig } from "./context.js";

function fromResolved(config: ResolvedConfig, source: string): DoctorConfig {
  return {
    name: config.name,
    source,
    cni: config.networking.cni,
    nodes: config.nodes.map((n) => ({ name: n.name, role: n.role, memoryMiB: parseSizeMiB(n.memory) ?? 0 })),
  };
}

async function storedConfig(name: string, env: NodeJS.ProcessEnv): Promise<ResolvedConfig | undefined> {
  try {
    const doc = JSON.parse(await readFile(clusterPaths(name, env).state, "utf8")) as { config?: unknown };
    const parsed = ResolvedConfig.safeParse(doc.config);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Bad input (unreadable or invalid --config, bad name) throws UsageError before any check runs. */
export async function doctorConfig(
  args: { name?: string | undefined; config?: string | undefined },
  env: NodeJS.ProcessEnv,
  stdin: NodeJS.ReadableStream,
  warn: (message: string) => void,
): Promise<DoctorConfig> {
  const file = args.config ? await loadConfigFile(args.config, stdin) : undefined;
  const name = pickClusterName(undefined, args.name, env, file?.name);
  if (!file) {
    const stored = await storedConfig(name, env);
    if (stored) return fromResolved(stored, `cluster "${name}"'s stored config`);
  }
  const resolved = resolveConfig(file, {
    name,
    ...pinnedImageOptions(),
    switchContext: true,
    warn,
  });
  return fromResolved(resolved, file ? `--config ${args.config}` : "kina's defaults");
}
