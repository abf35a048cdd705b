// kina doctor: judges the Mac for kina and prints one line per check (src/doctor/); exit 1 when any
// check fails. The report is data, so it goes to stdout.

import { listClusterNames } from "../../../state/list.js";
import { doctorConfig } from "../../doctor/config.js";
import { doctorContext } from "../../doctor/context.js";
import { formatResult, runChecks, worstLevel } from "../../doctor/run.js";
import { ContainerCli } from "../../runtime/container.js";
import { EXIT_FAILURE, EXIT_OK, type CommandContext } from "../context.js";

export async function doctorCommand(c: CommandContext, args: { name?: string | undefined; config?: string | undefined }): Promise<number> {
  const config = await doctorConfig(args, c.io.env, c.io.stdin, (m) => c.say(`WARNING: ${m}`));
  const cli = new ContainerCli({ signal: c.signal, ...(c.io.env["KINA_CONTAINER"] ? { binary: c.io.env["KINA_CONTAINER"] } : {}) });
  const ctx = doctorContext({ cli, env: c.io.env, config, knownClusters: await listClusterNames(c.io.env), signal: c.signal });
  const results = await runChecks(ctx);
  for (const result of results) for (const line of formatResult(result)) c.out(line);
  const worst = worstLevel(results);
  const counts = (["fail", "warn"] as const).map((l) => `${results.filter((r) => r.level === l).length} ${l}`).join(", ");
  c.say(worst === "ok" ? "kina doctor: all checks passed" : `kina doctor: ${counts}`);
  return worst === "fail" ? EXIT_FAILURE : EXIT_OK;
}
