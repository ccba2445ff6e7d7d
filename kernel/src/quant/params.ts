/**
 * Choosing a scale and zero point from a float range, exactly as TensorFlow's converter does
 * (docs/quantization.md, "Scales and zero points"), so that scales equal those in TF-converted models bit for bit.
 *
 *   real = scale · (q − zeroPoint),   q ∈ [qmin, qmax]
 */
import { UsageError } from "../errors";
import type { Quantization } from "../ir";
import { type FormatSpec, type IntegerFormat, integerFormat } from "./formats";
import { roundHalfAwayFromZero } from "./rounding";

/** Per-tensor parameters. */
export interface QuantParams {
  scale: number;
  zeroPoint: number;
  format: IntegerFormat;
}

/** Per-axis (per-channel) parameters: slice i along `axis` uses `scale[i]`, `zeroPoint[i]`. */
export interface PerAxisQuantParams {
  scale: number[];
  zeroPoint: number[];
  axis: number;
  format: IntegerFormat;
}

export type AnyQuantParams = QuantParams | PerAxisQuantParams;

export function isPerAxis(params: AnyQuantParams): params is PerAxisQuantParams {
  return Array.isArray(params.scale);
}

export interface QuantParamsOptions extends FormatSpec {
  /**
   * "activation" (default) or "weight": sets the defaults below the way TF's converter does
   * (weights symmetric narrow-range, activations asymmetric full-range) and picks TF's rule for
   * a degenerate range (see `chooseQuantParams`).
   */
  role?: "activation" | "weight";
  /** Range made symmetric about 0: max = max(|min|, |max|), min = −max. Default: weights, and signed 16-bit activations (TF's 16x8 mode). */
  symmetric?: boolean;
  /**
   * "float32" (default): TF's `legacy_float_scale` rule (`DownCastScale`), what post-training
   * quantization writes. "float64": `fakeQuantAttrsToType` in double, the rule for ranges
   * learned by QAT FakeQuant ops.
   */
  scalePrecision?: "float32" | "float64";
  /** The axis the per-axis min/max run along (recorded in the result; default 0). */
  axis?: number;
}

/** TF's `kNearZeroTolerance`: a range narrower than this is widened. */
const NEAR_ZERO_TOLERANCE = 1e-6;
const f32 = Math.fround;

/**
 * Scale and zero point for the float range [min, max] (numbers → per-tensor; arrays →
 * per-axis, one entry per slice along `axis`).
 *
 * Steps, per range, as TF 2.x's MLIR quantizer with `legacy_float_scale` (the default PTQ path):
 * 1. The range is widened to include 0: min = min(min, 0), max = max(max, 0) — so real 0 is
 *    exactly representable (zero padding must quantize without error).
 * 2. symmetric: max = max(|min|, |max|), min = −max.
 * 3. Degenerate ranges: an activation range with |max − min| < 1e-6 (all zeros, or a tiny
 *    constant) is widened by 1e-6 on both sides; a weight range with max − min ≤ 1e-6 becomes
 *    [min(min, −5e-7), max(max, 5e-7)]. So "all zero" still gives a positive scale.
 * 4. scale = f32(f32(max) − f32(min)) / (qmax − qmin), in float32 (`DownCastScale`).
 *    Signed symmetric: zeroPoint = 0 (and scale = f32(max) / qmax, the same number for
 *    narrow range, and TF's int16 rule `max|x| / 32767` otherwise).
 *    Otherwise zeroPoint = f32(qmin − min / scale), clamped to [qmin, qmax], else rounded
 *    half away from zero.
 *
 * With `scalePrecision: "float64"` (ranges learned by QAT FakeQuant ops) steps 1 and 3 are
 * skipped and step 4 is TF's `fakeQuantAttrsToType` in double: scale = (max − min)/(qmax − qmin)
 * and the zero point from whichever end carries the smaller rounding error, computed in the
 * FakeQuant op's unsigned domain; a range below double epsilon gives scale 1, zeroPoint qmin.
 *
 * Errors: NaN or ±Infinity bounds, or min > max, are a UsageError naming the slice.
 */
export function chooseQuantParams(
  min: number,
  max: number,
  options?: QuantParamsOptions,
): QuantParams;
export function chooseQuantParams(
  min: ArrayLike<number>,
  max: ArrayLike<number>,
  options?: QuantParamsOptions,
): PerAxisQuantParams;
export function chooseQuantParams(
  min: number | ArrayLike<number>,
  max: number | ArrayLike<number>,
  options?: QuantParamsOptions,
): AnyQuantParams;
export function chooseQuantParams(
  min: number | ArrayLike<number>,
  max: number | ArrayLike<number>,
  options: QuantParamsOptions = {},
): AnyQuantParams {
  const role = options.role ?? "activation";
  const isWeight = role === "weight";
  const spec: FormatSpec = {
    ...options,
    narrowRange: options.narrowRange ?? isWeight,
  };
  const format = integerFormat(spec);
  const symmetric = options.symmetric ?? (isWeight || (format.signed && format.bits === 16));
  const precision = options.scalePrecision ?? "float32";
  const one = (lo: number, hi: number, where: string): { scale: number; zeroPoint: number } => {
    checkRange(lo, hi, where);
    return paramsForRange(lo, hi, format, symmetric, isWeight, precision);
  };
  if (typeof min === "number" && typeof max === "number") {
    return { ...one(min, max, ""), format };
  }
  if (typeof min === "number" || typeof max === "number") {
    throw new UsageError(
      "chooseQuantParams: min and max must both be numbers (per-tensor) or both arrays (per-axis)",
    );
  }
  if (min.length !== max.length || min.length === 0) {
    throw new UsageError(
      `chooseQuantParams: per-axis min and max must have the same non-zero length; found ${min.length} and ${max.length}`,
    );
  }
  const scale: number[] = [];
  const zeroPoint: number[] = [];
  for (let i = 0; i < min.length; i++) {
    const p = one(min[i], max[i], ` (slice ${i} along axis ${options.axis ?? 0})`);
    scale.push(p.scale);
    zeroPoint.push(p.zeroPoint);
  }
  return { scale, zeroPoint, axis: options.axis ?? 0, format };
}

function checkRange(min: number, max: number, where: string): void {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new UsageError(
      `chooseQuantParams: range${where} must be finite; found min ${min}, max ${max}`,
    );
  }
  if (min > max) {
    throw new UsageError(`chooseQuantParams: min > max${where}: min ${min}, max ${max}`);
  }
}

function paramsForRange(
  min: number,
  max: number,
  format: IntegerFormat,
  symmetric: boolean,
  isWeight: boolean,
  precision: "float32" | "float64",
): { scale: number; zeroPoint: number } {
  const { qmin, qmax } = format;
  if (precision === "float64") {
    // The QAT path takes FakeQuant's min/max as they are (tfmot keeps 0 inside them).
    const a = Math.max(Math.abs(min), Math.abs(max));
    return symmetric ? fakeQuantAttrsToType(-a, a, format) : fakeQuantAttrsToType(min, max, format);
  }
  let rmin = Math.min(min, 0);
  let rmax = Math.max(max, 0);
  if (symmetric) {
    rmax = Math.max(Math.abs(rmin), Math.abs(rmax));
    rmin = -rmax;
  }
  if (isWeight) {
    // ExpandVerySmallRange (constants): to at least ±kNearZeroTolerance / 2.
    if (!(rmax - rmin > NEAR_ZERO_TOLERANCE)) {
      rmin = Math.min(rmin, -NEAR_ZERO_TOLERANCE / 2);
      rmax = Math.max(rmax, NEAR_ZERO_TOLERANCE / 2);
    }
  } else if (Math.abs(rmax - rmin) < NEAR_ZERO_TOLERANCE) {
    // TensorRangeSanityCheck (activation statistics): widen by kNearZeroTolerance each side.
    rmin -= NEAR_ZERO_TOLERANCE;
    rmax += NEAR_ZERO_TOLERANCE;
  }

  if (symmetric && format.signed) {
    // f32(2a) / (2·qmax) and f32(a) / qmax are the same float: doubling is exact.
    return { scale: f32(f32(rmax) / qmax), zeroPoint: 0 };
  }
  const scale = f32(f32(f32(rmax) - f32(rmin)) / (qmax - qmin));
  // NOTE: computed in double (min is a double, scale widened), then stored as float, as TF does.
  const zeroPointFromMin = f32(qmin - rmin / scale);
  return { scale, zeroPoint: nudgeZeroPoint(zeroPointFromMin, qmin, qmax) };
}

function nudgeZeroPoint(zeroPoint: number, qmin: number, qmax: number): number {
  if (zeroPoint < qmin) return qmin;
  if (zeroPoint > qmax) return qmax;
  return roundHalfAwayFromZero(zeroPoint);
}

/**
 * TF `fakeQuantAttrsToType` (double precision; the QAT conversion path). TF computes it in the
 * unsigned domain of the FakeQuant op ([0, 2^bits − 1], narrow [1, 2^bits − 1]) and shifts the
 * zero point by −2^(bits−1) for signed storage; the choice between the two ends' zero points
 * depends on that domain, so a signed format is computed the same way.
 */
function fakeQuantAttrsToType(
  rmin: number,
  rmax: number,
  format: IntegerFormat,
): { scale: number; zeroPoint: number } {
  const offset = format.signed ? 2 ** (format.bits - 1) : 0;
  const qmin = format.qmin + offset;
  const qmax = format.qmax + offset;
  if (Math.abs(rmax - rmin) < Number.EPSILON) return { scale: 1, zeroPoint: qmin - offset };
  const scale = (rmax - rmin) / (qmax - qmin);
  const fromMin = qmin - rmin / scale;
  const fromMinError = Math.abs(qmin) + Math.abs(rmin / scale);
  const fromMax = qmax - rmax / scale;
  const fromMaxError = Math.abs(qmax) + Math.abs(rmax / scale);
  const zeroPoint = fromMinError < fromMaxError ? fromMin : fromMax;
  // The .tflite file stores the double scale cast to float32.
  return { scale: f32(scale), zeroPoint: nudgeZeroPoint(zeroPoint, qmin, qmax) - offset };
}

/** The float range a set of parameters represents: [scale·(qmin − zp), scale·(qmax − zp)]. */
export function representableRange(params: QuantParams): { min: number; max: number } {
  const { scale, zeroPoint, format } = params;
  return { min: scale * (format.qmin - zeroPoint), max: scale * (format.qmax - zeroPoint) };
}

/** The IR/.tflite form of parameters (`Tensor.quantization`). */
export function toQuantization(params: AnyQuantParams): Quantization {
  if (isPerAxis(params)) {
    if (params.axis < 0) {
      throw new UsageError(
        `toQuantization: quantized dimension ${params.axis} is negative; the .tflite field needs the non-negative axis`,
      );
    }
    return {
      min: null,
      max: null,
      scale: params.scale.map(f32),
      zeroPoint: [...params.zeroPoint],
      quantizedDimension: params.axis,
    };
  }
  return {
    min: null,
    max: null,
    scale: [f32(params.scale)],
    zeroPoint: [params.zeroPoint],
    quantizedDimension: 0,
  };
}
