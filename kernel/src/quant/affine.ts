/**
 * Affine quantization of arrays: quantize, dequantize, requantize, and TF's weight quantization.
 * Per-tensor parameters apply to every element; per-axis parameters apply slice by slice along
 * `axis` of a row-major `shape`.
 */
import { ShapeError, UsageError } from "../errors";
import { shapeSize } from "../ir";
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "./fixedpoint";
import { type QuantizedArray, allocQuantized } from "./formats";
import {
  type AnyQuantParams,
  type PerAxisQuantParams,
  type QuantParams,
  type QuantParamsOptions,
  chooseQuantParams,
  isPerAxis,
} from "./params";
import { type RoundingMode, roundHalfAwayFromZero, rounder } from "./rounding";

const f32 = Math.fround;

/**
 * Split a row-major shape around `axis`: element i lies in slice ⌊i / inner⌋ mod depth.
 * A negative axis counts from the end.
 */
export function axisLayout(
  shape: readonly number[],
  axis: number,
): { outer: number; depth: number; inner: number; axis: number } {
  const a = axis < 0 ? axis + shape.length : axis;
  if (!Number.isInteger(a) || a < 0 || a >= shape.length) {
    throw new ShapeError(
      `axis ${axis} is out of range for shape [${shape.join(", ")}] (rank ${shape.length})`,
    );
  }
  return {
    outer: shapeSize(shape.slice(0, a)),
    depth: shape[a],
    inner: shapeSize(shape.slice(a + 1)),
    axis: a,
  };
}

/** Per-slice scale and zero point for each element index, checked against `shape`. */
function perElement(
  params: AnyQuantParams,
  length: number,
  shape: readonly number[] | undefined,
  what: string,
): {
  scaleOf: (slice: number) => number;
  zeroPointOf: (slice: number) => number;
  sliceOf: (i: number) => number;
} {
  if (!isPerAxis(params)) {
    return { scaleOf: () => params.scale, zeroPointOf: () => params.zeroPoint, sliceOf: () => 0 };
  }
  if (shape === undefined) {
    throw new ShapeError(
      `${what}: per-axis parameters (axis ${params.axis}) need the tensor's shape`,
    );
  }
  if (shapeSize(shape) !== length) {
    throw new ShapeError(
      `${what}: shape [${shape.join(", ")}] has ${shapeSize(shape)} elements but the data has ${length}`,
    );
  }
  const { depth, inner } = axisLayout(shape, params.axis);
  if (params.scale.length !== depth || params.zeroPoint.length !== depth) {
    throw new ShapeError(
      `${what}: per-axis parameters have ${params.scale.length} scales and ${params.zeroPoint.length} zero points; expected ${depth} (dimension ${params.axis} of shape [${shape.join(", ")}])`,
    );
  }
  return {
    scaleOf: (s) => params.scale[s],
    zeroPointOf: (s) => params.zeroPoint[s],
    sliceOf: (i) => Math.floor(i / inner) % depth,
  };
}

export interface QuantizeOptions {
  /** Needed for per-axis parameters. */
  shape?: readonly number[];
  /** Default "halfAwayFromZero", as TFLite's QUANTIZE kernel. */
  rounding?: RoundingMode;
}

/**
 * q = clamp(round(f32(x / scale)) + zeroPoint, qmin, qmax) — TFLite's reference QUANTIZE kernel:
 * the division is in float32 and rounding is half away from zero (docs/quantization.md, "Integer kernels"). NaN
 * quantizes to the zero point (NOTE: C++ leaves NaN→int undefined; tsquant picks zero).
 */
export function quantize(
  x: ArrayLike<number>,
  params: AnyQuantParams,
  options: QuantizeOptions = {},
): QuantizedArray {
  const { scaleOf, zeroPointOf, sliceOf } = perElement(params, x.length, options.shape, "quantize");
  const round = rounder(options.rounding ?? "halfAwayFromZero");
  const { qmin, qmax } = params.format;
  const out = allocQuantized(params.format, x.length);
  for (let i = 0; i < x.length; i++) {
    const s = sliceOf(i);
    const v = round(f32(f32(x[i]) / f32(scaleOf(s))));
    const q = Number.isNaN(v) ? zeroPointOf(s) : v + zeroPointOf(s);
    out[i] = q < qmin ? qmin : q > qmax ? qmax : q;
  }
  return out;
}

/** x = f32(scale · (q − zeroPoint)), the product in double then stored as float32 (TFLite DEQUANTIZE). */
export function dequantize(
  q: ArrayLike<number>,
  params: AnyQuantParams,
  options: { shape?: readonly number[] } = {},
): Float32Array {
  const { scaleOf, zeroPointOf, sliceOf } = perElement(
    params,
    q.length,
    options.shape,
    "dequantize",
  );
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const s = sliceOf(i);
    out[i] = f32(scaleOf(s)) * (q[i] - zeroPointOf(s));
  }
  return out;
}

/**
 * Requantize codes from one per-tensor parameter set to another, with TFLite's integer
 * arithmetic (reference `Requantize`): q' = clamp(MBQM(q − zp_in, M, shift) + zp_out), where
 * (M, shift) = quantizeMultiplier(scale_in / scale_out) in double. Equal scales and a zero-point
 * difference of 128 (int8 ↔ uint8) reduce to an exact shift of the codes.
 */
export function requantize(
  q: ArrayLike<number>,
  from: QuantParams,
  to: QuantParams,
): QuantizedArray {
  if (!(from.scale > 0) || !(to.scale > 0)) {
    throw new UsageError(`requantize: scales must be positive; found ${from.scale} → ${to.scale}`);
  }
  const { multiplier, shift } = quantizeMultiplier(f32(from.scale) / f32(to.scale));
  const { qmin, qmax } = to.format;
  const out = allocQuantized(to.format, q.length);
  for (let i = 0; i < q.length; i++) {
    const v =
      multiplyByQuantizedMultiplier(q[i] - from.zeroPoint, multiplier, shift) + to.zeroPoint;
    out[i] = v < qmin ? qmin : v > qmax ? qmax : v;
  }
  return out;
}

/**
 * Minimum and maximum of `x` per slice along `axis` of `shape` (or of the whole array when
 * `axis` is undefined). An empty array gives (+∞, −∞); NaN is skipped.
 */
export function minMaxPerAxis(
  x: ArrayLike<number>,
  shape: readonly number[],
  axis: number,
): { min: Float64Array; max: Float64Array } {
  if (shapeSize(shape) !== x.length) {
    throw new ShapeError(
      `minMaxPerAxis: shape [${shape.join(", ")}] has ${shapeSize(shape)} elements but the data has ${x.length}`,
    );
  }
  const { outer, depth, inner } = axisLayout(shape, axis);
  const min = new Float64Array(depth).fill(Infinity);
  const max = new Float64Array(depth).fill(-Infinity);
  let i = 0;
  for (let o = 0; o < outer; o++) {
    for (let c = 0; c < depth; c++) {
      let lo = min[c];
      let hi = max[c];
      for (let k = 0; k < inner; k++, i++) {
        const v = x[i];
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      min[c] = lo;
      max[c] = hi;
    }
  }
  return { min, max };
}

export interface QuantizedWeights {
  values: QuantizedArray;
  params: AnyQuantParams;
}

/**
 * Quantize a constant weight tensor as TF's converter does (legacy float scale):
 * - per-axis (`axis` given): params from each slice's min/max (symmetric, narrow range), then
 *   q = clamp(round(f32(x · f32(1 / scale_c))), −127, 127) (`SymmetricPerChannelQuantizeValues`);
 * - per-tensor: scale from max|x|, q = clamp(round(f32(x · f32(127 / max|x|))), −127, 127)
 *   (`PortableSymmetricQuantizeFloats`); an all-zero tensor quantizes to zeros.
 * Rounding is half away from zero. Other widths use qmax in place of 127.
 */
export function quantizeWeights(
  x: ArrayLike<number>,
  shape: readonly number[],
  options: Omit<QuantParamsOptions, "role"> & { axis?: number } = {},
): QuantizedWeights {
  const opts: QuantParamsOptions = { ...options, role: "weight" };
  if (options.axis === undefined) {
    const { min, max } = minMaxPerAxis(x, [1, x.length], 0);
    const params: QuantParams = chooseQuantParams(
      x.length ? min[0] : 0,
      x.length ? max[0] : 0,
      opts,
    );
    const { qmin, qmax } = params.format;
    const values = allocQuantized(params.format, x.length);
    const range = f32(Math.max(Math.abs(min[0]), Math.abs(max[0])));
    if (x.length && range > 0 && params.format.signed) {
      const inv = f32(qmax / range);
      for (let i = 0; i < x.length; i++)
        values[i] = clampRound(f32(f32(x[i]) * inv), 0, qmin, qmax);
    } else if (x.length && range > 0) {
      return { values: quantize(x, params), params };
    }
    return { values, params };
  }
  const { axis } = axisLayout(shape, options.axis);
  const { min, max } = minMaxPerAxis(x, shape, axis);
  const params: PerAxisQuantParams = chooseQuantParams(min, max, { ...opts, axis });
  const { qmin, qmax } = params.format;
  const { sliceOf } = perElement(params, x.length, shape, "quantizeWeights");
  const inverse = params.scale.map((s) => f32(1 / s));
  const values = allocQuantized(params.format, x.length);
  for (let i = 0; i < x.length; i++) {
    const c = sliceOf(i);
    values[i] = clampRound(f32(f32(x[i]) * inverse[c]), params.zeroPoint[c], qmin, qmax);
  }
  return { values, params };
}

function clampRound(v: number, zeroPoint: number, qmin: number, qmax: number): number {
  const r = roundHalfAwayFromZero(v) + zeroPoint;
  return r < qmin ? qmin : r > qmax ? qmax : r;
}
