// The per-attempt log file (logs/<step>-<attempt>.log): every command a step ran with its output,
// so a failure can be read after the fact. Written synchronously: a kill -9 keeps what was logged.

import { closeSync, openSync, writeSync } from "node:fs";
import type { CommandRecord, StepLog } from "../steps/step.js";

export class AttemptLog implements StepLog {
  private fd: number | undefined;

  constructor(readonly path: string) {
    this.fd = openSync(path, "a", 0o600);
  }

  line(text: string): void {
    this.write(`${new Date().toISOString()} ${text}\n`);
  }

  command(record: CommandRecord): void {
    const status = record.exitCode === undefined ? "" : ` → exit ${record.exitCode}`;
    const took = record.durationMs === undefined ? "" : ` (${record.durationMs}ms)`;
    let text = `${new Date().toISOString()} $ ${record.argv.map(quoteForLog).join(" ")}${status}${took}\n`;
    if (record.stdout) text += indent("stdout", record.stdout);
    if (record.stderr) text += indent("stderr", record.stderr);
    this.write(text);
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
