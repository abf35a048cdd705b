// The doctor's checks in the order a new user meets the problems, and the report lines:
// `ok|warn|fail  <check>: <finding>`, and for warn/fail the fix on the next line.

import type { Check, Finding, Level } from "./check.js";
import { containerCheck } from "./checks/container.js";
import { helmCheck } from "./checks/helm.js";
import { kernelCheck } from "./checks/kernel.js";
import { leftoversCheck } from "./checks/leftovers.js";
import { macosCheck } from "./checks/macos.js";
import { memoryCheck } from "./checks/memory.js";
import { serviceCheck } from "./checks/service.js";
import { skewCheck } from "./checks/skew.js";
import { subnetCheck } from "./checks/subnet.js";
import { reason, warn } from "./check.js";
import type { DoctorContext } from "./context.js";

export const CHECKS: readonly Check[] = [
  containerCheck,
  serviceCheck,
  skewCheck,
  kernelCheck,
  macosCheck,
  memoryCheck,
  subnetCheck,
  leftoversCheck,
  helmCheck,
];

export interface CheckResult extends Finding {
  id: string;
}

/** Runs every check; one that throws is reported as a warning (it could not answer), never a crash. */
export async function runChecks(ctx: DoctorContext, checks: readonly Check[] = CHECKS): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const finding = await check.run(ctx).catch((error: unknown) => warn(`cannot check: ${reason(error)}`));
    results.push({ id: check.id, ...finding });
  }
  return results;
}

const LEVEL_WIDTH = 6; // "fail" + two spaces

export function formatResult(result: CheckResult): string[] {
  const lines = [`${result.level.padEnd(LEVEL_WIDTH)}${result.id}: ${result.finding}`];
  if (result.level !== "ok" && result.fix) lines.push(`${" ".repeat(LEVEL_WIDTH)}fix: ${result.fix}`);
  return lines;
}

export function worstLevel(results: readonly CheckResult[]): Level {
  if (results.some((r) => r.level === "fail")) return "fail";
  return results.some((r) => r.level === "warn") ? "warn" : "ok";
}
