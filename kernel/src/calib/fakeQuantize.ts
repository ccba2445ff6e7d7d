/**
 * A fake-quantize step for quantization-aware training: it *holds* an observer (STYLE.md, after
 * PyTorch's `fake_quantize.py`) instead of being one. In training it feeds each batch to the
 * observer, then fake-quantizes with the observer's current range (TF FakeQuant semantics);
 * frozen, it only fake-quantizes.
 */
import { UsageError } from "../errors";
import {
  type FakeQuantGradient,
  fakeQuant,
  fakeQuantGradient,
  fakeQuantPerChannel,
  fakeQuantPerChannelGradient,
} from "../quant/fakequant";
import type { Observer, PerAxisObserver, Range } from "./observer";

export interface FakeQuantizeOptions {
  /** 2..16, default 8. */
  numBits?: number;
  /** Default false (activations); weights use true. */
  narrowRange?: boolean;
  /**
   * Make the range symmetric, as tfmot's weight quantizer: [min(lo, −hi), max(hi, −lo)].
   * Default false.
   */
  symmetric?: boolean;
}

export class FakeQuantize {
  readonly observer: Observer | PerAxisObserver<Observer>;
  readonly options: FakeQuantizeOptions;
  /** While true, `forward` updates the observer. */
  observing = true;

  constructor(observer: Observer | PerAxisObserver<Observer>, options: FakeQuantizeOptions = {}) {
    this.observer = observer;
    this.options = options;
  }

  /** The range FakeQuant uses now (symmetric and zero-extended if asked). */
  range(): Range | { min: number[]; max: number[] } {
    const r = this.observer.computeRange();
    const fix = (lo: number, hi: number): [number, number] => {
      // FakeQuant needs 0 inside (TF asserts min ≤ 0 ≤ max in its Args form).
      let a = Math.min(lo, 0);
      let b = Math.max(hi, 0);
      if (this.options.symmetric) [a, b] = [Math.min(a, -b), Math.max(b, -a)];
      return [a, b];
    };
    if (typeof r.min === "number" && typeof r.max === "number") {
      const [min, max] = fix(r.min, r.max);
      return { min, max };
    }
    const mins: number[] = [];
    const maxs: number[] = [];
    const rmin = r.min as number[];
    const rmax = r.max as number[];
    rmin.forEach((lo, i) => {
      const [a, b] = fix(lo, rmax[i]);
      mins.push(a);
      maxs.push(b);
    });
    return { min: mins, max: maxs };
  }

  /** Observe (when `observing`), then fake-quantize. `shape` is needed for per-axis observers. */
  forward(x: ArrayLike<number>, shape?: readonly number[]): Float32Array {
    if (this.observing) this.observeBatch(x, shape);
    const r = this.range();
    const opts = { numBits: this.options.numBits, narrowRange: this.options.narrowRange };
    if (typeof r.min === "number" && typeof r.max === "number")
      return fakeQuant(x, r.min, r.max, opts);
    return fakeQuantPerChannel(x, this.requireShape(shape), r.min as number[], r.max as number[], {
      ...opts,
      axis: (this.observer as PerAxisObserver<Observer>).axis,
    });
  }

  /** Straight-through gradient w.r.t. the input (and the range ends) for the current range. */
  backward(
    dy: ArrayLike<number>,
    x: ArrayLike<number>,
    shape?: readonly number[],
  ): FakeQuantGradient | { dx: Float32Array; dmin: Float32Array; dmax: Float32Array } {
    const r = this.range();
    const opts = { numBits: this.options.numBits, narrowRange: this.options.narrowRange };
    if (typeof r.min === "number" && typeof r.max === "number") {
      return fakeQuantGradient(dy, x, r.min, r.max, opts);
    }
    return fakeQuantPerChannelGradient(
      dy,
      x,
      this.requireShape(shape),
      r.min as number[],
      r.max as number[],
      {
        ...opts,
        axis: (this.observer as PerAxisObserver<Observer>).axis,
      },
    );
  }

  private observeBatch(x: ArrayLike<number>, shape: readonly number[] | undefined): void {
    if ("axis" in this.observer) this.observer.observe(x, this.requireShape(shape));
    else this.observer.observe(x);
  }

  private requireShape(shape: readonly number[] | undefined): readonly number[] {
    if (shape === undefined)
      throw new UsageError("FakeQuantize: a per-axis observer needs the batch shape");
    return shape;
  }
}
