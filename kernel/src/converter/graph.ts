/**
 * Small graph-editing helpers the quantization passes share: constant data in and out of
 * buffers, new tensors and ops, and who reads a tensor. Every pass works on subgraph 0 of a
 * copy of the float model (the IR is the .tflite graph: docs/quantization.md).
 */
import { ModelFormatError } from "../errors";
import {
  type BuiltinOptions,
  type DType,
  type Model,
  type Operator,
  type Quantization,
  type SubGraph,
  type Tensor,
  opName,
} from "../ir";

/** A deep copy (buffers included), so a pass never mutates the caller's model. */
export function cloneModel(model: Model): Model {
  return structuredClone(model);
}

/** Builtin code of an op. */
export function opCode(model: Model, op: Operator): number {
  const code = model.operatorCodes[op.opcodeIndex];
  if (code === undefined) {
    throw new ModelFormatError(`operator code index ${op.opcodeIndex} is out of range`);
  }
  return code.builtinCode;
}

/** Name of an op for messages: `CONV_2D` (custom ops by their custom code). */
export function opLabel(model: Model, op: Operator): string {
  const code = model.operatorCodes[op.opcodeIndex];
  return code?.customCode ?? opName(code?.builtinCode ?? -1);
}

/** Index of the OperatorCode for `builtinCode`, added (version 1) if the model has none. */
export function opcodeIndex(model: Model, builtinCode: number): number {
  const i = model.operatorCodes.findIndex(
    (c) => c.builtinCode === builtinCode && c.customCode === null,
  );
  if (i >= 0) return i;
  model.operatorCodes.push({ builtinCode, customCode: null, version: 1 });
  return model.operatorCodes.length - 1;
}

/** Append a buffer and return its index (`null` data: an activation's empty buffer, as TF writes). */
export function addBuffer(model: Model, data: Uint8Array | null): number {
  model.buffers.push({ data });
  return model.buffers.length - 1;
}

/** The bytes of a typed array, as a fresh Uint8Array (little-endian, as the format). */
export function bytesOf(values: ArrayBufferView): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
}

/** True if the tensor holds constant data (a non-sentinel buffer with data). */
export function isConstant(model: Model, t: Tensor): boolean {
  return t.buffer !== 0 && (model.buffers[t.buffer]?.data?.byteLength ?? 0) > 0;
}

/** A float32 constant's values. */
export function float32Data(model: Model, t: Tensor): Float32Array {
  const data = model.buffers[t.buffer]?.data;
  if (t.type !== "float32" || data === null || data === undefined) {
    throw new ModelFormatError(`tensor '${t.name}': expected a float32 constant, found ${t.type}`);
  }
  const copy = data.slice();
  return new Float32Array(copy.buffer, 0, copy.byteLength / 4);
}

/** An empty quantization table, as TF writes for float tensors. */
export function noQuantization(): Quantization {
  return { min: null, max: null, scale: null, zeroPoint: null, quantizedDimension: 0 };
}

/** Append a tensor (with its own empty buffer when no data is given) and return its index. */
export function addTensor(
  model: Model,
  sg: SubGraph,
  spec: {
    name: string;
    type: DType;
    shape: number[];
    quantization?: Quantization | null;
    data?: Uint8Array;
    like?: Tensor;
  },
): number {
  const buffer = addBuffer(model, spec.data ?? null);
  sg.tensors.push({
    name: uniqueName(sg, spec.name),
    type: spec.type,
    shape: [...spec.shape],
    shapeSignature: spec.like?.shapeSignature ? [...spec.like.shapeSignature] : null,
    buffer,
    quantization: spec.quantization ?? noQuantization(),
    isVariable: false,
    hasRank: spec.like?.hasRank ?? true,
  });
  return sg.tensors.length - 1;
}

/** `name`, or `name1`, `name2`, … — the MLIR exporter's way to keep tensor names unique. */
export function uniqueName(sg: SubGraph, name: string): string {
  const names = new Set(sg.tensors.map((t) => t.name));
  if (!names.has(name)) return name;
  for (let k = 1; ; k++) if (!names.has(`${name}${k}`)) return `${name}${k}`;
}

/** A new operator (no options unless given). */
export function makeOp(
  model: Model,
  builtinCode: number,
  inputs: number[],
  outputs: number[],
  builtinOptions: BuiltinOptions | null = null,
): Operator {
  return {
    opcodeIndex: opcodeIndex(model, builtinCode),
    inputs,
    outputs,
    builtinOptions,
    customOptions: null,
    intermediates: null,
  };
}

/** Replace every read of tensor `from` by `to` in `ops` (graph outputs are not touched). */
export function rewireInputs(ops: readonly Operator[], from: number, to: number): void {
  for (const op of ops) op.inputs = op.inputs.map((i) => (i === from ? to : i));
}

/** The ops of `sg` that read tensor `index`. */
export function consumersOf(sg: SubGraph, index: number): Operator[] {
  return sg.operators.filter((op) => op.inputs.includes(index));
}

/**
 * Drop buffers no tensor or metadata entry uses any more, renumbering the rest. Tensors whose
 * constant data is byte-for-byte equal share the first such buffer, as in TF's files (its
 * exporter stores equal constants once: no TF-made fixture has two equal buffers), e.g. the
 * zero biases of several convolutions, each tensor keeping its own quantization.
 */
export function pruneBuffers(model: Model): void {
  const first = new Map<string, number>();
  for (const sg of model.subgraphs) {
    for (const t of sg.tensors) {
      const data = model.buffers[t.buffer]?.data;
      if (t.buffer === 0 || data === null || data === undefined || data.length === 0) continue;
      const key = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("base64");
      const kept = first.get(key);
      if (kept === undefined) first.set(key, t.buffer);
      else t.buffer = kept;
    }
  }
  const used = new Set<number>([0]);
  for (const sg of model.subgraphs) for (const t of sg.tensors) used.add(t.buffer);
  for (const m of model.metadata ?? []) used.add(m.buffer);
  const map = new Map<number, number>();
  const kept = model.buffers.filter((_, i) => used.has(i));
  let k = 0;
  model.buffers.forEach((_, i) => {
    if (used.has(i)) map.set(i, k++);
  });
  const at = (i: number): number => map.get(i) ?? 0;
  for (const sg of model.subgraphs) for (const t of sg.tensors) t.buffer = at(t.buffer);
  for (const m of model.metadata ?? []) m.buffer = at(m.buffer);
  model.buffers = kept;
}

/** Drop tensors no op, graph input/output or signature refers to, renumbering the rest. */
export function pruneTensors(model: Model, sg: SubGraph): void {
  const used = new Set<number>([...sg.inputs, ...sg.outputs]);
  for (const op of sg.operators)
    for (const i of [...op.inputs, ...op.outputs]) if (i >= 0) used.add(i);
  const map = new Map<number, number>();
  let k = 0;
  sg.tensors.forEach((_, i) => {
    if (used.has(i)) map.set(i, k++);
  });
  const at = (i: number): number => (i < 0 ? i : (map.get(i) ?? -1));
  sg.tensors = sg.tensors.filter((_, i) => used.has(i));
  sg.inputs = sg.inputs.map(at);
  sg.outputs = sg.outputs.map(at);
  for (const op of sg.operators) {
    op.inputs = op.inputs.map(at);
    op.outputs = op.outputs.map(at);
  }
  const index = model.subgraphs.indexOf(sg);
  for (const s of model.signatureDefs ?? []) {
    if (s.subgraphIndex !== index) continue;
    for (const m of [...s.inputs, ...s.outputs]) m.tensorIndex = at(m.tensorIndex);
  }
}
