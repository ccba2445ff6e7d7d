/**
 * Pieces shared by several kernels: output size and padding, fused activation ranges, quantized
 * ranges of a dtype.
 */
import type { Activation, DType, Padding } from "../../ir";
import { roundHalfAwayFromZero } from "../../quant/fixedpoint";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";

export interface PaddedDim {
  outSize: number;
  /** Padding before the first element (top or left); the remainder goes after. */
  padBefore: number;
}

/**
 * TFLite's output size and padding for one spatial dimension, with effective filter size
 * f' = (filter − 1)·dilation + 1: SAME → out = ⌈in / stride⌉, VALID → out = ⌊(in − f') / stride⌋ + 1;
 * padBefore = max(0, ⌊((out − 1)·stride + f' − in) / 2⌋).
 */
export function paddedDim(
  inSize: number,
  filterSize: number,
  stride: number,
  dilation: number,
  padding: Padding,
): PaddedDim {
  const effectiveFilter = (filterSize - 1) * dilation + 1;
  const outSize =
    padding === "SAME"
      ? Math.ceil(inSize / stride)
      : Math.floor((inSize - effectiveFilter + stride) / stride);
  const total = (outSize - 1) * stride + effectiveFilter - inSize;
  return { outSize: Math.max(outSize, 0), padBefore: Math.max(0, Math.floor(total / 2)) };
}

/** Float clamp range of a fused activation. TANH and SIGN_BIT are not clamps: unsupported. */
export function floatActivationRange(node: Node, activation: Activation): [number, number] {
  switch (activation) {
    case "NONE":
      return [-Infinity, Infinity];
    case "RELU":
      return [0, Infinity];
    case "RELU6":
      return [0, 6];
    case "RELU_N1_TO_1":
      return [-1, 1];
    case "TANH":
    case "SIGN_BIT":
      throw node.unsupported(`fused activation ${activation}`);
    default:
      return activation satisfies never;
  }
}

/** [qmin, qmax] of an integer dtype. */
export function dtypeRange(node: Node, dtype: DType): [number, number] {
  switch (dtype) {
    case "int8":
      return [-128, 127];
    case "uint8":
      return [0, 255];
    case "int16":
      return [-32768, 32767];
    case "int32":
      return [-2147483648, 2147483647];
    default:
      throw node.unsupported(`no integer range for ${dtype}`);
  }
}

/**
 * TFLite `CalculateActivationRangeQuantized`: the fused activation's float bounds mapped to
 * zeroPoint + round(bound / scale) (the division in float32), intersected with [qmin, qmax].
 */
export function quantizedActivationRange(
  node: Node,
  activation: Activation,
  scale: number,
  zeroPoint: number,
  dtype: DType,
): [number, number] {
  const [qmin, qmax] = dtypeRange(node, dtype);
  const [lo, hi] = floatActivationRange(node, activation);
  const quantize = (f: number): number => zeroPoint + roundHalfAwayFromZero(Math.fround(f / scale));
  return [
    lo === -Infinity ? qmin : Math.max(qmin, quantize(lo)),
    hi === Infinity ? qmax : Math.min(qmax, quantize(hi)),
  ];
}

/**
 * int16 activations are symmetric: TFLite's int16 kernels require zero point 0 on their
 * quantized inputs and outputs (and several drop the offsets from their arithmetic).
 */
export function expectSymmetricInt16(node: Node, ...tensors: RuntimeTensor[]): void {
  for (const t of tensors) {
    const zeroPoint = t.quantization?.zeroPoints[0] ?? 0;
    if (t.dtype === "int16" && zeroPoint !== 0) {
      throw node.unsupported(`int16 tensor '${t.name}' must have zero point 0, found ${zeroPoint}`);
    }
  }
}
