/**
 * The full-integer pass's rules per op, one row per op with an integer kernel in TFLite (and in
 * tsquant's interpreter), keyed by schema name. An op without a row stays in float (or is refused
 * in integer-only mode). A new quantizable op is one row here.
 *
 * - `sameScale`: the kernel copies or compares codes (pooling, reshape, pad, concatenation), so
 *   its activation inputs and output share one scale.
 * - `weightAxis`: input 1 holds weights quantized per channel along this axis; input 2 is the
 *   bias (scale = input scale · weight scale, zero point 0).
 * - `fixedOutput`: the output's parameters do not depend on the data (the kernels assume them).
 * - `int8Only`: TFLite (and the interpreter) has an int8 kernel but no int16 one, so in 16x8
 *   mode the op stays in float.
 *
 * Ops without a rule's flags take their own calibrated output range (ADD, MUL, SUB, MEAN, SUM,
 * the activations). Ops whose int32/int64/bool operands (shapes, indices, axes) are not float
 * keep them as they are: only float activations are quantized.
 */
import { opName } from "../ir";

/** Affine parameters of a tensor: real = scale · (q − zeroPoint). */
export interface FixedParams {
  scale: number;
  zeroPoint: number;
}

export interface OpRule {
  sameScale?: true;
  weightAxis?: number;
  fixedOutput?: { int8: FixedParams; int16: FixedParams };
  int8Only?: true;
}

/** [0, 1) in int8 codes −128…127; int16 is symmetric: 1/32768 with zero point 0. */
const UNIT_INTERVAL = {
  int8: { scale: 1 / 256, zeroPoint: -128 },
  int16: { scale: 1 / 32768, zeroPoint: 0 },
};
/** [−1, 1) in int8 codes −128…127; int16 as above. */
const SIGNED_UNIT = {
  int8: { scale: 1 / 128, zeroPoint: 0 },
  int16: { scale: 1 / 32768, zeroPoint: 0 },
};

export const OP_RULES: Readonly<Record<string, OpRule>> = {
  ADD: {},
  BATCH_TO_SPACE_ND: { sameScale: true, int8Only: true },
  DEPTH_TO_SPACE: { sameScale: true, int8Only: true },
  EXPAND_DIMS: { sameScale: true },
  GATHER: { sameScale: true },
  GELU: { int8Only: true },
  HARD_SWISH: { int8Only: true },
  LEAKY_RELU: {},
  MAXIMUM: { sameScale: true },
  MINIMUM: { sameScale: true },
  REDUCE_MAX: { sameScale: true },
  REDUCE_MIN: { sameScale: true },
  RESIZE_BILINEAR: { sameScale: true },
  RESIZE_NEAREST_NEIGHBOR: { sameScale: true },
  // Reads only its input's shape: the int8 input passes, the int32 shape path stays int32.
  SHAPE: {},
  SLICE: { sameScale: true },
  SPACE_TO_BATCH_ND: { sameScale: true, int8Only: true },
  SPACE_TO_DEPTH: { sameScale: true, int8Only: true },
  SPLIT: { sameScale: true, int8Only: true },
  SPLIT_V: { sameScale: true, int8Only: true },
  SQUEEZE: { sameScale: true },
  STRIDED_SLICE: { sameScale: true },
  SUB: { int8Only: true },
  SUM: {},
  TRANSPOSE: { sameScale: true },
  AVERAGE_POOL_2D: { sameScale: true },
  CONCATENATION: { sameScale: true },
  CONV_2D: { weightAxis: 0 },
  DEPTHWISE_CONV_2D: { weightAxis: 3 },
  FULLY_CONNECTED: { weightAxis: 0 },
  LOGISTIC: { fixedOutput: UNIT_INTERVAL },
  MAX_POOL_2D: { sameScale: true },
  MEAN: {},
  MUL: {},
  PAD: { sameScale: true },
  RELU: {},
  RELU6: {},
  RESHAPE: { sameScale: true },
  SOFTMAX: { fixedOutput: UNIT_INTERVAL },
  TANH: { fixedOutput: SIGNED_UNIT },
};

/** The rule of the op with builtin code `code`, or null when the op has no integer kernel. */
export function opRule(code: number): OpRule | null {
  const name = opName(code);
  return Object.hasOwn(OP_RULES, name) ? (OP_RULES[name] ?? null) : null;
}
