/**
 * The observer contract (after PyTorch's `observer.py`): an observer sees batches of a
 * tensor's values, keeps statistics, and turns them into a float range and then into quantization
 * parameters through one shared function, `chooseQuantParams`.
 *
 *   observe(x)        update the statistics with one batch
 *   computeRange()    the clipping range [min, max] the method chooses
 *   computeQParams()  chooseQuantParams(computeRange(), options) — the same for every observer
 *   observedRange()   the exact extremes of every value seen (before clipping or averaging)
 *   histogram         the histogram of the values, on observers that keep one (for plots)
 *   merge(other)      fold in another observer of the same kind (e.g. from another worker)
 *   reset()           forget everything
 */
import { DataFormatError, UsageError } from "../errors";
import type { Histogram } from "./histogram";
import {
  type PerAxisQuantParams,
  type QuantParams,
  type QuantParamsOptions,
  chooseQuantParams,
} from "../quant/params";

export interface Range {
  min: number;
  max: number;
}

export interface PerAxisRange {
  min: number[];
  max: number[];
  axis: number;
}

export interface ObserverOptions {
  /** How `computeQParams` maps the range to parameters (dtype/bits, symmetric, narrowRange, role). */
  qparams?: QuantParamsOptions;
  /** Tensor name, for error messages. */
  name?: string;
}

/** A per-tensor observer. */
export interface Observer {
  /** "minmax", "movingAverage", "histogram", "percentile", "entropy", "mse". */
  readonly kind: string;
  /** Number of values observed so far. */
  readonly count: number;
  observe(x: ArrayLike<number>): void;
  computeRange(): Range;
  /**
   * The parameters of `range` (default `computeRange()`) under this observer's options. Pass a
   * range this observer just computed to skip a second search (entropy and MSE are costly).
   */
  computeQParams(range?: Range): QuantParams;
  /** Exact min and max of every value observed (what a plot shows as the data's extent). */
  observedRange(): Range;
  /** The observer's histogram, when it keeps one. */
  readonly histogram?: Histogram;
  merge(other: this): void;
  reset(): void;
}

/**
 * The base every per-tensor observer extends: it owns the quantization options and the one
 * `computeQParams`, so observers differ only in their statistics and `computeRange`.
 */
export abstract class RangeObserver implements Observer {
  abstract readonly kind: string;
  abstract readonly count: number;
  readonly qparams: QuantParamsOptions;
  readonly name: string;

  constructor(options: ObserverOptions = {}) {
    this.qparams = options.qparams ?? {};
    this.name = options.name ?? "tensor";
  }

  abstract observe(x: ArrayLike<number>): void;
  abstract computeRange(): Range;
  abstract observedRange(): Range;
  abstract merge(other: this): void;
  abstract reset(): void;

  computeQParams(range: Range = this.computeRange()): QuantParams {
    return chooseQuantParams(range.min, range.max, this.qparams);
  }

  /** An observer asked for a range before seeing data. */
  protected emptyError(): UsageError {
    return new UsageError(
      `${this.kind} observer for "${this.name}": no values observed yet, so there is no range`,
    );
  }
}

/**
 * min and max of a batch in one pass; NaN or ±Infinity is a DataFormatError naming the tensor
 * and the first offending index (a range cannot be chosen from them).
 */
export function batchMinMax(x: ArrayLike<number>, name: string): Range {
  let min = Infinity;
  let max = -Infinity;
  // NOTE: a running sum is the cheapest NaN/Infinity detector (NaN fails every comparison);
  // float32 data cannot overflow a double sum.
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(sum)) {
    for (let i = 0; i < x.length; i++) {
      if (!Number.isFinite(x[i])) {
        throw new DataFormatError(
          `"${name}": value ${x[i]} at index ${i}; calibration data must be finite (no NaN or Infinity)`,
        );
      }
    }
  }
  return { min, max };
}

/** Per-axis observer: one per-tensor observer per slice along `axis`. */
export class PerAxisObserver<O extends Observer> {
  readonly kind: string;
  readonly axis: number;
  private readonly make: () => O;
  private channels: O[] = [];
  private readonly qparams: QuantParamsOptions;
  private readonly name: string;

  /**
   * @param make creates the per-slice observer (e.g. `() => new MinMaxObserver()`)
   * @param axis the dimension whose slices get their own range (negative counts from the end)
   */
  constructor(make: () => O, axis: number, options: ObserverOptions = {}) {
    this.make = make;
    this.axis = axis;
    this.qparams = options.qparams ?? {};
    this.name = options.name ?? "tensor";
    this.kind = `perAxis(${make().kind})`;
  }

  get count(): number {
    return this.channels.reduce((n, c) => n + c.count, 0);
  }

  /** Observe a batch of row-major `shape`; slice c along `axis` goes to observer c. */
  observe(x: ArrayLike<number>, shape: readonly number[]): void {
    const rank = shape.length;
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (axis < 0 || axis >= rank) {
      throw new UsageError(
        `per-axis observer for "${this.name}": axis ${this.axis} is out of range for shape [${shape.join(", ")}]`,
      );
    }
    let size = 1;
    for (const d of shape) size *= d;
    if (size !== x.length) {
      throw new UsageError(
        `per-axis observer for "${this.name}": shape [${shape.join(", ")}] has ${size} elements but the batch has ${x.length}`,
      );
    }
    const depth = shape[axis];
    if (this.channels.length === 0)
      this.channels = Array.from({ length: depth }, () => this.make());
    if (this.channels.length !== depth) {
      throw new UsageError(
        `per-axis observer for "${this.name}": dimension ${axis} has size ${depth} but earlier batches had ${this.channels.length}`,
      );
    }
    let inner = 1;
    for (let d = axis + 1; d < rank; d++) inner *= shape[d];
    const outer = x.length / (depth * inner);
    const slice = new Float32Array(outer * inner);
    for (let c = 0; c < depth; c++) {
      let k = 0;
      for (let o = 0; o < outer; o++) {
        const base = (o * depth + c) * inner;
        for (let i = 0; i < inner; i++) slice[k++] = x[base + i];
      }
      this.channels[c].observe(slice);
    }
  }

  /** The per-slice observers (empty before the first batch). */
  get observers(): readonly O[] {
    return this.channels;
  }

  computeRange(): PerAxisRange {
    if (this.channels.length === 0) {
      throw new UsageError(
        `per-axis observer for "${this.name}": no values observed yet, so there is no range`,
      );
    }
    const ranges = this.channels.map((c) => c.computeRange());
    return { min: ranges.map((r) => r.min), max: ranges.map((r) => r.max), axis: this.axis };
  }

  computeQParams(): PerAxisQuantParams {
    const { min, max } = this.computeRange();
    return chooseQuantParams(min, max, { ...this.qparams, axis: this.axis });
  }

  merge(other: PerAxisObserver<O>): void {
    if (other.channels.length === 0) return;
    if (this.channels.length === 0) this.channels = other.channels.map(() => this.make());
    if (other.channels.length !== this.channels.length) {
      throw new UsageError(
        `per-axis observer for "${this.name}": cannot merge ${other.channels.length} channels into ${this.channels.length}`,
      );
    }
    this.channels.forEach((c, i) => c.merge(other.channels[i]));
  }

  reset(): void {
    this.channels = [];
  }
}
