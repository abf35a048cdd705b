// The terminal reporter's contract with the screen, checked on a small terminal model (rows,
// cursor, save/restore, erase, scrolling): finished step lines stay intact whatever the bar does,
// the bar never spans two rows and is gone at the end, and a stream that went away stops the
// progress instead of throwing. test/cli/tty.test.ts checks the same in a real tmux pane.

import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createTtyReporter } from "../../../src/ui/tty-reporter.js";

/** Enough of a VT100 for what cli-progress and kina write. */
function terminal(columns = 40, height = 6) {
  let rows: string[] = [""];
  let top = 0; // index of the first visible row
  let y = 0;
  let x = 0;
  let saved = { y: 0, x: 0 };
  const writes: string[] = [];
  const put = (ch: string) => {
    const row = rows[y] ?? "";
    rows[y] = row.padEnd(x).slice(0, x) + ch + row.slice(x + 1);
    x = Math.min(x + 1, columns - 1);
  };
  const feed = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      const c = text[i]!;
      if (c === "\n") {
        y += 1;
        x = 0;
        if (y >= rows.length) rows.push("");
        if (y - top >= height) top += 1; // scrolled: the saved screen position now names another row
      } else if (c === "\r") x = 0;
      else if (c === "\u001b") {
        const rest = text.slice(i + 1);
        let m: RegExpMatchArray | null;
        if (rest.startsWith("7")) {
          saved = { y: y - top, x };
          i += 1;
        } else if (rest.startsWith("8")) {
          y = top + saved.y;
          x = saved.x;
          i += 1;
        } else if ((m = rest.match(/^\[(\??)(\d*)([A-Za-z])/))) {
          const [all, priv, n, cmd] = m;
          if (!priv && cmd === "G") x = Math.max(0, Number(n || 1) - 1);
          if (!priv && cmd === "K") {
            const row = rows[y] ?? "";
            rows[y] = n === "2" ? "" : n === "1" ? " ".repeat(x) + row.slice(x) : row.slice(0, x);
          }
          i += all!.length;
        }
      } else put(c);
    }
  };
  const stream = new Writable({
    write(chunk, _enc, done) {
      writes.push(String(chunk));
      feed(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { columns, isTTY: true });
  return { stream, writes, rows: () => rows.map((r) => r.trimEnd()), cursor: () => ({ y, x }) };
}

function run(t: ReturnType<typeof terminal>, total = 8) {
  const r = createTtyReporter(t.stream, false);
  r.begin('Bootstrapping cluster "dev"', total);
  for (const step of ["imageBuilt", "vmRunning", "kubeadmInit", "kubeconfigExported"] as const) {
    r.stepStart(step, "");
    r.stepProgress(step, "working");
    r.stepDone(step, 120, "ran");
  }
  r.stepStart("nodesJoined", "");
  r.stepFailed("nodesJoined", 900, "no join");
  r.end();
  return r;
}

describe("the terminal reporter", () => {
  it("leaves every step line intact and no bar, even after the screen scrolled", () => {
    const t = terminal(60, 4); // fewer rows than lines printed: the screen scrolls mid-run
    run(t);
    t.stream.write("ERROR: nodesJoined failed: no join\n");
    const rows = t.rows().filter(Boolean);
    expect(rows).toEqual([
      'Bootstrapping cluster "dev" (8 steps)',
      " • imageBuilt ... ✓ 120ms",
      " • vmRunning ... ✓ 120ms",
      " • kubeadmInit ... ✓ 120ms",
      " • kubeconfigExported ... ✓ 120ms",
      " • nodesJoined ... ✗ 900ms: no join",
      "ERROR: nodesJoined failed: no join",
    ]);
  });

  it("draws the bar on one row, cut to the width, whatever the progress message holds", () => {
    const t = terminal(30);
    const r = createTtyReporter(t.stream, false);
    r.begin("x", 8);
    r.stepProgress("kubeadmInit", "a very long message\nwith a newline and\ttabs that goes on and on");
    const shown = t.rows().filter((row) => row.startsWith("[0/8]"));
    expect(shown).toHaveLength(1);
    expect(shown[0]!.length).toBeLessThanOrEqual(30);
    r.end();
    expect(t.rows().some((row) => row.startsWith("[0/8]"))).toBe(false);
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
