// Which clusters exist: folders with a state.json. Kept apart from store.ts so `kina get clusters`
// does not load the schema code.

import { readdirSync, statSync } from "node:fs";
import { clusterPaths, clustersDir } from "./paths.js";

/** Cluster names with a state folder, sorted. */
export async function listClusterNames(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  let entries: string[];
  try {
    // Sync: a folder listing and a stat per cluster cost less than fs/promises' set-up.
    entries = readdirSync(clustersDir(env));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const names: string[] = [];
  for (const entry of entries) {
    try {
      if (statSync(clusterPaths(entry, env).state).isFile()) names.push(entry);
    } catch {
      // a folder without state.json is not a cluster
    }
  }
  return names.sort();
}

