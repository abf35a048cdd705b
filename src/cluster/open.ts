// Opening a cluster's state for reading: light (no engine, no runtime), for status and get.

import { ClusterStore } from "../../state/store.js";

export class ClusterNotFoundError extends Error {
  constructor(name: string) {
    super(`no cluster "${name}": \`kina get clusters\` lists the clusters kina knows`);
    this.name = "ClusterNotFoundError";
  }
}

export async function openCluster(name: string, env: NodeJS.ProcessEnv): Promise<ClusterStore> {
  const store = await ClusterStore.open(name, env);
  if (!store) throw new ClusterNotFoundError(name);
  return store;
}
