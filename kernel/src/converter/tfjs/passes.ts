/**
 * Rewrites of the freshly emitted graph, the ones TF's converter applies to the same Keras
 * model (its `tfl-optimize` patterns):
 *
 * - `foldBatchNorms`: MUL + ADD of a batch norm right after a CONV_2D, DEPTHWISE_CONV_2D or
 *   FULLY_CONNECTED with no fused activation whose output nothing else reads → folded into that
 *   op's weights and bias.
 * - `fuseActivations`: RELU / RELU6 right after an op with a fused-activation field set to NONE
 *   (conv, depthwise, fully connected, pools, ADD, MUL) whose output nothing else reads → that
 *   op's fused activation. TANH and LOGISTIC are never fused (TFLite's fused TANH is not
 *   implemented by every kernel), nor is anything into CONCATENATION.
 *
 * "Nothing else reads" counts graph outputs as readers: an op whose output the model returns
 * keeps it unfused.
 */
import type { Activation, BuiltinOpName, Operator } from "../../ir";
import type { ModelBuilder } from "./graph";
import type { BatchNormFold } from "./layers/call";

const FOLD_TARGETS: ReadonlySet<BuiltinOpName> = new Set([
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "FULLY_CONNECTED",
]);

const FUSE_TARGETS: ReadonlySet<BuiltinOpName> = new Set([
  "CONV_2D",
  "DEPTHWISE_CONV_2D",
  "FULLY_CONNECTED",
  "MAX_POOL_2D",
  "AVERAGE_POOL_2D",
  "ADD",
  "MUL",
]);

const FUSED: Partial<Record<BuiltinOpName, Activation>> = { RELU: "RELU", RELU6: "RELU6" };

function fusedActivation(op: Operator): Activation | null {
  const o = op.builtinOptions;
  if (o === null || !("fusedActivationFunction" in o)) return null;
  return o.fusedActivationFunction;
}

function setFusedActivation(op: Operator, activation: Activation): void {
  const o = op.builtinOptions;
  if (o !== null && "fusedActivationFunction" in o) o.fusedActivationFunction = activation;
}

/**
 * The op producing `tensor` when it can absorb what follows: one of `kinds`, no fused
 * activation yet, and `tensor` read by exactly one op.
 */
function soleProducer(
  b: ModelBuilder,
  tensor: number | undefined,
  kinds: ReadonlySet<BuiltinOpName>,
): Operator | undefined {
  if (tensor === undefined || b.uses(tensor) !== 1) return undefined;
  const p = b.producer(tensor);
  const name = p === undefined ? undefined : b.opName(p);
  if (p === undefined || name === undefined || !kinds.has(name)) return undefined;
  return fusedActivation(p) === "NONE" ? p : undefined;
}

/** `op` now writes `to` (the output of the ops it absorbed); the name records both, as TF does. */
function redirect(b: ModelBuilder, op: Operator, to: number): void {
  const from = op.outputs[0];
  if (from !== undefined) {
    b.tensor(to).name = `${b.tensor(to).name};${b.tensor(from).name}`;
  }
  op.outputs = [to];
}

/**
 * Folds `y = x·scale + offset` into the producer of x:
 * `W'[c, …] = f32(W[c, …]·scale[c])`, `b'[c] = f32(b[c]·scale[c] + offset[c])`, computed in
 * float64 from the float32 weights and rounded once; c is the output channel (axis 0 of conv
 * and fully-connected weights, the last axis of depthwise ones). A missing FC bias counts as
 * 0. Batch norms that cannot fold stay MUL + ADD. Returns the number folded.
 */
export function foldBatchNorms(
  b: ModelBuilder,
  folds: ReadonlyMap<Operator, BatchNormFold>,
): number {
  let folded = 0;
  for (const [mul, { scale, offset, add }] of folds) {
    const target = soleProducer(b, mul.inputs[0], FOLD_TARGETS);
    const scaled = mul.outputs[0];
    const y = add.outputs[0];
    if (target === undefined || scaled === undefined || y === undefined) continue;
    if (b.uses(scaled) !== 1) continue;
    const [, weightsIndex, biasIndex] = target.inputs;
    if (weightsIndex === undefined) continue;
    const channels = scale.length;
    const weights = b.floatData(weightsIndex);
    const perChannel = weights.length / channels;
    if (b.opName(target) === "DEPTHWISE_CONV_2D") {
      for (let i = 0; i < weights.length; i++) {
        weights[i] = (weights[i] ?? 0) * (scale[i % channels] ?? 0);
      }
    } else {
      for (let i = 0; i < weights.length; i++) {
        weights[i] = (weights[i] ?? 0) * (scale[Math.floor(i / perChannel)] ?? 0);
      }
    }
    const bias =
      biasIndex !== undefined && biasIndex >= 0
        ? b.floatData(biasIndex)
        : new Float32Array(channels);
    const newBias = Float32Array.from(bias, (v, c) => v * (scale[c] ?? 0) + (offset[c] ?? 0));
    if (biasIndex !== undefined && biasIndex >= 0) {
      bias.set(newBias);
    } else {
      const name = b.tensor(weightsIndex).name.replace(/\/[^/]*$/, "") + "/bias";
      target.inputs[2] = b.constant(name, [channels], newBias);
    }
    redirect(b, target, y);
    b.removeOp(mul);
    b.removeOp(add);
    folded++;
  }
  return folded;
}

/** Fuses RELU and RELU6 ops into the op before them where TFLite does. Returns the number fused. */
export function fuseActivations(b: ModelBuilder): number {
  let fused = 0;
  for (const op of [...b.graph.operators]) {
    const name = b.opName(op);
    const activation = name === undefined ? undefined : FUSED[name];
    const y = op.outputs[0];
    if (activation === undefined || y === undefined) continue;
    const target = soleProducer(b, op.inputs[0], FUSE_TARGETS);
    if (target === undefined) continue;
    setFusedActivation(target, activation);
    redirect(b, target, y);
    b.removeOp(op);
    fused++;
  }
  return fused;
}
