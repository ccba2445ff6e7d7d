/**
 * Range observers from running extremes: the global min/max (TFLite's calibrator) and the
 * exponential moving average of per-batch min/max (TensorFlow QAT's `MovingAverageQuantizer`).
 */
import { UsageError } from "../errors";
import { type ObserverOptions, type Range, RangeObserver, batchMinMax } from "./observer";

const f32 = Math.fround;

/**
 * Global running min and max over every batch (TFLite's `MinMax::Update`, no averaging).
 * Range: [min, max] as seen; `computeQParams` then widens it to include 0.
 */
export class MinMaxObserver extends RangeObserver {
  readonly kind = "minmax";
  count = 0;
  min = Infinity;
  max = -Infinity;

  constructor(options: ObserverOptions = {}) {
    super(options);
  }

  observe(x: ArrayLike<number>): void {
    if (x.length === 0) return;
    const r = batchMinMax(x, this.name);
    if (r.min < this.min) this.min = r.min;
    if (r.max > this.max) this.max = r.max;
    this.count += x.length;
  }

  computeRange(): Range {
    if (this.count === 0) throw this.emptyError();
    return { min: this.min, max: this.max };
  }

  observedRange(): Range {
    return this.computeRange();
  }

  merge(other: MinMaxObserver): void {
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.count += other.count;
  }

  reset(): void {
    this.count = 0;
    this.min = Infinity;
    this.max = -Infinity;
  }
}

export interface MovingAverageOptions extends ObserverOptions {
  /** EMA decay; default 0.999 (tfmot). */
  decay?: number;
  /**
   * Starting range. Default: the first batch's (zero-extended) min/max. tfmot's QAT variables
   * start at {min: -6, max: 6}; pass that to reproduce its ranges exactly.
   */
  initial?: Range;
}

/**
 * Moving average of per-batch extremes, as tfmot's `MovingAverageQuantizer`
 * (`assign_moving_average(var, value, decay, zero_debias=False)`):
 *   value = min(batch_min, 0)  (resp. max(batch_max, 0))
 *   var ← var − (var − value) · (1 − decay)
 * every step in float32 like the TF variables. Degenerate case: before any batch (and without
 * `initial`) there is no range.
 */
export class MovingAverageMinMaxObserver extends RangeObserver {
  readonly kind = "movingAverage";
  readonly decay: number;
  count = 0;
  batches = 0;
  min = 0;
  max = 0;
  private readonly initial: Range | undefined;
  /** Exact extremes of the values (the averages above track the zero-extended batch extremes). */
  private seen: Range = { min: Infinity, max: -Infinity };

  constructor(options: MovingAverageOptions = {}) {
    super(options);
    this.decay = options.decay ?? 0.999;
    if (!(this.decay >= 0 && this.decay <= 1)) {
      throw new UsageError(
        `MovingAverageMinMaxObserver: decay must be in [0, 1]; found ${this.decay}`,
      );
    }
    this.initial = options.initial;
    this.reset();
  }

  observe(x: ArrayLike<number>): void {
    if (x.length === 0) return;
    const r = batchMinMax(x, this.name);
    this.seen = { min: Math.min(this.seen.min, r.min), max: Math.max(this.seen.max, r.max) };
    const bmin = f32(Math.min(r.min, 0));
    const bmax = f32(Math.max(r.max, 0));
    if (this.batches === 0 && this.initial === undefined) {
      this.min = bmin;
      this.max = bmax;
    } else {
      // NOTE: TF converts (1 − decay), computed in double, to a float32 tensor.
      const rate = f32(1 - this.decay);
      this.min = f32(this.min - f32(f32(this.min - bmin) * rate));
      this.max = f32(this.max - f32(f32(this.max - bmax) * rate));
    }
    this.batches++;
    this.count += x.length;
  }

  computeRange(): Range {
    if (this.batches === 0 && this.initial === undefined) throw this.emptyError();
    return { min: this.min, max: this.max };
  }

  observedRange(): Range {
    if (this.count === 0) throw this.emptyError();
    return { ...this.seen };
  }

  /** Batch-count-weighted average of the two moving averages. */
  merge(other: MovingAverageMinMaxObserver): void {
    if (other.batches === 0) return;
    const n = this.batches + other.batches;
    this.min = (this.min * this.batches + other.min * other.batches) / n;
    this.max = (this.max * this.batches + other.max * other.batches) / n;
    this.batches = n;
    this.count += other.count;
    this.seen = {
      min: Math.min(this.seen.min, other.seen.min),
      max: Math.max(this.seen.max, other.seen.max),
    };
  }

  reset(): void {
    this.count = 0;
    this.batches = 0;
    this.seen = { min: Infinity, max: -Infinity };
    this.min = this.initial ? f32(this.initial.min) : 0;
    this.max = this.initial ? f32(this.initial.max) : 0;
  }
}
