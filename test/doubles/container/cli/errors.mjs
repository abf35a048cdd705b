// Error types mirroring how Apple `container` (swift-argument-parser 1.8.2 + ContainerizationError)
// prints failures, so the double's stderr and exit codes match reference §2 and §5.

/** A ContainerizationError: `code` is one of unknown, invalidArgument, internalError, exists, notFound,
 *  cancelled, invalidState, empty, timeout, unsupported, interrupted. */
export class CzError extends Error {
  constructor(code, message, cause) {
    super(message);
    this.code = code;
    this.cause = cause;
  }
  /** `description`: the form used when nested as a cause or collected in an AggregateError. */
  describe() {
    const base = `${this.code}: "${this.message}"`;
    return this.cause ? `${base} (cause: "${describe(this.cause)}")` : base;
  }
  /** `errorDescription`: the form printed after `Error: ` for a top-level error. */
  printable() {
    return this.cause ? `${this.message} (cause: "${describe(this.cause)}")` : this.message;
  }
}

/** Several per-item failures (stop/kill/delete): printed one `description` per line. */
export class AggregateFailure extends Error {
  constructor(errors) {
    super("aggregate");
    this.errors = errors;
  }
  printable() {
    return this.errors.map(describe).join("\n");
  }
}

/** Parse or validation failure: `Error: msg`, then the usage line, exit 64. */
export class UsageError extends Error {
  constructor(message, usage) {
    super(message);
    this.usage = usage;
  }
}

/** Terminates with a given exit code, printing nothing more (ArgumentParser.ExitCode). */
export class ExitCode extends Error {
  constructor(code) {
    super(`exit ${code}`);
    this.exitCode = code;
  }
}

/** A plain error whose text is printed verbatim (Swift errors that are neither of the above). */
export class PlainError extends Error {
  printable() {
    return this.message;
  }
}

export function describe(error) {
  if (error instanceof CzError) return error.describe();
  if (error instanceof AggregateFailure || error instanceof PlainError) return error.printable();
  return String(error?.message ?? error);
}

const XPC_DOWN = new CzError("interrupted", "XPC connection error: Connection invalid");
const START_HINT = "Ensure container system service has been started with `container system start`.";

/** What the CLI prints when the apiserver is down; `wrapMessage` names the client call that failed. */
export function serviceDown(wrapMessage) {
  const inner = wrapMessage ? new CzError("internalError", wrapMessage, XPC_DOWN) : XPC_DOWN;
  // Application.main re-wraps any error mentioning "XPC connection error" and appends the hint.
  return new PlainError(`${inner.describe()}\n${START_HINT}`);
}

/** Renders an error thrown by a command to { stderr, exitCode }. */
export function renderError(error) {
  if (error instanceof ExitCode) return { stderr: "", exitCode: error.exitCode };
  if (error instanceof UsageError) {
    const usage = error.usage ? `${error.usage}\n` : "";
    return { stderr: `Error: ${error.message}\n${usage}`, exitCode: 64 };
  }
  if (error instanceof CzError || error instanceof AggregateFailure || error instanceof PlainError) {
    return { stderr: `Error: ${error.printable()}\n`, exitCode: 1 };
  }
  return { stderr: `Error: fake container internal failure: ${error?.stack ?? error}\n`, exitCode: 1 };
}

/** Service down for per-item commands (stop/kill/delete <ids>): one wrapped failure per ID. */
export function serviceDownEach(wrapMessage, count) {
  const errors = Array.from({ length: count }, () => new CzError("internalError", wrapMessage, XPC_DOWN));
  return new PlainError(`${new AggregateFailure(errors).printable()}\n${START_HINT}`);
}
