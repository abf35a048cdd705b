// Public surface of the `container` runtime adapter.
export * from "./container.js";
export * from "./errors.js";
export { mapCliFailure, USAGE_EXIT_CODE, type CliFailure } from "./error-map.js";
export * from "./preflight.js";
export { runProcess, type CommandListener, type CommandRecord, type ProcessOptions, type ProcessResult, type Stdin } from "./process.js";
export { assertValidContainerName, assertValidEnvName, assertValidLabelKey } from "./run-args.js";
export * from "./schemas.js";
export { shellQuote } from "./shell.js";
export * from "./version.js";
