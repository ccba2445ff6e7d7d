/**
 * `readModel`: .tflite bytes → IR.
 *
 * Three steps, so that no malformed file reaches code that trusts it:
 * 1. `verifyModelBuffer` proves every table, vector and string the reader touches lies inside
 *    the bytes (flatbuffers-js itself checks nothing);
 * 2. the generated bindings are read into plain IR objects, keeping "absent" (`null`) apart from
 *    "empty" so that writing the IR back reproduces the file;
 * 3. `validateModel` checks indices, data sizes, quantization and the graph order.
 * Fields that change a model's meaning but that tsquant cannot carry (sparsity, variant
 * tensors, external buffers, …) are refused with `UnsupportedError` rather than dropped.
 */
import * as flatbuffers from "flatbuffers";
import { ModelFormatError, TsquantError, UnsupportedError } from "../errors";
import { TENSOR_TYPES, opName } from "../ir";
import type {
  Buffer,
  Metadata,
  Model,
  Operator,
  OperatorCode,
  Quantization,
  QuantizationDetails,
  SignatureDef,
  SubGraph,
  Tensor,
  TensorMap,
} from "../ir";
import { Model as FbModel } from "./generated/tflite/model";
import type { Operator as FbOperator } from "./generated/tflite/operator";
import type { QuantizationParameters as FbQuantization } from "./generated/tflite/quantization-parameters";
import type { SubGraph as FbSubGraph } from "./generated/tflite/sub-graph";
import type { Tensor as FbTensor } from "./generated/tflite/tensor";
import type { TensorMap as FbTensorMap } from "./generated/tflite/tensor-map";
import { readOptions, readOptions2 } from "./options";
import { readSparsity, readVariantTensors } from "./sparsity";
import { validateModel } from "./validate";
import { verifyModelBuffer } from "./verify";
import { sourceLayout } from "./layout";

export interface ReadOptions {
  /** Name used in error messages (a path, usually). */
  file?: string;
}

/**
 * Parses a .tflite FlatBuffer into the IR. Throws `ModelFormatError` for anything malformed
 * (never another exception type) and `UnsupportedError` for format features tsquant refuses.
 */
export function readModel(bytes: Uint8Array, options: ReadOptions = {}): Model {
  const file = options.file ?? "model";
  if (!(bytes instanceof Uint8Array)) {
    throw new ModelFormatError(`${file}: expected the .tflite bytes as a Uint8Array`);
  }
  try {
    verifyModelBuffer(bytes, file);
    const [model, dataAlignment] = parse(bytes, file);
    validateModel(model, file);
    sourceLayout.set(model, { dataAlignment });
    return model;
  } catch (e) {
    if (e instanceof TsquantError) throw e;
    // Defence in depth: anything the verifier missed surfaces as a typed error.
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new ModelFormatError(`${file}: malformed .tflite file (${why})`, { cause: e });
  }
}

/** Reads an int vector element by element (no typed-array views: they need aligned offsets). */
function ints(length: number, get: (i: number) => number | null): number[] {
  const out: number[] = new Array<number>(length);
  for (let i = 0; i < length; i++) out[i] = get(i) ?? 0;
  return out;
}

/** Whether the field at `slot` is present in a table (generated code cannot tell for vectors). */
function has(table: { bb: flatbuffers.ByteBuffer | null; bb_pos: number }, slot: number): boolean {
  return table.bb !== null && table.bb.__offset(table.bb_pos, 4 + 2 * slot) !== 0;
}

/** Returns the model and the alignment its constant data had in the file (16 or 1). */
function parse(bytes: Uint8Array, file: string): [Model, 1 | 16] {
  const fb = FbModel.getRootAsModel(new flatbuffers.ByteBuffer(bytes));

  const operatorCodes: OperatorCode[] = [];
  for (let i = 0; i < fb.operatorCodesLength(); i++) {
    const c = fb.operatorCodes(i);
    if (c === null) throw new ModelFormatError(`${file}: operator code #${i} is missing`);
    // Readers take the larger of the two fields: old files only set the deprecated byte.
    const builtinCode = Math.max(c.builtinCode(), c.deprecatedBuiltinCode());
    operatorCodes.push({ builtinCode, customCode: c.customCode(), version: c.version() });
  }

  const buffers: Buffer[] = [];
  let aligned16 = true;
  for (let i = 0; i < fb.buffersLength(); i++) {
    const b = fb.buffers(i);
    if (b === null) throw new ModelFormatError(`${file}: buffer #${i} is missing`);
    // The runtime reads data from outside the FlatBuffer when offset > 1: `size` bytes at
    // `offset` from the start of the file (files over 2 GB). The IR holds them as `data`.
    const data =
      b.offset() > 1n
        ? outside(bytes, b.offset(), b.size(), `${file}: buffer #${i}`)
        : has(b, 0)
          ? (b.dataArray() ?? new Uint8Array(0)).slice()
          : null;
    if (data !== null && data.length > 0 && b.bb !== null && has(b, 0)) {
      aligned16 &&= b.bb.__vector(b.bb_pos + b.bb.__offset(b.bb_pos, 4)) % 16 === 0;
    }
    buffers.push({ data });
  }

  const subgraphs: SubGraph[] = [];
  for (let s = 0; s < fb.subgraphsLength(); s++) {
    const sg = fb.subgraphs(s);
    if (sg === null) throw new ModelFormatError(`${file}: subgraph #${s} is missing`);
    subgraphs.push(readSubGraph(sg, s, operatorCodes, file, bytes));
  }

  let metadata: Metadata[] | null = null;
  if (has(fb, 6)) {
    metadata = [];
    for (let i = 0; i < fb.metadataLength(); i++) {
      const m = fb.metadata(i);
      if (m === null) throw new ModelFormatError(`${file}: metadata #${i} is missing`);
      metadata.push({ name: m.name() ?? "", buffer: m.buffer() });
    }
  }

  let signatureDefs: SignatureDef[] | null = null;
  if (has(fb, 7)) {
    signatureDefs = [];
    for (let i = 0; i < fb.signatureDefsLength(); i++) {
      const d = fb.signatureDefs(i);
      if (d === null) throw new ModelFormatError(`${file}: signature def #${i} is missing`);
      const maps = (n: number, get: (j: number) => FbTensorMap | null): TensorMap[] => {
        const out: TensorMap[] = [];
        for (let j = 0; j < n; j++) {
          const m = get(j);
          if (m === null)
            throw new ModelFormatError(`${file}: signature def #${i} entry is missing`);
          out.push({ name: m.name() ?? "", tensorIndex: m.tensorIndex() });
        }
        return out;
      };
      signatureDefs.push({
        inputs: maps(d.inputsLength(), (j) => d.inputs(j)),
        outputs: maps(d.outputsLength(), (j) => d.outputs(j)),
        signatureKey: d.signatureKey() ?? "",
        subgraphIndex: d.subgraphIndex(),
      });
    }
  }

  if (fb.externalBuffersLength() > 0 || fb.externalBufferGroupsLength() > 0) {
    throw new UnsupportedError(
      `${file}: the model uses external buffers, which tsquant does not read`,
    );
  }

  const model: Model = {
    version: fb.version(),
    operatorCodes,
    subgraphs,
    description: fb.description(),
    buffers,
    metadata,
    signatureDefs,
  };
  if (has(fb, 5))
    model.metadataBuffer = ints(fb.metadataBufferLength(), (i) => fb.metadataBuffer(i));
  return [model, aligned16 ? 16 : 1];
}

function readSubGraph(
  sg: FbSubGraph,
  s: number,
  operatorCodes: readonly OperatorCode[],
  file: string,
  bytes: Uint8Array,
): SubGraph {
  const where = s === 0 ? file : `${file}: subgraph ${s}`;
  const tensors: Tensor[] = [];
  for (let i = 0; i < sg.tensorsLength(); i++) {
    const t = sg.tensors(i);
    if (t === null) throw new ModelFormatError(`${where}: tensor #${i} is missing`);
    tensors.push(readTensor(t, i, where));
  }
  const operators: Operator[] = [];
  for (let k = 0; k < sg.operatorsLength(); k++) {
    const op = sg.operators(k);
    if (op === null) throw new ModelFormatError(`${where}: operator #${k} is missing`);
    operators.push(readOperator(op, k, operatorCodes, where, bytes));
  }
  const subgraph: SubGraph = {
    tensors,
    inputs: ints(sg.inputsLength(), (i) => sg.inputs(i)),
    outputs: ints(sg.outputsLength(), (i) => sg.outputs(i)),
    operators,
    name: sg.name(),
  };
  if (sg.debugMetadataIndex() !== -1) subgraph.debugMetadataIndex = sg.debugMetadataIndex();
  return subgraph;
}

function readTensor(t: FbTensor, i: number, where: string): Tensor {
  const name = t.name() ?? "";
  const at = `${where}: tensor '${name}' (#${i})`;
  const type = TENSOR_TYPES[t.type()];
  if (type === undefined) {
    throw new ModelFormatError(
      `${at} has unknown type ${t.type()} (expected 0..${TENSOR_TYPES.length - 1})`,
    );
  }
  if (t.externalBuffer() !== 0) {
    throw new UnsupportedError(`${at} keeps its data in external buffer ${t.externalBuffer()}`);
  }
  const q = t.quantization();
  const tensor: Tensor = {
    name,
    type,
    shape: ints(t.shapeLength(), (j) => t.shape(j)),
    shapeSignature: has(t, 7) ? ints(t.shapeSignatureLength(), (j) => t.shapeSignature(j)) : null,
    buffer: t.buffer(),
    quantization: q === null ? null : readQuantization(q, at),
    isVariable: t.isVariable(),
    hasRank: t.hasRank(),
  };
  if (t.bb !== null) {
    const sparsity = readSparsity(t.bb, t.bb_pos, at);
    if (sparsity !== null) tensor.sparsity = sparsity;
    const variants = readVariantTensors(t.bb, t.bb_pos, at);
    if (variants !== null) tensor.variantTensors = variants;
  }
  return tensor;
}

function readQuantization(q: FbQuantization, at: string): Quantization {
  const floats = (slot: number, n: number, get: (j: number) => number | null): number[] | null =>
    has(q, slot) ? ints(n, get) : null;
  let zeroPoint: number[] | null = null;
  if (has(q, 3)) {
    zeroPoint = [];
    for (let j = 0; j < q.zeroPointLength(); j++) {
      const z = q.zeroPoint(j) ?? 0n;
      if (z > BigInt(Number.MAX_SAFE_INTEGER) || z < BigInt(Number.MIN_SAFE_INTEGER)) {
        throw new ModelFormatError(`${at} has zero point ${z}, outside the safe integer range`);
      }
      zeroPoint.push(Number(z));
    }
  }
  const quantization: Quantization = {
    min: floats(0, q.minLength(), (j) => q.min(j)),
    max: floats(1, q.maxLength(), (j) => q.max(j)),
    scale: floats(2, q.scaleLength(), (j) => q.scale(j)),
    zeroPoint,
    quantizedDimension: q.quantizedDimension(),
  };
  const details = readDetails(q, at);
  if (details !== null) quantization.details = details;
  return quantization;
}

/** `QuantizationParameters.details` (slot 5, type in slot 4), or `null` when NONE. */
function readDetails(q: FbQuantization, at: string): QuantizationDetails | null {
  const type = q.detailsType();
  if (type === 0) return null;
  const bb = q.bb;
  const off = bb === null ? 0 : bb.__offset(q.bb_pos, 14);
  if (bb === null || off === 0) {
    throw new ModelFormatError(`${at}: quantization details_type ${type} without a details table`);
  }
  const pos = q.bb_pos + off + bb.readInt32(q.bb_pos + off);
  const slot = (i: number): number => bb.__offset(pos, 4 + 2 * i);
  const int = (i: number, dflt: number): number =>
    slot(i) === 0 ? dflt : bb.readInt32(pos + slot(i));
  switch (type) {
    case 1: {
      const o = slot(0);
      const custom =
        o === 0
          ? null
          : bb.bytes().slice(bb.__vector(pos + o), bb.__vector(pos + o) + bb.__vector_len(pos + o));
      return { type: "CustomQuantization", custom };
    }
    case 2: {
      const o = slot(3);
      const blockShape =
        o === 0
          ? null
          : ints(bb.__vector_len(pos + o), (j) => bb.readInt32(bb.__vector(pos + o) + 4 * j));
      return {
        type: "BlockwiseQuantization",
        scales: int(0, 0),
        zeroPoints: int(1, 0),
        blockSize: int(2, 0),
        blockShape,
      };
    }
    default:
      throw new UnsupportedError(
        `${at} uses quantization details of union type ${type} (3 = MultiAxisQuantization); tsquant carries CustomQuantization (1) and BlockwiseQuantization (2)`,
      );
  }
}

/** `size` bytes at `offset` from the start of the file (data kept after the FlatBuffer). */
function outside(bytes: Uint8Array, offset: bigint, size: bigint, what: string): Uint8Array {
  const end = offset + size;
  if (end > BigInt(bytes.length)) {
    throw new ModelFormatError(
      `${what}: data outside the FlatBuffer at offset ${offset}, size ${size} ends past the end of the file (${bytes.length} bytes)`,
    );
  }
  return bytes.slice(Number(offset), Number(end));
}

function readOperator(
  op: FbOperator,
  k: number,
  operatorCodes: readonly OperatorCode[],
  where: string,
  bytes: Uint8Array,
): Operator {
  const code = operatorCodes[op.opcodeIndex()];
  const name =
    code === undefined ? `opcode #${op.opcodeIndex()}` : opLabel(code.builtinCode, code.customCode);
  const at = `${where}: operator #${k} (${name})`;
  // Custom options over 2 GB live after the FlatBuffer; the IR holds them as customOptions.
  const large =
    op.largeCustomOptionsSize() > 0n
      ? outside(
          bytes,
          op.largeCustomOptionsOffset(),
          op.largeCustomOptionsSize(),
          `${at} custom options`,
        )
      : null;
  const operator: Operator = {
    opcodeIndex: op.opcodeIndex(),
    inputs: ints(op.inputsLength(), (i) => op.inputs(i)),
    outputs: ints(op.outputsLength(), (i) => op.outputs(i)),
    builtinOptions: readOptions(op, at),
    customOptions:
      large ?? (has(op, 5) ? (op.customOptionsArray() ?? new Uint8Array(0)).slice() : null),
    intermediates: has(op, 8) ? ints(op.intermediatesLength(), (i) => op.intermediates(i)) : null,
  };
  const options2 = readOptions2(op, at);
  if (options2 !== null) operator.builtinOptions2 = options2;
  if (op.customOptionsFormat() !== 0) operator.customOptionsFormat = op.customOptionsFormat();
  if (has(op, 7)) {
    const n = op.mutatingVariableInputsLength();
    operator.mutatingVariableInputs = Array.from(
      { length: n },
      (_, i) => op.mutatingVariableInputs(i) ?? false,
    );
  }
  if (op.debugMetadataIndex() !== -1) operator.debugMetadataIndex = op.debugMetadataIndex();
  return operator;
}

function opLabel(builtinCode: number, customCode: string | null): string {
  return customCode !== null ? `CUSTOM ${JSON.stringify(customCode)}` : opName(builtinCode);
}
