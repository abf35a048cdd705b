// Everything the fast path's read-only commands run, gathered in one module so the bundled bin
// loads it as one chunk (scripts/bundle.mjs) rather than a file per module. `cluster/open.js` is
// imported lazily by commands/status.ts for the yargs app; here it is pulled into the same chunk.

export { openCluster } from "../cluster/open.js";
export { pickClusterName } from "../config/resolve.js";
export { getClustersCommand, statusCommand } from "./commands/status.js";
export { reportError } from "./report.js";
