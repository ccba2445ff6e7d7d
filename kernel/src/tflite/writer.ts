/**
 * `writeModel`: IR → .tflite bytes.
 *
 * The bytes are laid out the way TensorFlow's converter leaves them. Its last step
 * (`flatbuffer_utils.convert_object_to_bytearray`, run by `TFLiteConverter.convert()` to add
 * CONVERSION_METADATA) packs the model with the Python object API, which builds every table's
 * children in schema field order, then the table with its fields added in schema order and
 * default-valued scalars skipped. flatbuffers-js given the same calls produces the same bytes
 * (same padding, vtable sharing and string layout), so this writer makes exactly those calls.
 *
 * Constant data: the schema asks for `force_align: 16`, which TF's C++ exporter honours but the
 * Python packing (numpy fast path) drops, so TF-converted files hold data aligned to 4 only.
 * The writer keeps the layout of the file a model was read from (so reading then writing a TF
 * file is byte-identical) and aligns to 16 for models built in memory; `dataAlignment`
 * overrides both.
 *
 * `writeModel` serializes the IR as it is. `finalizeModel` (versions.ts) is the separate step that
 * sets op versions and the `min_runtime_version` metadata, as TF's converter does before writing;
 * `{ finalize: true }` applies it to a copy on the way out.
 */
import * as flatbuffers from "flatbuffers";
import { ModelFormatError, TsquantError } from "../errors";
import { dtypeCode } from "../ir";
import type {
  Buffer,
  Model,
  Operator,
  OperatorCode,
  Quantization,
  QuantizationDetails,
  SignatureDef,
  SubGraph,
  Tensor,
} from "../ir";
import { Buffer as FbBuffer } from "./generated/tflite/buffer";
import { Metadata as FbMetadata } from "./generated/tflite/metadata";
import { Model as FbModel } from "./generated/tflite/model";
import { Operator as FbOperator } from "./generated/tflite/operator";
import { OperatorCode as FbOperatorCode } from "./generated/tflite/operator-code";
import { QuantizationParameters as FbQuantization } from "./generated/tflite/quantization-parameters";
import { SignatureDef as FbSignatureDef } from "./generated/tflite/signature-def";
import { SubGraph as FbSubGraph } from "./generated/tflite/sub-graph";
import { Tensor as FbTensor } from "./generated/tflite/tensor";
import { TensorMap as FbTensorMap } from "./generated/tflite/tensor-map";
import { writeOptions, writeOptions2 } from "./options";
import { writeSparsity, writeVariantTensors } from "./sparsity";
import { describeOp, validateModel } from "./validate";
import { sourceLayout } from "./layout";
import { finalizeModel } from "./versions";

/** Alignment of constant data vectors that TF's C++ exporter uses (`force_align: 16`). */
export const DATA_ALIGNMENT = 16;

/** The builtin code stored in the signed byte `deprecated_builtin_code`: min(code, 127). */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

export interface WriteOptions {
  /**
   * Alignment of `Buffer.data` vectors. Default: that of the file the model was read from
   * (16, or 1 = unaligned as TF's Python packing leaves them), else 16 as the schema asks.
   */
  dataAlignment?: 1 | 4 | 8 | 16;
  /**
   * Run `finalizeModel` (op versions, `min_runtime_version`) on a copy first, leaving `model`
   * untouched: the one call a converter needs. Default false: the IR is written as it is.
   */
  finalize?: boolean;
  /** Name used in error messages. */
  file?: string;
}

/**
 * Serializes a model. Throws `ModelFormatError` if the IR is inconsistent (same checks as the
 * reader) and `UnsupportedError` for an operator whose options table tsquant does not model.
 */
export function writeModel(model: Model, options: WriteOptions = {}): Uint8Array {
  const file = options.file ?? "model";
  const dataAlignment =
    options.dataAlignment ?? sourceLayout.get(model)?.dataAlignment ?? DATA_ALIGNMENT;
  try {
    const target = options.finalize === true ? finalizeModel(structuredClone(model)) : model;
    validateModel(target, file);
    return serialize(target, dataAlignment);
  } catch (e) {
    if (e instanceof TsquantError) throw e;
    const why = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    throw new ModelFormatError(`${file}: cannot write the model (${why})`, { cause: e });
  }
}

/**
 * Serializes without validating: for tests that need malformed files. May throw anything on
 * inconsistent IR.
 */
export function serializeUnchecked(model: Model, dataAlignment = DATA_ALIGNMENT): Uint8Array {
  return serialize(model, dataAlignment);
}

function serialize(model: Model, dataAlignment: number): Uint8Array {
  let dataBytes = 0;
  for (const b of model.buffers) dataBytes += b.data?.length ?? 0;
  const builder = new flatbuffers.Builder(Math.min(2 ** 30, dataBytes + 16 * 1024));
  const root = packModel(builder, model, dataAlignment);
  builder.finish(root, "TFL3");
  return builder.asUint8Array().slice();
}

function offsets<T>(items: readonly T[], pack: (item: T, index: number) => number): number[] {
  return items.map(pack);
}

function packModel(b: flatbuffers.Builder, model: Model, dataAlignment: number): number {
  const operatorCodes = FbModel.createOperatorCodesVector(
    b,
    offsets(model.operatorCodes, (c) => packOperatorCode(b, c)),
  );
  const subgraphs = FbModel.createSubgraphsVector(
    b,
    offsets(model.subgraphs, (sg, s) => packSubGraph(b, model, sg, s)),
  );
  const description = model.description === null ? 0 : b.createString(model.description);
  const buffers = FbModel.createBuffersVector(
    b,
    offsets(model.buffers, (buf) => packBuffer(b, buf, dataAlignment)),
  );
  const metadataBuffer =
    model.metadataBuffer === undefined
      ? 0
      : FbModel.createMetadataBufferVector(b, model.metadataBuffer);
  const metadata =
    model.metadata === null
      ? 0
      : FbModel.createMetadataVector(
          b,
          offsets(model.metadata, (m) => {
            const name = b.createString(m.name);
            return FbMetadata.createMetadata(b, name, m.buffer);
          }),
        );
  const signatureDefs =
    model.signatureDefs === null
      ? 0
      : FbModel.createSignatureDefsVector(
          b,
          offsets(model.signatureDefs, (d) => packSignatureDef(b, d)),
        );
  return FbModel.createModel(
    b,
    model.version,
    operatorCodes,
    subgraphs,
    description,
    buffers,
    metadataBuffer,
    metadata,
    signatureDefs,
    0, // external_buffer_groups
    0, // external_buffers
  );
}

function packOperatorCode(b: flatbuffers.Builder, c: OperatorCode): number {
  const customCode = c.customCode === null ? 0 : b.createString(c.customCode);
  const deprecated = Math.min(c.builtinCode, PLACEHOLDER_FOR_GREATER_OP_CODES);
  return FbOperatorCode.createOperatorCode(b, deprecated, customCode, c.version, c.builtinCode);
}

function packSubGraph(b: flatbuffers.Builder, model: Model, sg: SubGraph, s: number): number {
  const tensors = FbSubGraph.createTensorsVector(
    b,
    offsets(sg.tensors, (t) => packTensor(b, t)),
  );
  const inputs = FbSubGraph.createInputsVector(b, sg.inputs);
  const outputs = FbSubGraph.createOutputsVector(b, sg.outputs);
  const operators = FbSubGraph.createOperatorsVector(
    b,
    offsets(sg.operators, (op, k) => packOperator(b, op, describeOp(model, op, k, s))),
  );
  const name = sg.name === null ? 0 : b.createString(sg.name);
  return FbSubGraph.createSubGraph(
    b,
    tensors,
    inputs,
    outputs,
    operators,
    name,
    sg.debugMetadataIndex ?? -1,
  );
}

function packTensor(b: flatbuffers.Builder, t: Tensor): number {
  const shape = FbTensor.createShapeVector(b, t.shape);
  const name = b.createString(t.name);
  const quantization = t.quantization === null ? 0 : packQuantization(b, t.quantization);
  const sparsity = t.sparsity === undefined ? 0 : writeSparsity(b, t.sparsity);
  const shapeSignature =
    t.shapeSignature === null ? 0 : FbTensor.createShapeSignatureVector(b, t.shapeSignature);
  const variants = t.variantTensors === undefined ? 0 : writeVariantTensors(b, t.variantTensors);
  // flatc generates no createTensor (the table has a table-typed field): add fields by hand,
  // in schema order; external_buffer is never written (the reader refuses it).
  FbTensor.startTensor(b);
  FbTensor.addShape(b, shape);
  FbTensor.addType(b, dtypeCode(t.type));
  FbTensor.addBuffer(b, t.buffer);
  FbTensor.addName(b, name);
  if (quantization !== 0) FbTensor.addQuantization(b, quantization);
  FbTensor.addIsVariable(b, t.isVariable);
  if (sparsity !== 0) FbTensor.addSparsity(b, sparsity);
  if (shapeSignature !== 0) FbTensor.addShapeSignature(b, shapeSignature);
  FbTensor.addHasRank(b, t.hasRank);
  if (variants !== 0) FbTensor.addVariantTensors(b, variants);
  return FbTensor.endTensor(b);
}

function packQuantization(b: flatbuffers.Builder, q: Quantization): number {
  const min = q.min === null ? 0 : FbQuantization.createMinVector(b, q.min);
  const max = q.max === null ? 0 : FbQuantization.createMaxVector(b, q.max);
  const scale = q.scale === null ? 0 : FbQuantization.createScaleVector(b, q.scale);
  const zeroPoint =
    q.zeroPoint === null ? 0 : FbQuantization.createZeroPointVector(b, q.zeroPoint.map(BigInt));
  const [detailsType, details] = q.details === undefined ? [0, 0] : packDetails(b, q.details);
  return FbQuantization.createQuantizationParameters(
    b,
    min,
    max,
    scale,
    zeroPoint,
    detailsType,
    details,
    q.quantizedDimension,
  );
}

/** `details` union value: children first, then the table, fields in schema order. */
function packDetails(b: flatbuffers.Builder, d: QuantizationDetails): [number, number] {
  switch (d.type) {
    case "CustomQuantization": {
      const custom = d.custom === null ? 0 : b.createByteVector(d.custom);
      b.startObject(1);
      if (custom !== 0) b.addFieldOffset(0, custom, 0);
      return [1, b.endObject()];
    }
    case "BlockwiseQuantization": {
      let shape = 0;
      if (d.blockShape !== null) {
        b.startVector(4, d.blockShape.length, 4);
        for (let i = d.blockShape.length - 1; i >= 0; i--) b.addInt32(d.blockShape[i] ?? 0);
        shape = b.endVector();
      }
      b.startObject(4);
      b.addFieldInt32(0, d.scales, 0);
      b.addFieldInt32(1, d.zeroPoints, 0);
      b.addFieldInt32(2, d.blockSize, 0);
      if (shape !== 0) b.addFieldOffset(3, shape, 0);
      return [2, b.endObject()];
    }
    default:
      return d satisfies never;
  }
}

function packOperator(b: flatbuffers.Builder, op: Operator, where: string): number {
  const inputs = FbOperator.createInputsVector(b, op.inputs);
  const outputs = FbOperator.createOutputsVector(b, op.outputs);
  const [optionsType, options] =
    op.builtinOptions === null ? [0, 0] : writeOptions(b, op.builtinOptions, where);
  const customOptions = op.customOptions === null ? 0 : b.createByteVector(op.customOptions);
  const mutating =
    op.mutatingVariableInputs === undefined
      ? 0
      : FbOperator.createMutatingVariableInputsVector(b, op.mutatingVariableInputs);
  const intermediates =
    op.intermediates === null ? 0 : FbOperator.createIntermediatesVector(b, op.intermediates);
  // After intermediates: children are built in field order, as TF's packer does.
  const [options2Type, options2] =
    op.builtinOptions2 === undefined ? [0, 0] : writeOptions2(b, op.builtinOptions2, where);
  return FbOperator.createOperator(
    b,
    op.opcodeIndex,
    inputs,
    outputs,
    optionsType,
    options,
    customOptions,
    op.customOptionsFormat ?? 0,
    mutating,
    intermediates,
    0n, // large_custom_options_offset
    0n, // large_custom_options_size
    options2Type,
    options2,
    op.debugMetadataIndex ?? -1,
  );
}

function packBuffer(b: flatbuffers.Builder, buf: Buffer, dataAlignment: number): number {
  let data = 0;
  if (buf.data !== null) {
    // Same bytes as startVector(1, n, dataAlignment): aligning the end of the data to 16
    // first makes the 4-byte length-prefix alignment inside createByteVector a no-op.
    b.prep(dataAlignment, buf.data.length);
    data = b.createByteVector(buf.data);
  }
  return FbBuffer.createBuffer(b, data, 0n, 0n);
}

function packSignatureDef(b: flatbuffers.Builder, d: SignatureDef): number {
  const maps = (entries: SignatureDef["inputs"]): number[] =>
    entries.map((e) => {
      const name = b.createString(e.name);
      return FbTensorMap.createTensorMap(b, name, e.tensorIndex);
    });
  const inputs = FbSignatureDef.createInputsVector(b, maps(d.inputs));
  const outputs = FbSignatureDef.createOutputsVector(b, maps(d.outputs));
  const key = b.createString(d.signatureKey);
  return FbSignatureDef.createSignatureDef(b, inputs, outputs, key, d.subgraphIndex);
}
