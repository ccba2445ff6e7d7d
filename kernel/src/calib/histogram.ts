/**
 * A fixed-bin-count histogram whose range grows as data arrives.
 *
 * The range [lo, hi] always contains 0 (quantization ranges do too) and is split into `bins`
 * equal bins. When a batch falls outside it, the range doubles towards that side — [lo, 2hi − lo]
 * or [2lo − hi, hi] — and adjacent pairs of bins merge into one. Growth by doubling keeps every
 * old bin inside exactly one new bin, so counts stay exact (no interpolation); the price is that
 * the range can be up to twice the data's extent (at least bins/2 bins cover the data).
 * The exact min and max are tracked beside the bins.
 */
import { UsageError } from "../errors";

/** Plain-data form, for display payloads and merging. */
export interface HistogramSnapshot {
  /** Bin edges are lo + i·(hi − lo)/counts.length. */
  lo: number;
  hi: number;
  counts: number[];
  /** Exact extremes of the data seen. */
  min: number;
  max: number;
  total: number;
}

/** Smallest half-width of a range (all-zero data so far): then doubling reaches any value. */
const TINY = 2 ** -60;

export class Histogram {
  readonly bins: number;
  lo = 0;
  hi = 0;
  counts: Float64Array;
  min = Infinity;
  max = -Infinity;
  total = 0;

  constructor(bins = 2048) {
    if (!Number.isInteger(bins) || bins < 2 || bins % 2 !== 0) {
      throw new UsageError(`Histogram: bin count must be an even integer >= 2; found ${bins}`);
    }
    this.bins = bins;
    this.counts = new Float64Array(bins);
  }

  get width(): number {
    return (this.hi - this.lo) / this.bins;
  }

  /** Add a batch whose min and max (finite) the caller already knows. */
  add(x: ArrayLike<number>, batchMin: number, batchMax: number): void {
    if (x.length === 0) return;
    if (this.total === 0) this.init(batchMin, batchMax);
    else this.growTo(batchMin, batchMax);
    if (batchMin < this.min) this.min = batchMin;
    if (batchMax > this.max) this.max = batchMax;
    const { lo, bins, counts } = this;
    const inv = bins / (this.hi - lo);
    const last = bins - 1;
    for (let i = 0; i < x.length; i++) {
      const b = Math.floor((x[i] - lo) * inv);
      counts[b > last ? last : b < 0 ? 0 : b]++;
    }
    this.total += x.length;
  }

  private init(batchMin: number, batchMax: number): void {
    this.lo = Math.min(batchMin, 0);
    this.hi = Math.max(batchMax, 0);
    if (this.hi - this.lo < TINY) {
      // All zeros (or tiny): start from a tiny range around 0 that doubling can grow from.
      this.lo = this.lo < 0 ? -TINY : 0;
      this.hi = this.lo + TINY;
    }
  }

  /** Double the range towards the side that `min`/`max` fall outside, until both are inside. */
  growTo(min: number, max: number): void {
    const half = this.bins / 2;
    while (max > this.hi || min < this.lo) {
      const c = this.counts;
      const merged = new Float64Array(this.bins);
      const right = max > this.hi;
      const offset = right ? 0 : half;
      for (let j = 0; j < half; j++) merged[offset + j] = c[2 * j] + c[2 * j + 1];
      const span = this.hi - this.lo;
      if (right) this.hi = this.lo + 2 * span;
      else this.lo = this.hi - 2 * span;
      this.counts = merged;
    }
  }

  /** Fold in another histogram, re-binning its counts proportionally to overlap. */
  merge(other: Histogram): void {
    if (other.total === 0) return;
    if (this.total === 0) {
      this.lo = other.lo;
      this.hi = other.hi;
      this.counts = new Float64Array(this.bins);
    } else {
      this.growTo(other.lo, other.hi);
    }
    const w = this.width;
    const ow = other.width;
    for (let j = 0; j < other.bins; j++) {
      const n = other.counts[j];
      if (n === 0) continue;
      const a = other.lo + j * ow;
      const b = a + ow;
      let i = Math.max(0, Math.floor((a - this.lo) / w));
      for (; i < this.bins; i++) {
        const lo = this.lo + i * w;
        const hi = lo + w;
        if (lo >= b) break;
        const overlap = Math.min(hi, b) - Math.max(lo, a);
        if (overlap > 0) this.counts[i] += (n * overlap) / ow;
      }
    }
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.total += other.total;
  }

  reset(): void {
    this.lo = 0;
    this.hi = 0;
    this.counts = new Float64Array(this.bins);
    this.min = Infinity;
    this.max = -Infinity;
    this.total = 0;
  }

  /**
   * The value below which a fraction `q` (0..1) of the data lies, interpolating linearly inside
   * the bin where the cumulative count crosses q · total; clamped to the exact [min, max], so
   * q = 0 and q = 1 give min and max.
   */
  quantile(q: number): number {
    if (this.total === 0) throw new UsageError("Histogram.quantile: the histogram is empty");
    if (q <= 0) return this.min;
    if (q >= 1) return this.max;
    const target = q * this.total;
    const w = this.width;
    let cumulative = 0;
    for (let i = 0; i < this.bins; i++) {
      const n = this.counts[i];
      if (n > 0 && cumulative + n >= target) {
        const v = this.lo + (i + (target - cumulative) / n) * w;
        return Math.min(this.max, Math.max(this.min, v));
      }
      cumulative += n;
    }
    return this.max;
  }

  toJSON(): HistogramSnapshot {
    return {
      lo: this.lo,
      hi: this.hi,
      counts: Array.from(this.counts),
      min: this.min,
      max: this.max,
      total: this.total,
    };
  }
}
