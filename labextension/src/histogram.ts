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

/** Most bars a histogram is drawn with: about one per pixel of a wide output. */
export const MAX_DRAWN_BINS = 1000;

/**
 * The histogram to draw: `h` itself if it has at most `maxBins` bins, else groups of
 * k = ceil(bins / maxBins) adjacent bins summed into one bar of width k·w (w the original bin
 * width). When k does not divide the bin count the last group is padded with empty bins, so the
 * bars stay uniform and `max` grows to min + ceil(bins / k)·k·w. Totals are unchanged. Drawing a
 * million SVG bars would freeze the page; the readout still uses the full histogram.
 */
export function coarsenHistogram(h: HistogramData, maxBins = MAX_DRAWN_BINS): HistogramData {
  if (!Number.isInteger(maxBins) || maxBins < 1) {
    throw new RangeError(`coarsenHistogram: maxBins must be a positive integer, got ${maxBins}`);
  }
  const bins = h.counts.length;
  if (bins <= maxBins) return h;
  const k = Math.ceil(bins / maxBins);
  const groups = Math.ceil(bins / k);
  const counts = new Array<number>(groups).fill(0);
  for (let i = 0; i < bins; i++) {
    const g = Math.floor(i / k);
    counts[g] = (counts[g] ?? 0) + (h.counts[i] ?? 0);
  }
  const w = binWidth(h);
  return { min: h.min, max: h.min + groups * k * w, counts };
}

/** Largest element (−Infinity when empty), without spreading a huge array into arguments. */
export function maxOf(values: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== undefined && v > m) m = v;
  }
  return m;
}

/** Smallest element (Infinity when empty). */
export function minOf(values: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== undefined && v < m) m = v;
  }
  return m;
}

/**
 * Indices of at most `max` evenly strided elements of an array of length n (all of them when
 * n ≤ max): a scatter of millions of SVG points would freeze the page, a few thousand show the
 * same cloud.
 */
export function strideIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const step = n / max;
  return Array.from({ length: max }, (_, j) => Math.floor(j * step));
}

/** How many times the next-largest bin the largest must hold for a linear axis to hide the rest. */
export const SPIKE_RATIO = 10;

/**
 * True when one bin dwarfs every other (largest count > SPIKE_RATIO × the second largest), as
 * the zeros of a ReLU output do: on a linear count axis the rest of the distribution is then
 * flattened to nothing, so the range plot starts on a log axis. False for fewer than two
 * non-empty bins (nothing else to show).
 */
export function dominatedBySpike(counts: ArrayLike<number>): boolean {
  let first = 0;
  let second = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i] ?? 0;
    if (c > first) {
      second = first;
      first = c;
    } else if (c > second) {
      second = c;
    }
  }
  return second > 0 && first > SPIKE_RATIO * second;
}
