// What kina tells the user after it wrote their kubeconfig, and the kubectl line that works with
// it: shared by create/resume/start (through the cluster's state) and `kina export kubeconfig`.

import { homedir } from "node:os";
import { resolve } from "node:path";
import { kubeconfigPaths } from "../../kube/kubeconfig/paths.js";

/** What the kubeconfigExported step (or export kubeconfig) recorded about its last write. */
export interface UserKubeconfigWrite {
  path: string;
  currentContext: string;
  writtenAt?: string;
}

/** `Set kubectl context to "kina-dev"` as kind says it, or that the user's context was kept. */
export function contextNote(context: string, write: UserKubeconfigWrite): string {
  if (write.currentContext === context) return `Set kubectl context to "${context}"`;
  if (write.currentContext) return `Kept kubectl context "${write.currentContext}"; kina's is "${context}" (use --context ${context})`;
  return `${write.path} has no current context; kina's is "${context}" (use --context ${context})`;
}

/** `kubectl cluster-info --context kina-dev`, with `--kubeconfig FILE` when kubectl would not read FILE by itself. */
export function clusterInfoCommand(context: string, path: string | undefined, env: NodeJS.ProcessEnv): string {
  const base = `kubectl cluster-info --context ${context}`;
  if (path === undefined) return base;
  const defaults = kubeconfigPaths(env, env.HOME ?? homedir()).map((p) => resolve(p));
  return defaults.includes(resolve(path)) ? base : `${base} --kubeconfig ${path}`;
}

/** The record of the last write, from a cluster's state outputs; undefined if none was recorded. */
export function userKubeconfigWrite(outputs: Record<string, unknown>): UserKubeconfigWrite | undefined {
  const w = outputs["userKubeconfig"] as Partial<UserKubeconfigWrite> | undefined;
  return w && typeof w.path === "string" ? { path: w.path, currentContext: typeof w.currentContext === "string" ? w.currentContext : "", ...(w.writtenAt ? { writtenAt: w.writtenAt } : {}) } : undefined;
}
