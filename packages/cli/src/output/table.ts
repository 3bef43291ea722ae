// Aligned columns for list output: upper-case headers (bold on a terminal), two spaces between columns, no
// borders, so the output reads well and still splits on whitespace.
import { type Palette, visibleWidth } from "./palette.js";

export function renderTable(
  headers: readonly string[],
  rows: ReadonlyArray<readonly string[]>,
  palette: Palette,
): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => visibleWidth(row[i] ?? ""))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell + " ".repeat((widths[i] ?? 0) - visibleWidth(cell))))
      .join("  ")
      .trimEnd();
  const head = line(headers.map((h) => palette.bold(h.toUpperCase())));
  return [head, ...rows.map(line)].join("\n");
}
