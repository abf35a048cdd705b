// Writing results: list formats (Output.render in Apple container) and buffered stdout/stderr.
import { CzError } from "./errors.mjs";
import { encodeCompact } from "./json.mjs";
import { renderTable } from "./table.mjs";

/** Output.emit: prints `text` plus a newline, or nothing at all for an empty string. */
export function emit(ctx, text) {
  if (text.length > 0) ctx.out(`${text}\n`);
}

/** `--format json|table` for list-like commands; `table()` renders the table or quiet form. */
export function renderList(ctx, format, payload, table) {
  if (format === "json") return emit(ctx, encodeCompact(payload));
  if (format === "yaml" || format === "toml") {
    throw new CzError("unsupported", `--format ${format} is not implemented by the container test double`);
  }
  return emit(ctx, table());
}

export function tableOrQuiet(header, rows, quiet, quietValue) {
  if (quiet) return rows.map(quietValue).join("\n");
  return renderTable([header, ...rows]);
}
