// Every fake program returns { exitCode, stdout, stderr } with string streams.
export function ok(stdout = "", stderr = "") {
  return { exitCode: 0, stdout, stderr };
}

export function fail(exitCode, stderr, stdout = "") {
  return { exitCode, stdout, stderr: stderr.endsWith("\n") || stderr === "" ? stderr : stderr + "\n" };
}

/** Stdin of one exec: shared by every command of an `sh -c` script, consumed at most once. */
export class Stdin {
  constructor(data) {
    if (data === undefined || data === null) this.buffer = Buffer.alloc(0);
    else this.buffer = Buffer.isBuffer(data) ? data : Buffer.from(data);
    this.consumed = false;
  }

  readAll() {
    if (this.consumed) return Buffer.alloc(0);
    this.consumed = true;
    return this.buffer;
  }
}
