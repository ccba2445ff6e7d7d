/**
 * Reading the weight and bias operands of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.
 */
import { TENSOR_TYPES } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";

/** Float bias of `channels` entries, zeros when the op has none. */
export function floatBias(node: Node, bias: RuntimeTensor | null, channels: number): Float32Array {
  if (bias === null) return new Float32Array(channels);
  const data = node.f32(bias);
  if (data.length !== channels) {
    throw node.shapeError(`bias '${bias.name}' has ${data.length} elements, expected ${channels}`);
  }
  return data;
}

/** int32 bias of `channels` entries (scale inputScale·weightScale_c, zero point 0), zeros if none. */
export function int32Bias(node: Node, bias: RuntimeTensor | null, channels: number): Int32Array {
  if (bias === null) return new Int32Array(channels);
  const data = node.i32(bias);
  if (data.length !== channels) {
    throw node.shapeError(`bias '${bias.name}' has ${data.length} elements, expected ${channels}`);
  }
  return data;
}

/**
 * Weight scales along `axis`: one per channel (length `channels`) or a single per-tensor scale.
 * Weights must be symmetric (zero point 0): the reference kernels ignore the weight zero point.
 */
export function weightScales(
  node: Node,
  weights: RuntimeTensor,
  axis: number,
  channels: number,
): number[] {
  const q = node.quantization(weights);
  if (q.scales.length !== 1 && (q.scales.length !== channels || q.quantizedDimension !== axis)) {
    throw node.unsupported(
      `weights '${weights.name}' must be quantized per tensor or per channel along axis ${axis} ` +
        `(${channels} scales), found ${q.scales.length} scales along axis ${q.quantizedDimension}`,
    );
  }
  if (q.zeroPoints.some((z) => z !== 0)) {
    throw node.unsupported(`weights '${weights.name}' must have zero point 0`);
  }
  return q.scales;
}

/** Expand per-tensor or per-channel scales to one float32 value per channel. */
export function perChannel(scales: readonly number[], channels: number): Float32Array {
  const out = new Float32Array(channels);
  for (let c = 0; c < channels; c++) out[c] = scales[scales.length === 1 ? 0 : c] ?? 0;
  return out;
}

/**
 * Bias of a 16x8 op as exact integers in doubles: int64 (the converter's default for int16
 * activations) or int32, zeros if none. An int64 entry beyond ±2^53 cannot be held exactly and
 * is refused (TFLite itself requires the accumulator below 2^47).
 */
export function wideBias(node: Node, bias: RuntimeTensor | null, channels: number): Float64Array {
  const out = new Float64Array(channels);
  if (bias === null) return out;
  const data = bias.data;
  if (data.length !== channels) {
    throw node.shapeError(`bias '${bias.name}' has ${data.length} elements, expected ${channels}`);
  }
  if (data instanceof BigInt64Array) {
    for (let c = 0; c < channels; c++) {
      const v = data[c] ?? 0n;
      if (v > 2n ** 53n || v < -(2n ** 53n)) {
        throw node.unsupported(`bias '${bias.name}'[${c}] = ${v} exceeds 2^53`);
      }
      out[c] = Number(v);
    }
    return out;
  }
  out.set(node.i32(bias));
  return out;
}

/**
 * Which accumulator a 16x8 CONV_2D / FULLY_CONNECTED uses, as TFLite decides it (`conv.cc`,
 * `fully_connected.cc` Prepare): the op option `quantized_bias_type` INT32 selects the int32
 * overload (int32 bias, int32 accumulator that wraps, 32-bit MBQM); anything else (the default,
 * FLOAT32 = unset) the int64 one, which reads the bias as int64 — so an int32 bias without the
 * option is refused here (LiteRT would misread it).
 */
export function int16BiasIsInt32(
  node: Node,
  bias: RuntimeTensor | null,
  quantizedBiasType: number,
): boolean {
  const int32 = TENSOR_TYPES[quantizedBiasType] === "int32";
  const expected = int32 ? "int32" : "int64";
  if (bias !== null && bias.dtype !== expected) {
    throw node.unsupported(
      `int16 input needs an ${expected} bias (quantized_bias_type ` +
        `${TENSOR_TYPES[quantizedBiasType] ?? quantizedBiasType}), found '${bias.name}' ${bias.dtype}`,
    );
  }
  return int32;
}
