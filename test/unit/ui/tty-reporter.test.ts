// The terminal reporter's one contract with the screen: the status line is erased before any
// other line is printed and at the end, it never spans two rows, and a stream that went away
// stops the progress instead of throwing.

import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createTtyReporter } from "../../../src/ui/tty-reporter.js";

const ERASE = "\r\u001b[2K";

function terminal(columns = 40) {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      writes.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { columns, isTTY: true });
  return { stream, writes, screen: () => writes.join("") };
}

describe("the terminal reporter", () => {
  it("erases its status line before each printed line and at the end", () => {
    const t = terminal();
    const r = createTtyReporter(t.stream, false);
    r.begin('Bootstrapping cluster "dev"', 8);
    r.stepStart("imageBuilt", "");
    r.stepDone("imageBuilt", 120, "ran");
    r.stepStart("vmRunning", "");
    r.stepFailed("vmRunning", 900, "no VM");
    r.end();
    const out = t.screen();
    // Every status line drawn is later erased: after the last one, an erase comes before the text.
    expect(out).toContain(`${ERASE} • imageBuilt ... ✓ 120ms\n`);
    expect(out).toContain(`${ERASE} • vmRunning ... ✗ 900ms: no VM\n`);
    expect(out.endsWith(ERASE)).toBe(true);
    // After the end, the cursor is at the start of an empty row: nothing follows the erase.
    expect(out.slice(out.lastIndexOf("\n") + 1)).toMatch(/^(\r\u001b\[2K[^\n]*)*$/);
  });

  it("cuts the status line to the width and keeps it on one row", () => {
    const t = terminal(30);
    const r = createTtyReporter(t.stream, false);
    r.begin("x", 8);
    r.stepProgress("kubeadmInit", "a very long message\nwith a newline and\ttabs that goes on and on");
    const drawn = t.writes.filter((w) => w.startsWith(ERASE) && w.includes("[0/8]")).at(-1)!;
    const text = drawn.slice(ERASE.length);
    expect(text.length).toBeLessThan(30);
    expect(text).not.toMatch(/[\n\t]/);
    r.end();
  });

  it("a destroyed stream stops the progress without throwing", () => {
    const t = terminal();
    const r = createTtyReporter(t.stream, false);
    r.begin("x", 8);
    t.stream.destroy();
    const before = t.writes.length;
    expect(() => {
      r.stepStart("imageBuilt", "");
      r.stepDone("imageBuilt", 1, "ran");
      r.end();
    }).not.toThrow();
    expect(t.writes.length).toBe(before);
  });
});
