/**
 * TensorFlow's FakeQuantWithMinMaxVars (and its per-channel form): quantize-then-dequantize in
 * float32, used by quantization-aware training (docs/quantization.md, "Quantization-aware training"). The quantized domain is
 * unsigned, [narrowRange ? 1 : 0, 2^numBits − 1]; the float range is first *nudged* so that real
 * 0 falls exactly on a code.
 */
import { ShapeError, UsageError } from "../errors";
import { axisLayout } from "./affine";
import { roundHalfAwayFromZero } from "./rounding";

const f32 = Math.fround;

export interface FakeQuantOptions {
  /** 2..16; default 8. */
  numBits?: number;
  /** Codes [1, 2^numBits − 1] instead of [0, 2^numBits − 1]. Default false. */
  narrowRange?: boolean;
}

export interface NudgedRange {
  nudgedMin: number;
  nudgedMax: number;
  scale: number;
  /** (qmax − qmin) / (max − min), computed directly rather than as 1 / scale (as TF). */
  invScale: number;
  /** In the unsigned domain [qmin, qmax]. */
  zeroPoint: number;
  /** The zero point as TF's kernels recover it: floor(−nudgedMin · invScale + 0.5). */
  quantZero: number;
  qmin: number;
  qmax: number;
}

function quantRange(options: FakeQuantOptions): { qmin: number; qmax: number } {
  const numBits = options.numBits ?? 8;
  if (!Number.isInteger(numBits) || numBits < 2 || numBits > 16) {
    throw new UsageError(`fakeQuant: numBits must be an integer in 2..16; found ${numBits}`);
  }
  return { qmin: options.narrowRange ? 1 : 0, qmax: 2 ** numBits - 1 };
}

/** TF's special case: min = max = 0 outputs zeros and passes the whole gradient to the input. */
function isZeroRange(min: number, max: number): boolean {
  return min === 0 && max === 0;
}

/**
 * TF `Nudge`, every step in float32:
 *   scale = (max − min) / (qmax − qmin),  invScale = (qmax − qmin) / (max − min)
 *   zeroPoint = clamp(round(qmin − min / scale), qmin, qmax)    (round half away from zero)
 *   nudgedMin = (qmin − zeroPoint) · scale,  nudgedMax = (qmax − zeroPoint) · scale
 * Errors: min > max, non-finite bounds, or an empty range min = max ≠ 0 (TF would output NaN).
 */
export function nudge(min: number, max: number, options: FakeQuantOptions = {}): NudgedRange {
  const { qmin, qmax } = quantRange(options);
  if (!Number.isFinite(min) || !Number.isFinite(max) || min > max) {
    throw new UsageError(`fakeQuant: expected finite min <= max; found min ${min}, max ${max}`);
  }
  const fmin = f32(min);
  const fmax = f32(max);
  if (fmin === fmax) {
    if (fmin === 0) {
      return {
        nudgedMin: 0,
        nudgedMax: 0,
        scale: 0,
        invScale: 0,
        zeroPoint: qmin,
        quantZero: qmin,
        qmin,
        qmax,
      };
    }
    throw new UsageError(
      `fakeQuant: empty range min = max = ${min}; only [0, 0] is allowed (outputs 0)`,
    );
  }
  const span = f32(fmax - fmin);
  const scale = f32(span / (qmax - qmin));
  const invScale = f32((qmax - qmin) / span);
  const zeroPointFromMin = f32(qmin - f32(fmin / scale));
  const zeroPoint =
    zeroPointFromMin < qmin
      ? qmin
      : zeroPointFromMin > qmax
        ? qmax
        : roundHalfAwayFromZero(zeroPointFromMin);
  const nudgedMin = f32((qmin - zeroPoint) * scale);
  return {
    nudgedMin,
    nudgedMax: f32((qmax - zeroPoint) * scale),
    scale,
    invScale,
    zeroPoint,
    quantZero: Math.floor(f32(f32(-nudgedMin * invScale) + 0.5)),
    qmin,
    qmax,
  };
}

/**
 * One element of FakeQuant, float32 throughout (TF 2.21's functor):
 *   out = floor((clamp(x, nudgedMin, nudgedMax) − nudgedMin) / scale − quantZero + 0.5) · scale
 * i.e. rounding half *up* (not away from zero) on the code, times the scale. The per-channel op
 * multiplies by `invScale` instead of dividing (`useInverse`), as TF does. Range [0, 0] → 0.
 */
export function fakeQuantValue(x: number, r: NudgedRange, useInverse = false): number {
  if (r.scale === 0) return 0;
  const v = f32(x);
  const clamped = v < r.nudgedMin ? r.nudgedMin : v > r.nudgedMax ? r.nudgedMax : v;
  const shifted = f32(clamped - r.nudgedMin);
  const steps = useInverse ? f32(shifted * r.invScale) : f32(shifted / r.scale);
  const code = Math.floor(f32(f32(steps - r.quantZero) + 0.5));
  return f32(code * r.scale);
}

/** `tf.quantization.fake_quant_with_min_max_vars(x, min, max, numBits, narrowRange)`. */
export function fakeQuant(
  x: ArrayLike<number>,
  min: number,
  max: number,
  options: FakeQuantOptions = {},
): Float32Array {
  const r = nudge(min, max, options);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = fakeQuantValue(x[i], r);
  return out;
}

export interface FakeQuantGradient {
  /** dL/dx: the incoming gradient where nudgedMin ≤ x ≤ nudgedMax, else 0 (straight-through). */
  dx: Float32Array;
  /** dL/dmin: sum of the incoming gradient where x < nudgedMin. */
  dmin: number;
  /** dL/dmax: sum of the incoming gradient where x > nudgedMax. */
  dmax: number;
}

/** `FakeQuantWithMinMaxVarsGradient`: the straight-through estimator clipped to the nudged range. */
export function fakeQuantGradient(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  min: number,
  max: number,
  options: FakeQuantOptions = {},
): FakeQuantGradient {
  if (dy.length !== x.length) {
    throw new ShapeError(
      `fakeQuantGradient: gradient has ${dy.length} elements but the input has ${x.length}`,
    );
  }
  const r = nudge(min, max, options);
  if (isZeroRange(min, max)) return { dx: Float32Array.from(dy), dmin: 0, dmax: 0 };
  const dx = new Float32Array(x.length);
  let dmin = 0;
  let dmax = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < r.nudgedMin) dmin += dy[i];
    else if (v > r.nudgedMax) dmax += dy[i];
    else dx[i] = dy[i];
  }
  return { dx, dmin: f32(dmin), dmax: f32(dmax) };
}

/**
 * `fake_quant_with_min_max_vars_per_channel`: slice c along `axis` (default: the last, as TF)
 * uses its own range [min[c], max[c]].
 */
export function fakeQuantPerChannel(
  x: ArrayLike<number>,
  shape: readonly number[],
  min: ArrayLike<number>,
  max: ArrayLike<number>,
  options: FakeQuantOptions & { axis?: number } = {},
): Float32Array {
  const { outer, depth, inner } = perChannelLayout(x.length, shape, min, max, options.axis);
  const ranges = Array.from({ length: depth }, (_, c) => nudge(min[c], max[c], options));
  const out = new Float32Array(x.length);
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < depth; c++) {
      const r = ranges[c];
      for (let k = 0; k < inner; k++, i++) out[i] = fakeQuantValue(x[i], r, true);
    }
  }
  return out;
}

/** Per-channel gradient: dmin[c], dmax[c] sum the incoming gradient below / above slice c's range. */
export function fakeQuantPerChannelGradient(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  shape: readonly number[],
  min: ArrayLike<number>,
  max: ArrayLike<number>,
  options: FakeQuantOptions & { axis?: number } = {},
): { dx: Float32Array; dmin: Float32Array; dmax: Float32Array } {
  if (dy.length !== x.length) {
    throw new ShapeError(
      `fakeQuantPerChannelGradient: gradient has ${dy.length} elements but the input has ${x.length}`,
    );
  }
  const { outer, depth, inner } = perChannelLayout(x.length, shape, min, max, options.axis);
  const ranges = Array.from({ length: depth }, (_, c) => nudge(min[c], max[c], options));
  const dx = new Float32Array(x.length);
  const dmin = new Float64Array(depth);
  const dmax = new Float64Array(depth);
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < depth; c++) {
      const r = ranges[c];
      for (let k = 0; k < inner; k++, i++) {
        const v = x[i];
        if (r.scale === 0) dx[i] = dy[i];
        else if (v < r.nudgedMin) dmin[c] += dy[i];
        else if (v > r.nudgedMax) dmax[c] += dy[i];
        else dx[i] = dy[i];
      }
    }
  }
  return { dx, dmin: Float32Array.from(dmin), dmax: Float32Array.from(dmax) };
}

function perChannelLayout(
  length: number,
  shape: readonly number[],
  min: ArrayLike<number>,
  max: ArrayLike<number>,
  axis: number | undefined,
): { outer: number; depth: number; inner: number } {
  const layout = axisLayout(shape, axis ?? shape.length - 1);
  if (layout.outer * layout.depth * layout.inner !== length) {
    throw new ShapeError(
      `fakeQuantPerChannel: shape [${shape.join(", ")}] does not match ${length} elements`,
    );
  }
  if (min.length !== layout.depth || max.length !== layout.depth) {
    throw new ShapeError(
      `fakeQuantPerChannel: expected ${layout.depth} min/max values (dimension ${layout.axis} of shape [${shape.join(", ")}]); found ${min.length} and ${max.length}`,
    );
  }
  return layout;
}
