import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";

/**
 * The kubeconfig files kubectl would read, in precedence order: `$KUBECONFIG` split on the
 * platform's list separator with empty and repeated items dropped, else `~/.kube/config`.
 */
export function kubeconfigPaths(env: { KUBECONFIG?: string | undefined }, home: string): string[] {
  const fromEnv = (env.KUBECONFIG ?? "").split(delimiter).filter((item) => item.length > 0);
  const unique = [...new Set(fromEnv)];
  return unique.length > 0 ? unique : [join(home, ".kube", "config")];
}

/**
 * The file new entries are merged into, chosen as kubectl (client-go) does: the first of `paths`
 * that exists, else the last one. With one path (the usual case) that path.
 */
export function mergeTargetPath(paths: readonly string[], exists: (path: string) => boolean = existsSync): string {
  const last = paths[paths.length - 1];
  if (last === undefined) throw new TypeError("mergeTargetPath: no kubeconfig paths");
  return paths.find((path) => exists(path)) ?? last;
}
