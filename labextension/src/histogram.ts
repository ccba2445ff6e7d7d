/**
 * Histogram helpers shared by the views. Pure and DOM-free.
 */
import type { HistogramData } from "../../kernel/src/display/payload";

/** Bin width (max - min) / bins; 0 for a degenerate histogram (min == max or no bins). */
export function binWidth(h: HistogramData): number {
  return h.counts.length > 0 ? (h.max - h.min) / h.counts.length : 0;
}

/** Bin centres min + (i + 1/2)·w; all equal to min when min == max. */
export function binCenters(h: HistogramData): number[] {
  const w = binWidth(h);
  return h.counts.map((_, i) => h.min + (i + 0.5) * w);
}

/**
 * Histogram of `values` over `bins` uniform bins spanning [min(values), max(values)]; the
 * maximum goes into the last bin. Non-finite values are skipped. Degenerate cases: no finite
 * values → min = max = 0 and all counts 0; all values equal → min = max and every value in bin 0.
 */
export function histogramOf(values: ArrayLike<number>, bins: number): HistogramData {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`histogramOf: bins must be a positive integer, got ${bins}`);
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined || !Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (min > max) return { min: 0, max: 0, counts };
  const width = (max - min) / bins;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === undefined || !Number.isFinite(v)) continue;
    const bin = width === 0 ? 0 : Math.min(bins - 1, Math.floor((v - min) / width));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { min, max, counts };
}
