/**
 * `ModelBuilder`: the float IR under construction, with the few graph queries the layer
 * converters and the rewrite passes need (producer of a tensor, number of uses, removing ops,
 * dropping orphaned tensors). Follows the layout TF's converter writes: buffer 0 is the empty
 * sentinel, every tensor owns a buffer (activations an empty one, without `data`), every tensor
 * (float or int32) carries an empty quantization table, `shapeSignature` only where a dimension is dynamic.
 */
import { BuiltinOperator, opName } from "../../ir";
import type {
  BuiltinOpName,
  BuiltinOptions,
  DType,
  Model,
  Operator,
  Quantization,
  SubGraph,
  Tensor,
} from "../../ir";

/** The batch dimension of every activation: its size in `shape`, and whether it is dynamic. */
export interface Batch {
  size: number;
  /** Dynamic: `shape[0] = size` (1) and `shapeSignature[0] = -1`, as TF writes a `None` batch. */
  dynamic: boolean;
}

function emptyQuantization(): Quantization {
  return { min: null, max: null, scale: null, zeroPoint: null, quantizedDimension: 0 };
}

function bytesOf(data: Float32Array | Int32Array): Uint8Array {
  // A copy: the builder owns its buffers (passes rewrite them in place).
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
}

export class ModelBuilder {
  readonly model: Model;
  readonly graph: SubGraph;

  constructor(
    readonly batch: Batch,
    description: string,
  ) {
    this.graph = { tensors: [], inputs: [], outputs: [], operators: [], name: "main" };
    this.model = {
      version: 3,
      operatorCodes: [],
      subgraphs: [this.graph],
      description,
      buffers: [{ data: null }],
      metadata: null,
      signatureDefs: null,
    };
  }

  private addTensor(
    name: string,
    type: DType,
    shape: number[],
    signature: number[] | null,
    data: Uint8Array | null,
  ): number {
    this.model.buffers.push({ data });
    const t: Tensor = {
      name,
      type,
      shape,
      shapeSignature: signature,
      buffer: this.model.buffers.length - 1,
      quantization: emptyQuantization(),
      isVariable: false,
      hasRank: true,
    };
    this.graph.tensors.push(t);
    return this.graph.tensors.length - 1;
  }

  /**
   * A float32 activation of batch-major `shape` (`shape[0]` is the batch, as in tfjs);
   * its batch becomes `batch.size`, and -1 in the signature when the batch is dynamic.
   */
  activation(name: string, shape: readonly number[]): number {
    const dims = [this.batch.size, ...shape.slice(1)];
    const signature = this.batch.dynamic ? [-1, ...shape.slice(1)] : null;
    return this.addTensor(name, "float32", dims, signature, null);
  }

  /** A constant with its own buffer holding a copy of `data`. */
  constant(name: string, shape: number[], data: Float32Array | Int32Array): number {
    const type: DType = data instanceof Float32Array ? "float32" : "int32";
    return this.addTensor(name, type, shape, null, bytesOf(data));
  }

  /** The int32 shape operand of a RESHAPE: the batch is -1 when dynamic (any batch fits). */
  reshapeTarget(name: string, shape: readonly number[]): number {
    const target = [this.batch.dynamic ? -1 : this.batch.size, ...shape.slice(1)];
    return this.constant(name, [target.length], Int32Array.from(target));
  }

  tensor(index: number): Tensor {
    const t = this.graph.tensors[index];
    if (t === undefined) throw new RangeError(`ModelBuilder: no tensor #${index}`);
    return t;
  }

  /** A float32 constant's values (a view on its buffer: writing to it edits the constant). */
  floatData(index: number): Float32Array {
    const t = this.tensor(index);
    const data = this.model.buffers[t.buffer]?.data ?? null;
    if (t.type !== "float32" || data === null) {
      throw new RangeError(`ModelBuilder: tensor '${t.name}' is not a float32 constant`);
    }
    return new Float32Array(data.buffer, data.byteOffset, data.byteLength / 4);
  }

  /** Appends an operator (reusing or creating its operator code). */
  op(
    code: BuiltinOpName,
    inputs: number[],
    outputs: number[],
    builtinOptions: BuiltinOptions | null = null,
  ): Operator {
    const builtinCode = BuiltinOperator[code];
    let opcodeIndex = this.model.operatorCodes.findIndex((c) => c.builtinCode === builtinCode);
    if (opcodeIndex < 0) {
      this.model.operatorCodes.push({ builtinCode, customCode: null, version: 1 });
      opcodeIndex = this.model.operatorCodes.length - 1;
    }
    const op: Operator = {
      opcodeIndex,
      inputs,
      outputs,
      builtinOptions,
      customOptions: null,
      intermediates: null,
    };
    this.graph.operators.push(op);
    return op;
  }

  /** The builtin name of an op's code (every op here is one the builder made). */
  opName(op: Operator): BuiltinOpName | undefined {
    const code = this.model.operatorCodes[op.opcodeIndex]?.builtinCode;
    const name = code === undefined ? undefined : opName(code);
    return name !== undefined && isBuiltinOpName(name) ? name : undefined;
  }

  /** The op that writes `tensor`, if any (graph inputs and constants have none). */
  producer(tensor: number): Operator | undefined {
    return this.graph.operators.find((op) => op.outputs.includes(tensor));
  }

  /** How many op inputs read `tensor`, plus one per appearance among the graph outputs. */
  uses(tensor: number): number {
    let n = this.graph.outputs.filter((o) => o === tensor).length;
    for (const op of this.graph.operators) n += op.inputs.filter((i) => i === tensor).length;
    return n;
  }

  removeOp(op: Operator): void {
    const i = this.graph.operators.indexOf(op);
    if (i >= 0) this.graph.operators.splice(i, 1);
  }

  /**
   * Drops every tensor no op or graph input/output refers to (with its buffer) and renumbers:
   * graph inputs first, then constants, then activations, each in creation order (the order
   * TF's converter writes); keeps only the operator codes still in use. Returns the old → new
   * tensor index map.
   */
  compact(): Map<number, number> {
    const used = new Set<number>([...this.graph.inputs, ...this.graph.outputs]);
    for (const op of this.graph.operators) {
      for (const i of [...op.inputs, ...op.outputs]) if (i >= 0) used.add(i);
    }
    const isConstant = (i: number) =>
      (this.model.buffers[this.tensor(i).buffer]?.data ?? null) !== null;
    const all = [...used].sort((a, b) => a - b);
    const order = [
      ...this.graph.inputs,
      ...all.filter((i) => !this.graph.inputs.includes(i) && isConstant(i)),
      ...all.filter((i) => !this.graph.inputs.includes(i) && !isConstant(i)),
    ];
    const remap = new Map<number, number>();
    const tensors: Tensor[] = [];
    const buffers: Model["buffers"] = [{ data: null }];
    for (const old of order) {
      if (remap.has(old)) continue;
      const t = this.tensor(old);
      buffers.push(this.model.buffers[t.buffer] ?? { data: null });
      tensors.push({ ...t, buffer: buffers.length - 1 });
      remap.set(old, tensors.length - 1);
    }
    const at = (i: number) => (i < 0 ? i : (remap.get(i) ?? i));
    this.graph.tensors.splice(0, this.graph.tensors.length, ...tensors);
    this.model.buffers.splice(0, this.model.buffers.length, ...buffers);
    this.graph.inputs = this.graph.inputs.map(at);
    this.graph.outputs = this.graph.outputs.map(at);
    // Operator codes in order of first use; codes of removed ops (a fused RELU) go.
    const codes: Model["operatorCodes"] = [];
    const codeRemap = new Map<number, number>();
    for (const op of this.graph.operators) {
      op.inputs = op.inputs.map(at);
      op.outputs = op.outputs.map(at);
      let code = codeRemap.get(op.opcodeIndex);
      if (code === undefined) {
        const c = this.model.operatorCodes[op.opcodeIndex];
        if (c === undefined)
          throw new RangeError(`ModelBuilder: no operator code #${op.opcodeIndex}`);
        codes.push(c);
        code = codes.length - 1;
        codeRemap.set(op.opcodeIndex, code);
      }
      op.opcodeIndex = code;
    }
    this.model.operatorCodes.splice(0, this.model.operatorCodes.length, ...codes);
    return remap;
  }
}

function isBuiltinOpName(name: string): name is BuiltinOpName {
  return Object.hasOwn(BuiltinOperator, name);
}
