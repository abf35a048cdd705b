// Bad input from the command line or a config file: printed as one line, exit 2, nothing created.
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}
