// `container` installed and new enough, and which release facts apply to it (reference §13).

import { ContainerCliMissingError, UnexpectedOutputError } from "../../runtime/errors.js";
import { CONTAINER_RELEASES_URL } from "../../runtime/errors.js";
import { compareVersions, isVersionAtLeast, MIN_CONTAINER_VERSION } from "../../runtime/version.js";
import { fail, ok, reason, warn, type Check } from "../check.js";

const INSTALL = `install Apple \`container\` >= ${MIN_CONTAINER_VERSION} from ${CONTAINER_RELEASES_URL} (or point KINA_CONTAINER at it), then \`container system start\``;

/** What changed for kina in the releases at or before `version`. */
function releaseNotes(version: string): string[] {
  const notes: string[] = [];
  if (compareVersions(version, "1.3.0") >= 0) notes.push("1.3.0+: `--scheme auto` removed, Kata 3.32 debug kernel is the default");
  if (compareVersions(version, "1.4.0") >= 0) notes.push("1.4.1+: nested `system status` JSON, `/` unescaped");
  return notes;
}

export const containerCheck: Check = {
  id: "container",
  async run(ctx) {
    const where = ctx.env["KINA_CONTAINER"] ? `KINA_CONTAINER=${ctx.cli.binary}` : `\`${ctx.cli.binary}\` on PATH`;
    const probe = await ctx.version();
    if (!probe.ok) {
      if (probe.error instanceof ContainerCliMissingError) return fail(`not found (${where})`, INSTALL);
      if (probe.error instanceof UnexpectedOutputError) {
        return warn(`${where} answered \`--version\` in a shape kina does not know: ${reason(probe.error)}`, INSTALL);
      }
      return warn(`\`${ctx.cli.binary} --version\` did not answer: ${reason(probe.error)}`, INSTALL);
    }
    const version = probe.value;
    if (!isVersionAtLeast(version, MIN_CONTAINER_VERSION)) {
      return fail(`${version} (${where}) is too old: 1.2.0 denies the sysctl writes kubelet needs; kina needs >= ${MIN_CONTAINER_VERSION}`, INSTALL);
    }
    const notes = releaseNotes(version);
    return ok(`${version} (${where})${notes.length ? `; ${notes.join("; ")}` : ""}`);
  },
};
