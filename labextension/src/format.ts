/** Number formatting for readouts, hovers and table cells. Pure. */

/** 4 significant digits; exponent notation below 1e-3 or from 1e5; "0" for 0. */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "—";
  if (!Number.isFinite(x)) return x > 0 ? "∞" : "−∞";
  if (x === 0) return "0";
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e5) return x.toExponential(3).replace("e", "e");
  return Number(x.toPrecision(4)).toString();
}

/** Decibels with one decimal; "∞ dB" for an exact match. */
export function formatDb(db: number | null): string {
  if (db === null || db === Infinity) return "∞ dB";
  if (Number.isNaN(db)) return "—";
  return `${db.toFixed(1)} dB`;
}

/** A fraction as a percentage with enough digits to show small non-zero values. */
export function formatPercent(fraction: number): string {
  const p = fraction * 100;
  if (p === 0) return "0 %";
  if (p < 0.01) return "< 0.01 %";
  return `${p < 1 ? p.toFixed(3) : p.toFixed(2)} %`;
}

/** Bytes as B / KB / MB (1 KB = 1000 B, as file sizes are usually shown). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1e6) return `${(bytes / 1000).toFixed(1)} KB`;
  return `${(bytes / 1e6).toFixed(2)} MB`;
}

/**
 * Payload text for plotly's text fields (trace names, hover text, point labels), which take a
 * small HTML subset (`<br>`, `<b>`, `<a href>`, …): with `&`, `<` and `>` as entities the string
 * shows literally — a tensor named `<b>x</b>` or `<img onerror=…>` is drawn as those characters,
 * never as markup. Plotly turns the entities back into the characters when it draws.
 */
export function plotlyText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
