/**
 * Entropy (KL-divergence) calibration — the TensorRT method (Migacz, "8-bit Inference with
 * TensorRT", GTC 2017), with the binning details of MXNet's `_get_optimal_threshold`.
 *
 * Given a histogram of |x| over [0, amax] (bin width w), for each candidate i ≥ nq bins:
 *   P = counts[0..i), with the outliers Σ counts[i..] added to its last bin;
 *   Q = counts[0..i) merged into nq groups of ⌊i/nq⌋ bins (the last group takes the remainder),
 *       each group's total spread evenly over the group's bins where P ≠ 0 (0 where P = 0);
 *   both smoothed (each zero becomes ε = 1e-4, taken proportionally from the non-zeros),
 *   normalized, and D(i) = Σ P log(P / Q).
 * The threshold is the upper edge i·w of the first i with the smallest D.
 */
import { UsageError } from "../errors";
import { Histogram } from "./histogram";
import { type HistogramObserverOptions, HistogramObserver } from "./histogramObservers";
import type { Range } from "./observer";

const SMOOTH_EPS = 1e-4;

export interface EntropyResult {
  /** Clipping threshold T on |x|. */
  threshold: number;
  /** Number of bins kept (T = bins · width). */
  bins: number;
  /** D(i) for i = nq … counts.length (index i − nq); Infinity where Q is empty. */
  divergence: number[];
}

/**
 * The KL-optimal threshold for a histogram of |x| with bin `width` (first bin starts at 0).
 * `numQuantizedBins` (nq) is the number of levels the clipped range keeps (128 for symmetric
 * int8). A histogram with fewer than nq bins, or no counts, keeps everything (T = bins · width).
 */
export function entropyThreshold(
  counts: ArrayLike<number>,
  width: number,
  numQuantizedBins = 128,
): EntropyResult {
  const nbins = counts.length;
  const nq = numQuantizedBins;
  if (!Number.isInteger(nq) || nq < 1) {
    throw new UsageError(
      `entropyThreshold: numQuantizedBins must be a positive integer; found ${nq}`,
    );
  }
  let total = 0;
  for (let i = 0; i < nbins; i++) total += counts[i];
  if (nbins <= nq || total === 0) return { threshold: nbins * width, bins: nbins, divergence: [] };

  // suffix[i] = Σ counts[i..]
  const suffix = new Float64Array(nbins + 1);
  for (let i = nbins - 1; i >= 0; i--) suffix[i] = suffix[i + 1] + counts[i];

  const divergence: number[] = [];
  const p = new Float64Array(nbins);
  const q = new Float64Array(nbins);
  let bestI = nbins;
  let best = Infinity;
  for (let i = nq; i <= nbins; i++) {
    // P = counts[0..i) with the outliers folded into bin i − 1; its total is always `total`.
    for (let k = 0; k < i; k++) p[k] = counts[k];
    p[i - 1] += suffix[i];
    // Q: each group's count spread evenly over the group's bins where P ≠ 0.
    const merged = Math.floor(i / nq);
    for (let j = 0; j < nq; j++) {
      const start = j * merged;
      const stop = j === nq - 1 ? i : start + merged;
      let sum = 0;
      let nonzero = 0;
      for (let k = start; k < stop; k++) {
        sum += counts[k];
        if (p[k] !== 0) nonzero++;
      }
      const v = nonzero === 0 ? 0 : sum / nonzero;
      for (let k = start; k < stop; k++) q[k] = p[k] === 0 ? 0 : v;
    }
    const d = smoothedKl(p, q, i, total);
    divergence.push(d);
    if (d < best) {
      best = d;
      bestI = i;
    }
  }
  return { threshold: bestI * width, bins: bestI, divergence };
}

/**
 * KL(P‖Q) over the first n bins after smoothing both (each zero becomes ε, the same mass taken
 * evenly from the non-zeros, so totals are unchanged) and normalizing. Infinity when Q is empty.
 */
function smoothedKl(p: Float64Array, q: Float64Array, n: number, pTotal: number): number {
  let pZeros = 0;
  let qZeros = 0;
  let qTotal = 0;
  for (let k = 0; k < n; k++) {
    if (p[k] === 0) pZeros++;
    if (q[k] === 0) qZeros++;
    qTotal += q[k];
  }
  if (pZeros === n || qZeros === n) return Infinity;
  const pTake = (SMOOTH_EPS * pZeros) / (n - pZeros);
  const qTake = (SMOOTH_EPS * qZeros) / (n - qZeros);
  let d = 0;
  for (let k = 0; k < n; k++) {
    const ps = (p[k] === 0 ? SMOOTH_EPS : p[k] - pTake) / pTotal;
    const qs = (q[k] === 0 ? SMOOTH_EPS : q[k] - qTake) / qTotal;
    d += ps * Math.log(ps / qs);
  }
  return d;
}

export interface EntropyOptions extends HistogramObserverOptions {
  /**
   * Levels kept by the clipped range. Default "auto": 128 when the data has both signs
   * (symmetric int8, TensorRT), 255 when it is one-signed (e.g. after ReLU, asymmetric int8).
   */
  numQuantizedBins?: number | "auto";
}

/**
 * Keeps a histogram of |x| (anchored at 0, so its growth is exact) beside the signed one, and
 * clips to the KL-optimal threshold T: range = [max(min, −T), min(max, T)].
 */
export class EntropyObserver extends HistogramObserver {
  override readonly kind = "entropy";
  readonly absHistogram: Histogram;
  readonly numQuantizedBins: number | "auto";

  constructor(options: EntropyOptions = {}) {
    super(options);
    this.absHistogram = new Histogram(options.bins ?? 2048);
    this.numQuantizedBins = options.numQuantizedBins ?? "auto";
  }

  override observe(x: ArrayLike<number>): void {
    super.observe(x);
    if (x.length === 0) return;
    const abs = new Float32Array(x.length);
    let amax = 0;
    for (let i = 0; i < x.length; i++) {
      const a = Math.abs(x[i]);
      abs[i] = a;
      if (a > amax) amax = a;
    }
    this.absHistogram.add(abs, 0, amax);
  }

  override computeRange(): Range {
    if (this.count === 0) throw this.emptyError();
    const { min, max } = this.histogram;
    const nq =
      this.numQuantizedBins === "auto" ? (min >= 0 || max <= 0 ? 255 : 128) : this.numQuantizedBins;
    const h = this.absHistogram;
    // NOTE: the doubling histogram can end in up to half empty bins; thresholds there clip
    // nothing, so the search stops at the last non-empty bin (up to 4× fewer KL evaluations).
    let used = h.counts.length;
    while (used > 1 && h.counts[used - 1] === 0) used--;
    const { threshold } = entropyThreshold(h.counts.subarray(0, used), h.width, nq);
    return { min: Math.max(min, -threshold), max: Math.min(max, threshold) };
  }

  override merge(other: EntropyObserver): void {
    super.merge(other);
    this.absHistogram.merge(other.absHistogram);
  }

  override reset(): void {
    super.reset();
    this.absHistogram.reset();
  }
}
