// The per-attempt log file (logs/<step>-<attempt>.log): every command a step ran with its output,
// so a failure can be read after the fact. Written synchronously: a kill -9 keeps what was logged.

import { closeSync, openSync, writeSync } from "node:fs";
import type { CommandRecord, StepLog } from "../steps/step.js";

export class AttemptLog implements StepLog {
  private fd: number | undefined;

  /**
   * `echo` gets each entry as it is written, without timestamps (kina -v streams it): the line,
   * and for a command its indented stdout/stderr apart (shown from -v 2).
   */
  constructor(
    readonly path: string,
    private readonly echo?: (line: string, output: string) => void,
  ) {
    this.fd = openSync(path, "a", 0o600);
  }

  line(text: string): void {
    this.write(`${new Date().toISOString()} ${text}\n`);
    this.echo?.(text, "");
  }

  command(record: CommandRecord): void {
    const status = record.exitCode === undefined ? "" : ` → exit ${record.exitCode}`;
    const took = record.durationMs === undefined ? "" : ` (${record.durationMs}ms)`;
    const line = `$ ${record.argv.map(quoteForLog).join(" ")}${status}${took}`;
    const output = (record.stdout ? indent("stdout", record.stdout) : "") + (record.stderr ? indent("stderr", record.stderr) : "");
    this.write(`${new Date().toISOString()} ${line}\n${output}`);
    this.echo?.(line, output);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private write(text: string): void {
    if (this.fd !== undefined) writeSync(this.fd, text);
  }
}

function indent(label: string, text: string): string {
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  return body
    .split("\n")
    .map((l) => `    ${label}| ${l}\n`)
    .join("");
}

function quoteForLog(arg: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

/** A log that goes nowhere, for verify calls whose output nobody needs. */
export const discardLog: StepLog = { path: "/dev/null", line() {}, command() {} };
