// Where kina keeps its files: $KINA_HOME (default ~/.kina)/clusters/<name>/.

import { homedir } from "node:os";
import { join } from "node:path";

export interface ClusterPaths {
  home: string;
  dir: string;
  state: string;
  kubeconfig: string;
  logs: string;
  lock: string;
}

export function kinaHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.KINA_HOME && env.KINA_HOME.length > 0 ? env.KINA_HOME : join(homedir(), ".kina");
}

export function clustersDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(kinaHome(env), "clusters");
}

export function clusterPaths(name: string, env: NodeJS.ProcessEnv = process.env): ClusterPaths {
  const dir = join(clustersDir(env), name);
  return {
    home: kinaHome(env),
    dir,
    state: join(dir, "state.json"),
    kubeconfig: join(dir, "kubeconfig"),
    logs: join(dir, "logs"),
    lock: join(dir, "lock"),
  };
}

/** The list of kubeconfig files kina created itself (never backed up: they held nothing of the user's). */
export function createdKubeconfigsLedger(env: NodeJS.ProcessEnv = process.env): string {
  return join(kinaHome(env), "kubeconfigs-created.json");
}
