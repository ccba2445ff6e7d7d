/**
 * Reading the weight and bias operands of CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.
 */
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
