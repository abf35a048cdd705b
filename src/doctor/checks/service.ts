// The `container` system service (apiserver launch agent) is running (reference §4.5, §13).

import { isServiceRunning } from "../../runtime/schemas.js";
import { ServiceNotStartedError } from "../../runtime/errors.js";
import { fail, ok, reason, warn, type Check } from "../check.js";

export const serviceCheck: Check = {
  id: "service",
  async run(ctx) {
    const version = await ctx.version();
    if (!version.ok) return warn(`cannot check: \`container\` did not answer (${reason(version.error)})`);
    const probe = await ctx.status();
    if (!probe.ok) {
      if (probe.error instanceof ServiceNotStartedError) return fail("not running", "container system start");
      return warn(`cannot check: \`container system status\` did not answer (${reason(probe.error)})`, "container system start");
    }
    const status = probe.value;
    if (!isServiceRunning(status)) return fail(`${status.status} (\`container system status\`)`, "container system start");
    const server = status.serverVersion ? `apiserver ${status.serverVersion}` : "apiserver version not reported";
    return ok(`running (${server}${status.appRoot ? `, app root ${status.appRoot}` : ""})`);
  },
};
