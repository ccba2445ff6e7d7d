/**
 * Tiny HTML and text-table builders for the `text/html` and `text/plain` fallbacks of tsquant's
 * MIME bundles. Every piece of text that reaches HTML goes through `escapeHtml`, so a tensor or
 * layer name like `<img onerror=…>` shows as text and never runs (the bundles render in
 * notebooks opened from anywhere, and on GitHub).
 */
import { escapeHtml } from "../services/mime";

export { escapeHtml };

/** A table cell: plain text (escaped) or a number (right-aligned). */
export type Cell = string | number;

function cellText(c: Cell): string {
  return typeof c === "number" ? formatNumber(c) : c;
}

/** Numbers as a reader wants them: integers exact, others to 4 significant digits. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x)) return x.toLocaleString("en-US");
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return x.toExponential(3);
  return String(Number(x.toPrecision(4)));
}

/** `<table>` with a header row; numbers are right-aligned. `caption` is escaped too. */
export function htmlTable(
  header: readonly string[],
  rows: readonly Cell[][],
  caption?: string,
): string {
  const th = header.map((h) => `<th>${escapeHtml(h)}</th>`).join("");
  const body = rows
    .map(
      (r) =>
        "<tr>" +
        r
          .map((c) =>
            typeof c === "number"
              ? `<td style="text-align:right">${escapeHtml(cellText(c))}</td>`
              : `<td style="text-align:left">${escapeHtml(c)}</td>`,
          )
          .join("") +
        "</tr>",
    )
    .join("\n");
  const cap = caption === undefined ? "" : `<caption>${escapeHtml(caption)}</caption>`;
  return `<table class="tsquant-table">${cap}<thead><tr>${th}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

/** A fixed-width text table (columns padded; numbers right-aligned) for `text/plain`. */
export function textTable(header: readonly string[], rows: readonly Cell[][]): string {
  const texts = rows.map((r) => r.map(cellText));
  const widths = header.map((h, j) => Math.max(h.length, ...texts.map((r) => (r[j] ?? "").length)));
  const line = (cells: readonly string[], numeric: readonly boolean[]): string =>
    cells
      .map((c, j) => (numeric[j] === true ? c.padStart(widths[j] ?? 0) : c.padEnd(widths[j] ?? 0)))
      .join("  ")
      .trimEnd();
  // A column whose cells are all numbers is right-aligned, its header too.
  const numeric = header.map(
    (_, j) => rows.length > 0 && rows.every((r) => typeof r[j] === "number"),
  );
  const out = [line(header, numeric), widths.map((w) => "-".repeat(w)).join("  ")];
  rows.forEach((r, i) =>
    out.push(
      line(
        texts[i] ?? [],
        r.map((c, j) => typeof c === "number" && numeric[j] === true),
      ),
    ),
  );
  return out.join("\n");
}
