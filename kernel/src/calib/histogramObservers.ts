/**
 * Observers that keep a histogram and choose the range from it: the plain histogram (range =
 * exact min/max, histogram kept for plots), percentile clipping, and MSE-optimal clipping.
 */
import { UsageError } from "../errors";
import { chooseQuantParams } from "../quant/params";
import { Histogram } from "./histogram";
import { type ObserverOptions, type Range, RangeObserver, batchMinMax } from "./observer";

export interface HistogramObserverOptions extends ObserverOptions {
  /** Number of bins (even); default 2048. */
  bins?: number;
}

/** Keeps a growing histogram of the values; its range is the exact [min, max] seen. */
export class HistogramObserver extends RangeObserver {
  readonly kind: string = "histogram";
  readonly histogram: Histogram;

  constructor(options: HistogramObserverOptions = {}) {
    super(options);
    this.histogram = new Histogram(options.bins ?? 2048);
  }

  get count(): number {
    return this.histogram.total;
  }

  observe(x: ArrayLike<number>): void {
    if (x.length === 0) return;
    const r = batchMinMax(x, this.name);
    this.histogram.add(x, r.min, r.max);
  }

  computeRange(): Range {
    if (this.count === 0) throw this.emptyError();
    return { min: this.histogram.min, max: this.histogram.max };
  }

  observedRange(): Range {
    if (this.count === 0) throw this.emptyError();
    return { min: this.histogram.min, max: this.histogram.max };
  }

  merge(other: HistogramObserver): void {
    this.histogram.merge(other.histogram);
  }

  reset(): void {
    this.histogram.reset();
  }
}

export interface PercentileOptions extends HistogramObserverOptions {
  /** Percentile kept on each side, e.g. 99.9 or 99.99 (default 99.99). */
  percentile?: number;
}

/**
 * Clips the tails: range = [quantile(1 − p/100), quantile(p/100)] of the histogram (linear
 * inside a bin, exact min/max at p = 100). Each side drops (100 − p)% of the values.
 */
export class PercentileObserver extends HistogramObserver {
  override readonly kind = "percentile";
  readonly percentile: number;

  constructor(options: PercentileOptions = {}) {
    super(options);
    this.percentile = options.percentile ?? 99.99;
    if (!(this.percentile > 50 && this.percentile <= 100)) {
      throw new UsageError(
        `PercentileObserver: percentile must be in (50, 100]; found ${this.percentile}`,
      );
    }
  }

  override computeRange(): Range {
    if (this.count === 0) throw this.emptyError();
    const p = this.percentile / 100;
    return { min: this.histogram.quantile(1 - p), max: this.histogram.quantile(p) };
  }
}

export interface MseOptions extends HistogramObserverOptions {
  /** Number of candidate ranges searched; default 100. */
  steps?: number;
}

/**
 * MSE-optimal clipping: among the candidate ranges α·[min, max] for α = k/steps (k = 1..steps),
 * pick the one whose quantization (the real grid from `chooseQuantParams`, zero point included)
 * minimizes the expected squared error over the histogram:
 *   E(α) = Σ_bins count · e(center),  e(c) = (a − c)² if c < a, (c − b)² if c > b, scale²/12 inside
 * where [a, b] is the representable range. Ties go to the widest range. Degenerate: all-zero data
 * gives [0, 0].
 */
export class MseObserver extends HistogramObserver {
  override readonly kind = "mse";
  readonly steps: number;

  constructor(options: MseOptions = {}) {
    super(options);
    this.steps = options.steps ?? 100;
    if (!Number.isInteger(this.steps) || this.steps < 1) {
      throw new UsageError(`MseObserver: steps must be a positive integer; found ${this.steps}`);
    }
  }

  /** Expected squared error per value of quantizing with range [lo, hi] (as `computeQParams` would). */
  expectedError(lo: number, hi: number): number {
    const h = this.histogram;
    const p = chooseQuantParams(lo, hi, this.qparams);
    const a = p.scale * (p.format.qmin - p.zeroPoint);
    const b = p.scale * (p.format.qmax - p.zeroPoint);
    const inside = (p.scale * p.scale) / 12;
    const w = h.width;
    let error = 0;
    for (let i = 0; i < h.bins; i++) {
      const n = h.counts[i];
      if (n === 0) continue;
      const c = h.lo + (i + 0.5) * w;
      const e = c < a ? (a - c) ** 2 : c > b ? (c - b) ** 2 : inside;
      error += n * e;
    }
    return error / h.total;
  }

  override computeRange(): Range {
    if (this.count === 0) throw this.emptyError();
    const { min, max } = this.histogram;
    let best = { min, max };
    let bestError = Infinity;
    for (let k = this.steps; k >= 1; k--) {
      const alpha = k / this.steps;
      const e = this.expectedError(min * alpha, max * alpha);
      if (e < bestError) {
        bestError = e;
        best = { min: min * alpha, max: max * alpha };
      }
    }
    return best;
  }
}
