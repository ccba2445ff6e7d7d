/**
 * Bias quantization for CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED (tflite-facts §3a "Bias").
 * The int32 accumulator of `Σ (x − zp_x) · w` has scale input_scale · weight_scale[c], so the bias
 * must be quantized with exactly that scale and zero point 0 to be added without rescaling.
 */
import { ShapeError, UsageError } from "../errors";
import { integerFormat } from "./formats";
import type { AnyQuantParams } from "./params";
import { roundHalfAwayFromZero } from "./rounding";

const f32 = Math.fround;
const INT32_MAX = 2147483647;

export interface QuantizedBias {
  values: Int32Array;
  /** Per-tensor when the weights are per-tensor, else per-axis along axis 0. */
  params: AnyQuantParams;
}

/**
 * scale_c = f32(inputScale · weightScale_c) (double product cast to float, as the converter's
 * `legacy_float_scale`), zeroPoint 0, and (`SymmetricBiasQuantize`)
 *   q = clamp(round(f32(b · f32(1 / scale_c))), −INT32_MAX, INT32_MAX)
 * with rounding half away from zero. A scale of 0 quantizes to 0 (TF's inverse-scale guard).
 * `weightScale` is one number (per-tensor weights) or one per output channel (= bias length).
 */
export function quantizeBias(
  bias: ArrayLike<number>,
  inputScale: number,
  weightScale: number | ArrayLike<number>,
): QuantizedBias {
  if (!(inputScale >= 0) || !Number.isFinite(inputScale)) {
    throw new UsageError(
      `quantizeBias: input scale must be a finite number >= 0; found ${inputScale}`,
    );
  }
  const perAxis = typeof weightScale !== "number";
  const scales: number[] = [];
  if (perAxis) {
    if (weightScale.length !== bias.length) {
      throw new ShapeError(
        `quantizeBias: ${weightScale.length} weight scales for a bias of ${bias.length} channels; expected one per channel`,
      );
    }
    for (let c = 0; c < weightScale.length; c++) scales.push(f32(inputScale * weightScale[c]));
  } else {
    scales.push(f32(inputScale * weightScale));
  }
  const inverse = scales.map((s) => (s === 0 ? 0 : f32(1 / s)));
  const values = new Int32Array(bias.length);
  for (let i = 0; i < bias.length; i++) {
    const q = roundHalfAwayFromZero(f32(f32(bias[i]) * inverse[perAxis ? i : 0]));
    values[i] = q > INT32_MAX ? INT32_MAX : q < -INT32_MAX ? -INT32_MAX : q;
  }
  const format = integerFormat({ dtype: "int32", narrowRange: true });
  const params: AnyQuantParams = perAxis
    ? { scale: scales, zeroPoint: scales.map(() => 0), axis: 0, format }
    : { scale: scales[0], zeroPoint: 0, format };
  return { values, params };
}
