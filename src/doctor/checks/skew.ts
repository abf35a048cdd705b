// Client/apiserver version skew: after a `.pkg` upgrade the old apiserver keeps running until the
// service restarts (reference §13). 1.4.1's `system status` carries both versions; older releases
// answer `system version --format json`.

import { isServiceRunning } from "../../runtime/schemas.js";
import { compareVersions } from "../../runtime/version.js";
import { ok, reason, warn, type Check } from "../check.js";

const RESTART = "container system stop && container system start";

export const skewCheck: Check = {
  id: "version-skew",
  async run(ctx) {
    const status = await ctx.status();
    if (!status.ok || !isServiceRunning(status.value)) return warn("cannot check: the `container` system service is not answering");
    let client = status.value.clientVersion;
    let server = status.value.serverVersion;
    let from = "`container system status`";
    if (!client || !server) {
      try {
        const versions = await ctx.cli.systemVersion();
        client = versions.clientVersion ?? client;
        server = versions.serverVersion ?? server;
        from = "`container system version`";
      } catch (error) {
        return warn(`cannot check: \`container system version\` did not answer (${reason(error)})`);
      }
    }
    if (!client || !server) return warn(`cannot check: ${from} did not report both the client and the apiserver version`);
    if (compareVersions(client, server) !== 0) {
      return warn(`client ${client} but apiserver ${server} (${from}): the old apiserver is still running after an upgrade`, RESTART);
    }
    return ok(`client and apiserver both ${client}`);
  },
};
