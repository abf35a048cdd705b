// `helm` on the Mac's PATH, which kina uses for the CNIs that ship as charts (Cilium). kina runs
// `helm version --short` before anything else, and `kina doctor`'s helm check runs the same
// command, so both agree on what "helm works" means.

import type { ProcessResult } from "../../runtime/process.js";

export const HELM_VERSION_ARGS = ["version", "--short"] as const;
export const HELM_INSTALL_HINT = "install helm (`brew install helm`, or https://helm.sh/docs/intro/install/) and put it on PATH";

export type HelmVerdict = { ok: true; version: string } | { ok: false; problem: string };

/** Judges the result of `helm version --short`: found, ran, and Helm 3 or newer (Helm 2 needs Tiller). */
export function judgeHelmVersion(result: ProcessResult): HelmVerdict {
  if (result.spawnErrorCode === "ENOENT") return { ok: false, problem: "helm was not found on PATH" };
  if (result.spawnErrorCode) return { ok: false, problem: `helm could not be started (${result.spawnErrorCode})` };
  const out = result.stdout.trim();
  if (result.exitCode !== 0) {
    return { ok: false, problem: `\`helm ${HELM_VERSION_ARGS.join(" ")}\` failed (exit ${result.exitCode}): ${(result.stderr || out).trim().split("\n")[0] ?? ""}` };
  }
  const major = /v(\d+)\.\d+/.exec(out)?.[1];
  if (major === undefined) return { ok: false, problem: `\`helm ${HELM_VERSION_ARGS.join(" ")}\` printed no version: ${out.split("\n")[0] ?? ""}` };
  if (Number(major) < 3) return { ok: false, problem: `helm ${out} is too old: kina needs Helm 3 or newer` };
  return { ok: true, version: out };
}
