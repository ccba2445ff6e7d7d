/**
 * Weight quantization for the passes, through `quantizeWeights` (kernel/src/quant/affine.ts):
 * per channel along `axis`, or per tensor by TF's `PortableSymmetricQuantizeFloats` rule
 * (docs/quantization.md, "Scales and zero points"):
 *
 *   range = max|x| (in float32),  scale = f32(2 · range) / 254,
 *   q = clamp(round(f32(x · f32(127 / range))), −127, 127),  zeroPoint 0
 *
 * with rounding half away from zero; an all-zero tensor quantizes to zeros (the scale is then
 * chooseQuantParams' widened degenerate range).
 */
import type { Quantization } from "../ir";
import { quantizeWeights } from "../quant/affine";
import { toQuantization } from "../quant/params";

/** int8 codes and parameters of a weight tensor; `axis` null = per tensor. */
export function quantizeWeightTensor(
  x: Float32Array,
  shape: readonly number[],
  axis: number | null,
): { values: Int8Array; quantization: Quantization } {
  const { values, params } = quantizeWeights(x, shape, axis === null ? {} : { axis });
  return { values: Int8Array.from(values), quantization: toQuantization(params) };
}
