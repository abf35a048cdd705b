// Column-aligned tables like `TableOutput` in Apple container: columns padded to max width + 2,
// last column unpadded, no trailing newline.

export function renderTable(rows) {
  const widths = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows
    .map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] + 2))).join(""))
    .join("\n");
}
