/**
 * Weight quantization for the passes: per channel through `quantizeWeights`, per tensor by TF's
 * `PortableSymmetricQuantizeFloats` rule (tflite-facts §3a):
 *
 *   range = max|x| (in float32),  scale = f32(2 · range) / 254,
 *   q = clamp(round(f32(x · f32(127 / range))), −127, 127),  zeroPoint 0
 *
 * with rounding half away from zero; an all-zero tensor quantizes to zeros (the scale is then
 * chooseQuantParams' widened degenerate range).
 *
 * NOTE: per tensor is computed here over the whole tensor because `quantizeWeights` without an
 * axis takes the range of the first element only (reported to the quant owner).
 */
import type { Quantization } from "../ir";
import { quantizeWeights } from "../quant/affine";
import { chooseQuantParams, toQuantization } from "../quant/params";
import { roundHalfAwayFromZero } from "../quant/rounding";

const f32 = Math.fround;

/** int8 codes and parameters of a weight tensor; `axis` null = per tensor. */
export function quantizeWeightTensor(
  x: Float32Array,
  shape: readonly number[],
  axis: number | null,
): { values: Int8Array; quantization: Quantization } {
  if (axis !== null) {
    const { values, params } = quantizeWeights(x, shape, { axis });
    return { values: Int8Array.from(values), quantization: toQuantization(params) };
  }
  let min = 0;
  let max = 0;
  for (const v of x) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const params = chooseQuantParams(min, max, { role: "weight" });
  const range = f32(Math.max(-min, max));
  const values = new Int8Array(x.length);
  if (range > 0) {
    const inverse = f32(127 / range);
    for (let i = 0; i < x.length; i++) {
      const q = roundHalfAwayFromZero(f32(x[i] * inverse));
      values[i] = q < -127 ? -127 : q > 127 ? 127 : q;
    }
  }
  return { values, quantization: toQuantization(params) };
}
