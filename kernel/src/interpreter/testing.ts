/**
 * Test-only helpers: build small IR models by hand (one op, or a short chain) and run them.
 * Not exported from the package.
 */
import type {
  BuiltinOpName,
  BuiltinOptions,
  DType,
  Model,
  NDArray,
  Tensor,
  TypedArray,
} from "../ir";
import { BuiltinOperator } from "../ir";
import { Interpreter } from "./interpreter";

/** A tensor of a hand-built model. `data` makes it a constant. */
export interface TensorSpec {
  dtype: DType;
  shape: number[];
  data?: TypedArray;
  /** Per-tensor [scale, zeroPoint], or per-axis { scales, zeroPoints, axis }. */
  quant?: [number, number] | { scales: number[]; zeroPoints: number[]; axis: number };
  name?: string;
  /** A variable tensor (`is_variable`), e.g. an LSTM state. */
  variable?: boolean;
}

export interface OpSpec {
  op: BuiltinOpName;
  /** Tensor indices into the model's tensor list; −1 for an absent optional input. */
  inputs: number[];
  outputs: number[];
  options?: BuiltinOptions | null;
}

/** A one-subgraph model from tensor and op specs; inputs are the non-constant, unproduced tensors. */
export function buildModel(
  tensors: TensorSpec[],
  ops: OpSpec[],
  io?: { inputs?: number[]; outputs?: number[] },
): Model {
  const buffers: Model["buffers"] = [{ data: null }];
  const irTensors: Tensor[] = tensors.map((t, i) => {
    let buffer = 0;
    if (t.data !== undefined) {
      buffers.push({
        data: new Uint8Array(
          t.data.buffer.slice(t.data.byteOffset, t.data.byteOffset + t.data.byteLength),
        ),
      });
      buffer = buffers.length - 1;
    }
    const q = t.quant;
    return {
      name: t.name ?? `t${i}`,
      type: t.dtype,
      shape: t.shape,
      shapeSignature: null,
      buffer,
      quantization:
        q === undefined
          ? null
          : Array.isArray(q)
            ? { min: null, max: null, scale: [q[0]], zeroPoint: [q[1]], quantizedDimension: 0 }
            : {
                min: null,
                max: null,
                scale: q.scales,
                zeroPoint: q.zeroPoints,
                quantizedDimension: q.axis,
              },
      isVariable: t.variable ?? false,
      hasRank: true,
    };
  });
  const codes = [...new Set(ops.map((o) => o.op))];
  const produced = new Set(ops.flatMap((o) => o.outputs));
  const inputs =
    io?.inputs ?? tensors.flatMap((t, i) => (t.data === undefined && !produced.has(i) ? [i] : []));
  const last = ops[ops.length - 1];
  const outputs = io?.outputs ?? (last === undefined ? [] : last.outputs);
  return {
    version: 3,
    operatorCodes: codes.map((c) => ({
      builtinCode: BuiltinOperator[c],
      customCode: null,
      version: 1,
    })),
    subgraphs: [
      {
        tensors: irTensors,
        inputs,
        outputs,
        operators: ops.map((o) => ({
          opcodeIndex: codes.indexOf(o.op),
          inputs: o.inputs,
          outputs: o.outputs,
          builtinOptions: o.options ?? null,
          customOptions: null,
          intermediates: null,
        })),
        name: null,
      },
    ],
    description: null,
    buffers,
    metadata: null,
    signatureDefs: null,
  };
}

/** An op operand: a constant (`data`), or a model input fed `feed` before `invoke()`. */
export type OperandSpec = TensorSpec & { feed?: TypedArray };

/** Run a one-op model built from its operands and output spec; returns the output tensor. */
export function runOp(
  op: BuiltinOpName,
  options: BuiltinOptions | null,
  inputs: (OperandSpec | null)[],
  output: TensorSpec,
): NDArray {
  const tensors: TensorSpec[] = [];
  const feeds = new Map<number, TypedArray>();
  const inputIndices = inputs.map((t) => {
    if (t === null) return -1;
    const { feed, ...spec } = t;
    tensors.push(spec);
    if (feed !== undefined) feeds.set(tensors.length - 1, feed);
    return tensors.length - 1;
  });
  tensors.push(output);
  const model = buildModel(tensors, [
    { op, inputs: inputIndices, outputs: [tensors.length - 1], options },
  ]);
  const it = new Interpreter({ model });
  it.allocateTensors();
  for (const [index, feed] of feeds) it.setTensor(index, feed);
  it.invoke();
  return it.getTensor(tensors.length - 1);
}

/** One subgraph of a hand-built multi-subgraph model (WHILE/IF tests). */
export interface SubgraphSpec {
  tensors: TensorSpec[];
  ops: OpSpec[];
  inputs: number[];
  outputs: number[];
}

/** A model of several subgraphs (subgraph 0 first), buffers and op codes shared. */
export function buildSubgraphModel(graphs: SubgraphSpec[]): Model {
  const buffers: Model["buffers"] = [{ data: null }];
  const operatorCodes: Model["operatorCodes"] = [];
  const subgraphs = graphs.map((g) => {
    const m = buildModel(g.tensors, g.ops, { inputs: g.inputs, outputs: g.outputs });
    const sg = m.subgraphs[0];
    if (sg === undefined) throw new Error("buildModel made no subgraph");
    const bufferBase = buffers.length - 1;
    buffers.push(...m.buffers.slice(1));
    const codeIndex = m.operatorCodes.map((c) => {
      const found = operatorCodes.findIndex((o) => o.builtinCode === c.builtinCode);
      if (found >= 0) return found;
      operatorCodes.push(c);
      return operatorCodes.length - 1;
    });
    return {
      ...sg,
      tensors: sg.tensors.map((t) => ({
        ...t,
        buffer: t.buffer === 0 ? 0 : t.buffer + bufferBase,
      })),
      operators: sg.operators.map((op) => ({
        ...op,
        opcodeIndex: codeIndex[op.opcodeIndex] ?? -1,
      })),
    };
  });
  return {
    version: 3,
    operatorCodes,
    subgraphs,
    description: null,
    buffers,
    metadata: null,
    signatureDefs: null,
  };
}
