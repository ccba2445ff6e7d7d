/**
 * Bias quantization for CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED (docs/quantization.md, "Scales and zero points").
 * The integer accumulator of `Σ (x − zp_x) · w` has scale input_scale · weight_scale[c], so the
 * bias must be quantized with exactly that scale and zero point 0 to be added without rescaling.
 */
import { ShapeError, UsageError } from "../errors";
import { integerFormat } from "./formats";
import type { AnyQuantParams } from "./params";
import { roundHalfAwayFromZero } from "./rounding";

const f32 = Math.fround;
const INT32_MAX = 2147483647;
const INT64_MAX = 2n ** 63n - 1n;

export interface QuantizedBias {
  values: Int32Array;
  /** Per-tensor when the weights are per-tensor, else per-axis along axis 0. */
  params: AnyQuantParams;
}

/**
 * scale_c = f32(inputScale · weightScale_c): the double product cast to float (TF's
 * `legacy_float_scale`; the legacy quantizer's float product is the same number).
 */
function biasScales(
  what: string,
  length: number,
  inputScale: number,
  weightScale: number | ArrayLike<number>,
): number[] {
  if (!(inputScale >= 0) || !Number.isFinite(inputScale)) {
    throw new UsageError(`${what}: input scale must be a finite number >= 0; found ${inputScale}`);
  }
  if (typeof weightScale === "number") return [f32(inputScale * weightScale)];
  if (weightScale.length !== length) {
    throw new ShapeError(
      `${what}: ${weightScale.length} weight scales for a bias of ${length} channels; expected one per channel`,
    );
  }
  return Array.from({ length }, (_, c) => f32(inputScale * weightScale[c]));
}

/**
 * q = round(f32(b · f32(1 / scale_c))) with rounding half away from zero (`SymmetricBiasQuantize`);
 * a scale of 0 quantizes to 0 (TF's inverse-scale guard). Unclamped.
 */
function roundedCodes(bias: ArrayLike<number>, scales: number[], perAxis: boolean): Float64Array {
  const inverse = scales.map((s) => (s === 0 ? 0 : f32(1 / s)));
  const out = new Float64Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    out[i] = roundHalfAwayFromZero(f32(f32(bias[i]) * inverse[perAxis ? i : 0]));
  }
  return out;
}

/**
 * int32 bias: scale_c = f32(inputScale · weightScale_c), zeroPoint 0, and
 *   q = clamp(round(f32(b · f32(1 / scale_c))), −INT32_MAX, INT32_MAX)
 * `weightScale` is one number (per-tensor weights) or one per output channel (= bias length).
 */
export function quantizeBias(
  bias: ArrayLike<number>,
  inputScale: number,
  weightScale: number | ArrayLike<number>,
): QuantizedBias {
  const perAxis = typeof weightScale !== "number";
  const scales = biasScales("quantizeBias", bias.length, inputScale, weightScale);
  const codes = roundedCodes(bias, scales, perAxis);
  const values = new Int32Array(bias.length);
  for (let i = 0; i < codes.length; i++) {
    const q = codes[i];
    values[i] = q > INT32_MAX ? INT32_MAX : q < -INT32_MAX ? -INT32_MAX : q;
  }
  const format = integerFormat({ dtype: "int32", narrowRange: true });
  const params: AnyQuantParams = perAxis
    ? { scale: scales, zeroPoint: scales.map(() => 0), axis: 0, format }
    : { scale: scales[0], zeroPoint: 0, format };
  return { values, params };
}

export interface QuantizedBias64 {
  /** int64 codes (16x8 mode: int16 activations make int32 accumulators too narrow). */
  values: BigInt64Array;
  /** One scale (per-tensor weights) or one per channel; zero point 0. */
  scale: number | number[];
}

/**
 * int64 bias for TF's 16x8 mode (`SymmetricBiasQuantize<int64_t>`): the same scales and
 * rounding as `quantizeBias`, clamped to ±INT64_MAX.
 */
export function quantizeBias64(
  bias: ArrayLike<number>,
  inputScale: number,
  weightScale: number | ArrayLike<number>,
): QuantizedBias64 {
  const perAxis = typeof weightScale !== "number";
  const scales = biasScales("quantizeBias64", bias.length, inputScale, weightScale);
  const codes = roundedCodes(bias, scales, perAxis);
  const values = new BigInt64Array(bias.length);
  for (let i = 0; i < codes.length; i++) {
    const q = codes[i];
    // NaN → 0; ±Infinity (a float32 overflow) saturates.
    const b = Number.isNaN(q)
      ? 0n
      : Number.isFinite(q)
        ? BigInt(q)
        : q > 0
          ? INT64_MAX
          : -INT64_MAX;
    values[i] = b > INT64_MAX ? INT64_MAX : b < -INT64_MAX ? -INT64_MAX : b;
  }
  return { values, scale: perAxis ? scales : scales[0] };
}
