/**
 * Full-integer post-training quantization (docs/quantization.md, "Scales and zero points", "Full integer"): int8 activations (or int16
 * in 16x8 mode) from calibrated ranges, int8 weights, int32 (int64 in 16x8) biases. One pass,
 * one function per step (the per-op rules are the table in `opRules.ts`):
 *
 * 1. `selectQuantizedOps`: the ops with a rule, minus the denylist. Integer-only mode refuses a
 *    model with any other op, listing all of them.
 * 2. `chooseActivationParams`: fixed output parameters (SOFTMAX / LOGISTIC 1/256, −128; TANH
 *    1/128, 0; int16: 1/32768, 0); every other activation from its calibrated range
 *    (`chooseQuantParams`, TF's rules); then same-scale ops (pooling, reshape, pad,
 *    concatenation) share one scale over their inputs and output — in int8 the largest scale of
 *    the group wins, as TF's MLIR quantizer; in 16x8 the output follows the input (TF's legacy
 *    quantizer). The only place a file's activation scales are decided.
 * 3. `rewriteOps` / `retypeOutputs`: every float32 activation a quantized op produces becomes
 *    an integer tensor in place; QUANTIZE ops turn float tensors (graph inputs, outputs of
 *    float-fallback ops) into integer ones where a quantized op reads them, DEQUANTIZE ops turn
 *    integer tensors back where a float op or the graph output reads them.
 * 4. `quantizeConstants`: weights per channel along the rule's axis (CONV_2D 0,
 *    DEPTHWISE_CONV_2D 3, FULLY_CONNECTED 0) or per tensor; bias scale = input scale · weight
 *    scale, zero point 0.
 * 5. `requantizeOutputs` / `insertRequantize`: a QUANTIZE op where a same-scale constraint still
 *    conflicts (an output that keeps its own range; an input at another scale).
 * 6. `setIOTypes`: int8/int16 I/O drop the edge QUANTIZE/DEQUANTIZE; uint8 I/O keep them as
 *    requantize ops with zero point = int8 zero point + 128 (TF's `ModifyIONodesPass`).
 */
import { UnsupportedError, UsageError } from "../errors";
import {
  BuiltinOperator,
  type Model,
  type Operator,
  type Quantization,
  type SubGraph,
  type Tensor,
} from "../ir";
import { opRule } from "./opRules";
import { minMaxPerAxis, quantize } from "../quant/affine";
import { quantizeWeightTensor } from "./weights";
import { quantizeBias, quantizeBias64 } from "../quant/bias";
import {
  type QuantParams,
  type QuantParamsOptions,
  chooseQuantParams,
  representableRange,
  toQuantization,
} from "../quant/params";
import {
  addTensor,
  bytesOf,
  float32Data,
  isConstant,
  makeOp,
  opCode,
  opLabel,
  pruneBuffers,
  pruneTensors,
  addBuffer,
} from "./graph";

export type IOType = "float32" | "int8" | "uint8" | "int16";

/** Where activation ranges come from: a `CalibrationResult`, or ranges given by name (QAT). */
export interface ActivationRanges {
  get(
    name: string,
  ): { range: { min: number; max: number }; scalePrecision?: "float32" | "float64" } | undefined;
}

export interface IntegerPassOptions {
  /** "int8" (default) or "int16" activations (16x8 mode: int8 weights, int64 biases). */
  activations?: "int8" | "int16";
  /** Refuse ops without integer kernels instead of leaving them in float. */
  integerOnly?: boolean;
  /** Per-channel weights (default true). */
  perChannel?: boolean;
  /**
   * Weight tensors (by name) quantized per tensor even when `perChannel`: QAT fake-quantizes
   * Dense kernels with one range, and a per-channel scale would move them off that grid.
   */
  perTensorWeights?: ReadonlySet<string>;
  /**
   * Outputs (by float tensor name) of same-scale ops (AVERAGE_POOL_2D, MAX_POOL_2D, RESHAPE,
   * PAD) that keep a range of their own: the op writes at its input's scale and a QUANTIZE op
   * after it requantizes to that range — how TF converts a FakeQuant after such an op (tfmot's
   * AveragePooling2D output).
   */
  requantizedOutputs?: ReadonlySet<string>;
  inferenceInputType?: IOType;
  inferenceOutputType?: IOType;
  /** Ops to leave in float (selective quantization). */
  isDenylisted?: (op: Operator) => boolean;
  /**
   * How ranges become scales: "float32" (default, TF's post-training rule) or "float64" (TF's
   * rule for ranges learned by QAT FakeQuant ops; see `chooseQuantParams`).
   */
  scalePrecision?: "float32" | "float64";
}

const B = BuiltinOperator;

function isSameScale(code: number): boolean {
  return opRule(code)?.sameScale === true;
}

function perTensor(q: QuantParams): Quantization {
  return toQuantization(q);
}

function sameParams(a: Quantization | null, b: Quantization | null): boolean {
  return (
    a?.scale?.[0] === b?.scale?.[0] &&
    a?.zeroPoint?.[0] === b?.zeroPoint?.[0] &&
    a?.scale?.length === b?.scale?.length
  );
}

/** What every step of one integer pass reads: the model, the ranges, the options, the dtype. */
interface Pass {
  model: Model;
  sg: SubGraph;
  calibration: ActivationRanges;
  options: IntegerPassOptions;
  int16: boolean;
  actType: "int8" | "int16";
  qparamsOptions: QuantParamsOptions;
  /** The float model's ops, in order (the rewrite builds a new list). */
  originalOps: Operator[];
}

/** Parameters chosen for the activations (by tensor index), and which of them are fixed. */
interface ActivationParams {
  params: Map<number, QuantParams>;
  fixed: Set<number>;
  /** Outputs of same-scale ops that keep their own range (`requantizedOutputs`). */
  ownOutput: Set<number>;
}

/** Integer tensors and their float twins, made by the rewrite (for the I/O types). */
interface Twins {
  /** float tensor → the integer tensor a QUANTIZE op makes of it */
  intOf: Map<number, number>;
  /** integer tensor → the float tensor a DEQUANTIZE op makes of it */
  floatTwin: Map<number, number>;
}

/**
 * Quantize `model` (a copy of the float model; mutated) with the calibrated ranges in
 * `calibration`. Returns the model, pruned and ready for `finalizeModel`.
 */
export function integerPass(
  model: Model,
  calibration: ActivationRanges,
  options: IntegerPassOptions = {},
): Model {
  const int16 = (options.activations ?? "int8") === "int16";
  const sg = model.subgraphs[0];
  const pass: Pass = {
    model,
    sg,
    calibration,
    options,
    int16,
    actType: int16 ? "int16" : "int8",
    qparamsOptions: {
      ...(int16 ? { dtype: "int16" as const } : {}),
      scalePrecision: options.scalePrecision ?? "float32",
    },
    originalOps: [...sg.operators],
  };
  const quantized = selectQuantizedOps(pass);
  unshareConstants(pass, quantized);
  const activations = chooseActivationParams(pass, quantized);
  const twins = rewriteOps(pass, quantized, activations);
  requantizeOutputs(model, quantized, activations.ownOutput, pass.actType);
  insertRequantize(model, quantized, pass.actType);
  setIOTypes(model, options, pass.actType, twins.intOf, twins.floatTwin);
  pruneTensors(model, sg);
  pruneBuffers(model);
  return model;
}

/** Step 1: the ops to quantize — a rule in OP_RULES, float I/O, not denylisted. */
function selectQuantizedOps(pass: Pass): Set<Operator> {
  const { model, sg, options } = pass;
  const quantized = new Set<Operator>();
  const refused: string[] = [];
  for (const [k, op] of pass.originalOps.entries()) {
    const floatIO = [...op.inputs, ...op.outputs].some(
      (i) => i >= 0 && sg.tensors[i].type === "float32",
    );
    if (!floatIO) continue;
    const denied = options.isDenylisted?.(op) === true;
    const rule = opRule(opCode(model, op));
    if (rule !== null && !(rule.int8Only === true && pass.int16) && !denied) {
      quantized.add(op);
      continue;
    }
    const out = sg.tensors[op.outputs[0]]?.name ?? "?";
    refused.push(
      `${opLabel(model, op)} (op ${k}, output '${out}')${denied ? " [denylisted]" : ""}`,
    );
  }
  if (options.integerOnly === true && refused.length > 0) {
    throw new UnsupportedError(
      `integer-only quantization: ${refused.length} op(s) cannot be quantized to ${pass.actType}: ${refused.join("; ")}. ` +
        `Allow float fallback (supportedOps ["TFLITE_BUILTINS"]) or change the model`,
    );
  }
  return quantized;
}

/**
 * Step 1b: a float constant read by several ops (TF's exporter stores equal constants once, e.g.
 * the zero biases of untrained layers) is quantized in place, so every quantized op that needs
 * its own parameters for it — a weight or a bias, whose scale depends on the op — and every use
 * by a quantized op of a constant that a float op also reads, gets its own copy first, as TF's
 * files have one bias tensor per op. Otherwise the second op would read a bias at the first op's
 * scale (measured: output SQNR 0.4 dB instead of 38 dB on a ResNet whose convolutions share one
 * non-zero bias), or a float op would read int8 codes.
 */
function unshareConstants(pass: Pass, quantized: Set<Operator>): void {
  const { model, sg } = pass;
  const readBy = new Map<number, number>();
  const readByFloatOp = new Set<number>();
  for (const op of pass.originalOps) {
    for (const i of op.inputs) {
      if (i < 0) continue;
      readBy.set(i, (readBy.get(i) ?? 0) + 1);
      if (!quantized.has(op)) readByFloatOp.add(i);
    }
  }
  const claimed = new Set<number>();
  for (const op of pass.originalOps) {
    if (!quantized.has(op)) continue;
    const axis = opRule(opCode(model, op))?.weightAxis ?? null;
    op.inputs.forEach((i, slot) => {
      if (i < 0 || (readBy.get(i) ?? 0) < 2) return;
      const t = sg.tensors[i];
      if (t.type !== "float32" || !isConstant(model, t)) return;
      const opSpecific = axis !== null && (slot === 1 || slot === 2);
      if (!opSpecific && !readByFloatOp.has(i)) return;
      if (!claimed.has(i) && !readByFloatOp.has(i)) {
        claimed.add(i);
        return;
      }
      op.inputs[slot] = addTensor(model, sg, {
        name: t.name,
        type: t.type,
        shape: t.shape,
        quantization: structuredClone(t.quantization),
        data: bytesOf(float32Data(model, t).slice()),
        like: t,
      });
    });
  }
}

/** A float32 tensor that is not a constant. */
function isActivation(pass: Pass, i: number): boolean {
  const t = pass.sg.tensors[i];
  return i >= 0 && t !== undefined && t.type === "float32" && !isConstant(pass.model, t);
}

/**
 * Step 2: parameters of every activation a quantized op reads or writes — fixed outputs from
 * the op's rule, the rest from the calibrated range (`chooseQuantParams`, TF's rules) — then
 * shared over same-scale groups. The only place a file's activation scales are decided.
 */
function chooseActivationParams(pass: Pass, quantized: Set<Operator>): ActivationParams {
  const { model, sg, calibration, qparamsOptions, int16, options } = pass;
  const params = new Map<number, QuantParams>();
  const fixed = new Set<number>();
  const rangeOf = (i: number): QuantParams => {
    const t = sg.tensors[i];
    const c = calibration.get(t.name);
    if (c === undefined) {
      throw new UsageError(
        `quantize: tensor '${t.name}' has no range: neither calibrated (the representative dataset never reached it) nor given in activationRanges`,
      );
    }
    return chooseQuantParams(c.range.min, c.range.max, {
      ...qparamsOptions,
      scalePrecision: c.scalePrecision ?? qparamsOptions.scalePrecision,
    });
  };
  for (const op of pass.originalOps) {
    if (!quantized.has(op)) continue;
    for (const i of op.inputs) {
      if (isActivation(pass, i) && !params.has(i)) params.set(i, rangeOf(i));
    }
    const rule = opRule(opCode(model, op))?.fixedOutput;
    const f = rule === undefined ? null : int16 ? rule.int16 : rule.int8;
    for (const o of op.outputs) {
      if (!isActivation(pass, o)) continue;
      if (f !== null) {
        params.set(o, { ...f, format: chooseQuantParams(0, 1, qparamsOptions).format });
        fixed.add(o);
      } else params.set(o, rangeOf(o));
    }
  }
  // Same-scale ops whose output keeps its own range: the output joins no scale group.
  const ownOutput = new Set<number>();
  for (const op of pass.originalOps) {
    const o = op.outputs[0];
    if (quantized.has(op) && isSameScale(opCode(model, op)) && o !== undefined) {
      if (options.requantizedOutputs?.has(sg.tensors[o]?.name ?? "") === true) ownOutput.add(o);
    }
  }
  shareScales(model, pass.originalOps, quantized, params, fixed, int16, ownOutput);
  return { params, fixed, ownOutput };
}

/**
 * Steps 3 and 4, in op order: retype each quantized op's activations in place and quantize its
 * constants (weights, biases, other operands); QUANTIZE ops turn float tensors (graph inputs,
 * outputs of float ops) into integer ones where a quantized op reads them, DEQUANTIZE ops turn
 * integer tensors back where a float op or the graph output reads them.
 *
 * NOTE: one walk in op order, because tensors and buffers are appended as it goes and their
 * order is the file's (TF's order).
 */
function rewriteOps(pass: Pass, quantized: Set<Operator>, activations: ActivationParams): Twins {
  const { model, sg, int16, actType } = pass;
  const { params } = activations;
  const twins: Twins = { intOf: new Map(), floatTwin: new Map() };
  const producedByQuantized = new Set<number>();
  for (const op of pass.originalOps) {
    if (!quantized.has(op)) continue;
    for (const o of op.outputs) if (isActivation(pass, o)) producedByQuantized.add(o);
  }
  const floatActivations = new Set(
    sg.tensors.map((_, i) => i).filter((i) => isActivation(pass, i)),
  );
  const readers = (i: number): Operator[] => pass.originalOps.filter((op) => op.inputs.includes(i));
  const newOps: Operator[] = [];
  const convertAtEdges = (i: number): void => {
    // A quantized op's output read by a float op or the graph output: DEQUANTIZE it.
    const t = sg.tensors[i];
    const floatReaders = readers(i).filter((r) => !quantized.has(r));
    const isOutput = sg.outputs.includes(i);
    if (producedByQuantized.has(i) && (floatReaders.length > 0 || isOutput)) {
      const f = addTensor(model, sg, {
        name: `${t.name}_dequantized`,
        type: "float32",
        shape: t.shape,
        like: t,
      });
      // The float tensor keeps the original name (the graph's output name); the integer one is renamed.
      const originalName = t.name;
      sg.tensors[f].name = originalName;
      t.name = int16 ? `${originalName}_int16` : uniqueAmong(sg, originalName, f);
      for (const r of floatReaders) r.inputs = r.inputs.map((x) => (x === i ? f : x));
      sg.outputs = sg.outputs.map((x) => (x === i ? f : x));
      for (const s of model.signatureDefs ?? [])
        for (const m of s.outputs) if (m.tensorIndex === i) m.tensorIndex = f;
      twins.floatTwin.set(i, f);
      newOps.push(makeOp(model, B.DEQUANTIZE, [i], [f]));
    }
    // A float tensor read by a quantized op: QUANTIZE it.
    const quantReaders = readers(i).filter((r) => quantized.has(r));
    if (!producedByQuantized.has(i) && quantReaders.length > 0 && floatActivations.has(i)) {
      const p = params.get(i);
      if (p === undefined) return;
      // TF's names: "tfl.quantize" (MLIR quantizer, int8), "<input>_int16" (legacy, 16x8).
      const name = sg.inputs.includes(i)
        ? int16
          ? `${t.name}_int16`
          : "tfl.quantize"
        : `${t.name}_quantized`;
      const q = addTensor(model, sg, {
        name,
        type: actType,
        shape: t.shape,
        quantization: withRange(pass, activations, perTensor(p), i),
        like: t,
      });
      for (const r of quantReaders) r.inputs = r.inputs.map((x) => (x === i ? q : x));
      twins.intOf.set(i, q);
      newOps.push(makeOp(model, B.QUANTIZE, [i], [q]));
    }
  };
  for (const i of sg.inputs) convertAtEdges(i);
  for (const op of pass.originalOps) {
    if (quantized.has(op)) {
      retypeOutputs(pass, activations, op);
      quantizeConstants(pass, activations, twins, op);
    }
    newOps.push(op);
    for (const o of op.outputs) if (floatActivations.has(o)) convertAtEdges(o);
  }
  sg.operators = newOps;
  return twins;
}

/** Step 3 for one op: its float activations become integer tensors with their parameters. */
function retypeOutputs(pass: Pass, activations: ActivationParams, op: Operator): void {
  for (const o of op.outputs) {
    const p = activations.params.get(o);
    if (p === undefined) continue;
    pass.sg.tensors[o].type = pass.actType;
    pass.sg.tensors[o].quantization = withRange(pass, activations, perTensor(p), o);
  }
}

/**
 * Step 4 for one op: weights per channel along the rule's `weightAxis` (or per tensor), the bias
 * at input scale · weight scale, any other float constant at its own range.
 */
function quantizeConstants(
  pass: Pass,
  activations: ActivationParams,
  twins: Twins,
  op: Operator,
): void {
  const { model, sg, int16, actType, qparamsOptions, options } = pass;
  const perChannel = options.perChannel ?? true;
  const perTensorWeights = options.perTensorWeights ?? new Set<string>();
  const channelwise = (weight: Tensor): boolean => perChannel && !perTensorWeights.has(weight.name);
  const code = opCode(model, op);
  const axis = opRule(code)?.weightAxis ?? null;
  const inScale = (): number => {
    const p = activations.params.get(originalInput(twins, op, 0));
    if (p === undefined) throw new UsageError(`quantize: ${opLabel(model, op)} has no input range`);
    return p.scale;
  };
  const setConstant = (
    t: Tensor,
    type: Tensor["type"],
    values: ArrayBufferView,
    q: Quantization,
  ): void => {
    t.type = type;
    t.buffer = addBuffer(model, bytesOf(values));
    t.quantization = q;
  };
  op.inputs.forEach((i, slot) => {
    if (i < 0) return;
    const t = sg.tensors[i];
    if (t.type !== "float32" || !isConstant(model, t)) return;
    if (axis !== null && slot === 1) {
      const x = float32Data(model, t);
      const perAxis = channelwise(t);
      const { values, quantization: q } = quantizeWeightTensor(x, t.shape, perAxis ? axis : null);
      if (int16) {
        // TF's legacy quantizer (16x8) also records each channel's float min/max.
        const r = minMaxPerAxis(x, perAxis ? t.shape : [x.length], perAxis ? axis : 0);
        q.min = Array.from(r.min, Math.fround);
        q.max = Array.from(r.max, Math.fround);
      }
      setConstant(t, "int8", values, q);
      return;
    }
    if (axis !== null && slot === 2) {
      const weightTensor = sg.tensors[op.inputs[1]];
      const weight = weightTensor.quantization?.scale ?? [1];
      const wScale = channelwise(weightTensor) ? weight : weight[0];
      const bias = float32Data(model, t);
      if (int16) {
        const b = quantizeBias64(bias, inScale(), wScale);
        const scales = typeof b.scale === "number" ? [b.scale] : b.scale;
        setConstant(t, "int64", b.values, {
          min: null,
          max: null,
          scale: scales,
          zeroPoint: scales.map(() => 0),
          quantizedDimension: 0,
        });
      } else {
        const b = quantizeBias(bias, inScale(), wScale);
        setConstant(t, "int32", b.values, toQuantization(b.params));
      }
      return;
    }
    // Any other float constant (an ADD or MUL operand): an activation-like tensor of its own range.
    const data = float32Data(model, t);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of data) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const p = chooseQuantParams(data.length ? lo : 0, data.length ? hi : 0, qparamsOptions);
    setConstant(t, actType, quantize(data, p), perTensor(p));
  });
  const o = op.builtinOptions;
  if (int16 && (o?.type === "Conv2DOptions" || o?.type === "FullyConnectedOptions")) {
    op.builtinOptions = { ...o, quantizedBiasType: 4 }; // TensorType INT64
  }
  if (int16 && o?.type === "AddOptions") op.builtinOptions = { ...o, potScaleInt16: false };
}

/** In 16x8 mode TF's legacy quantizer keeps the calibrated range (widened to 0) on activations. */
function withRange(
  pass: Pass,
  activations: ActivationParams,
  q: Quantization,
  index: number,
): Quantization {
  if (!pass.int16 || activations.fixed.has(index)) return q;
  const c = pass.calibration.get(pass.sg.tensors[index].name);
  if (c === undefined) return q;
  return {
    ...q,
    min: [Math.fround(Math.min(c.range.min, 0))],
    max: [Math.fround(Math.max(c.range.max, 0))],
  };
}

/** The float tensor behind input `slot` of `op` (its QUANTIZE op's input, if it reads one). */
function originalInput(twins: Twins, op: Operator, slot: number): number {
  const i = op.inputs[slot];
  for (const [f, q] of twins.intOf) if (q === i) return f;
  return i;
}

function uniqueAmong(sg: Model["subgraphs"][number], name: string, except: number): string {
  const names = new Set(sg.tensors.filter((_, i) => i !== except).map((t) => t.name));
  for (let k = 1; ; k++) if (!names.has(`${name}${k}`)) return `${name}${k}`;
}

/**
 * Same-scale groups: the activation inputs and output of each same-scale op are unioned. In
 * int8 (TF's MLIR quantizer) a group takes the parameters of its member with the largest scale,
 * or of a fixed-range member whose range holds every other member's; in 16x8 (TF's legacy quantizer) the output of
 * a single-input op follows its input and a concatenation keeps its own output range.
 */
function shareScales(
  model: Model,
  ops: Operator[],
  quantized: Set<Operator>,
  params: Map<number, QuantParams>,
  fixed: Set<number>,
  int16: boolean,
  ownOutput: ReadonlySet<number>,
): void {
  if (int16) {
    for (const op of ops) {
      const code = opCode(model, op);
      if (!quantized.has(op) || !isSameScale(code) || code === B.CONCATENATION) continue;
      const p = params.get(op.inputs[0]);
      const o = op.outputs[0];
      if (p !== undefined && params.has(o) && !fixed.has(o) && !ownOutput.has(o)) params.set(o, p);
    }
    return;
  }
  const parent = new Map<number, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r) ?? r;
    parent.set(x, r);
    return r;
  };
  const union = (a: number, b: number): void => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  for (const op of ops) {
    if (!quantized.has(op) || !isSameScale(opCode(model, op))) continue;
    const members = [...op.inputs, ...op.outputs].filter((i) => params.has(i) && !ownOutput.has(i));
    for (const m of members.slice(1)) union(members[0], m);
  }
  const groups = new Map<number, number[]>();
  for (const i of params.keys()) {
    if (!parent.has(i)) continue;
    const r = find(i);
    groups.set(r, [...(groups.get(r) ?? []), i]);
  }
  for (const members of groups.values()) {
    const free = members.filter((m) => !fixed.has(m));
    let largest: QuantParams | undefined;
    for (const m of free) {
      const p = params.get(m);
      if (p !== undefined && (largest === undefined || p.scale > largest.scale)) largest = p;
    }
    // A fixed-range member (e.g. SOFTMAX → RESHAPE) gives the group its parameters when every
    // other member's range fits in them; otherwise the group keeps its own (largest) scale and
    // the fixed member is requantized, rather than clipping the others to [0, 1] or [−1, 1].
    const fixedMember = members.find((m) => fixed.has(m));
    const fixedParams = fixedMember === undefined ? undefined : params.get(fixedMember);
    const fits =
      fixedParams !== undefined &&
      free.every((m) => {
        const p = params.get(m);
        if (p === undefined) return true;
        const r = representableRange(p);
        const f = representableRange(fixedParams);
        return r.min >= f.min - fixedParams.scale && r.max <= f.max + fixedParams.scale;
      });
    const best = fits ? fixedParams : largest;
    if (best === undefined) continue;
    for (const m of free) params.set(m, best);
  }
}

/**
 * A same-scale op whose output keeps its own range writes a new tensor with its input's
 * parameters; a QUANTIZE op right after it requantizes that into the original output tensor,
 * which its readers keep reading.
 */
function requantizeOutputs(
  model: Model,
  quantized: Set<Operator>,
  ownOutput: ReadonlySet<number>,
  actType: "int8" | "int16",
): void {
  if (ownOutput.size === 0) return;
  const sg = model.subgraphs[0];
  const out: Operator[] = [];
  for (const op of sg.operators) {
    out.push(op);
    const o = op.outputs[0];
    const from = sg.tensors[op.inputs[0] ?? -1];
    if (!quantized.has(op) || o === undefined || !ownOutput.has(o) || from === undefined) continue;
    const t = sg.tensors[o];
    if (t.type !== actType || sameParams(from.quantization, t.quantization)) continue;
    const raw = addTensor(model, sg, {
      name: `${t.name}_at_input_scale`,
      type: actType,
      shape: t.shape,
      quantization: from.quantization === null ? null : structuredClone(from.quantization),
      like: t,
    });
    op.outputs = [raw, ...op.outputs.slice(1)];
    out.push(makeOp(model, B.QUANTIZE, [raw], [o]));
  }
  sg.operators = out;
}

/** Where a same-scale op reads a tensor with other parameters than its output, requantize it. */
function insertRequantize(model: Model, quantized: Set<Operator>, actType: "int8" | "int16"): void {
  const sg = model.subgraphs[0];
  const out: Operator[] = [];
  for (const op of sg.operators) {
    if (quantized.has(op) && isSameScale(opCode(model, op))) {
      const target = sg.tensors[op.outputs[0]];
      op.inputs = op.inputs.map((i) => {
        if (i < 0) return i;
        const t = sg.tensors[i];
        if (
          t.type !== actType ||
          isConstant(model, t) ||
          sameParams(t.quantization, target.quantization)
        )
          return i;
        const r = addTensor(model, sg, {
          name: `${t.name}_requantized`,
          type: actType,
          shape: t.shape,
          quantization: target.quantization === null ? null : structuredClone(target.quantization),
          like: t,
        });
        out.push(makeOp(model, B.QUANTIZE, [i], [r]));
        return r;
      });
    }
    out.push(op);
  }
  sg.operators = out;
}

/** Graph input/output types: drop or adapt the edge QUANTIZE/DEQUANTIZE ops (docs/quantization.md, "Full integer"). */
function setIOTypes(
  model: Model,
  options: IntegerPassOptions,
  actType: "int8" | "int16",
  intOf: Map<number, number>,
  floatTwin: Map<number, number>,
): void {
  const sg = model.subgraphs[0];
  const inType = options.inferenceInputType ?? "float32";
  const outType = options.inferenceOutputType ?? "float32";
  const allowed = actType === "int16" ? ["float32", "int16"] : ["float32", "int8", "uint8"];
  for (const [what, type] of [
    ["inferenceInputType", inType],
    ["inferenceOutputType", outType],
  ] as const) {
    if (!allowed.includes(type)) {
      throw new UsageError(
        `${what} ${type} is not allowed with ${actType} activations; expected one of ${allowed.join(", ")}`,
      );
    }
  }
  if (inType !== "float32") {
    sg.inputs = sg.inputs.map((input) => {
      const t = sg.tensors[input];
      const q = intOf.get(input);
      const quantizeOp = sg.operators.find((op) => op.outputs[0] === q && op.inputs[0] === input);
      const floatReaders = sg.operators.filter(
        (op) => op !== quantizeOp && op.inputs.includes(input),
      );
      if (q === undefined || quantizeOp === undefined || floatReaders.length > 0) {
        throw new UsageError(
          `inferenceInputType ${inType}: graph input '${t.name}' is read by an op left in float; integer inputs need every reader quantized`,
        );
      }
      const qt = sg.tensors[q];
      const scale = qt.quantization?.scale?.[0] ?? 1;
      const zeroPoint = qt.quantization?.zeroPoint?.[0] ?? 0;
      if (inType === "uint8") {
        // uint8 input, same scale, zero point + 128: the QUANTIZE op becomes a uint8 → int8 requantize.
        t.type = "uint8";
        t.quantization = {
          min: null,
          max: null,
          scale: [scale],
          zeroPoint: [zeroPoint + 128],
          quantizedDimension: 0,
        };
        return input;
      }
      // int8/int16 input: the QUANTIZE op goes; its output becomes the graph input, with the input's name.
      sg.operators = sg.operators.filter((op) => op !== quantizeOp);
      qt.name = t.name;
      t.name = `${t.name}_float`;
      for (const s of model.signatureDefs ?? [])
        for (const m of s.inputs) if (m.tensorIndex === input) m.tensorIndex = q;
      return q;
    });
  }
  if (outType !== "float32") {
    sg.outputs = sg.outputs.map((output) => {
      const dq = sg.operators.find(
        (op) => op.outputs[0] === output && opCode(model, op) === B.DEQUANTIZE,
      );
      const intTensor = dq?.inputs[0];
      if (dq === undefined || intTensor === undefined || floatTwin.get(intTensor) !== output) {
        throw new UsageError(
          `inferenceOutputType ${outType}: graph output '${sg.tensors[output].name}' is produced by an op left in float`,
        );
      }
      const it = sg.tensors[intTensor];
      const ot = sg.tensors[output];
      const otherReaders = sg.operators.some((op) => op !== dq && op.inputs.includes(output));
      if (outType === "uint8" || otherReaders) {
        if (outType !== "uint8")
          throw new UsageError(
            `inferenceOutputType ${outType}: output '${ot.name}' is also read inside the graph`,
          );
        dq.opcodeIndex = makeOp(model, B.QUANTIZE, [], []).opcodeIndex;
        ot.type = "uint8";
        const q = it.quantization;
        ot.quantization = {
          min: null,
          max: null,
          scale: [q?.scale?.[0] ?? 1],
          zeroPoint: [(q?.zeroPoint?.[0] ?? 0) + 128],
          quantizedDimension: 0,
        };
        return output;
      }
      sg.operators = sg.operators.filter((op) => op !== dq);
      const name = ot.name;
      ot.name = `${name}_float`;
      it.name = name;
      for (const s of model.signatureDefs ?? [])
        for (const m of s.outputs) if (m.tensorIndex === output) m.tensorIndex = intTensor;
      return intTensor;
    });
  }
}
