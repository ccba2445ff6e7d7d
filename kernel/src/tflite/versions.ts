/**
 * Operator versions and the `min_runtime_version` metadata, as TensorFlow's converter sets them
 * after export (LiteRT `tflite/converter/tools/versioning/op_version.cc`, `op_signature.cc` and
 * `runtime_version.cc`), for the ops tsquant supports.
 *
 * An op's version says which kernel variant a runtime must have (int8 CONV_2D needs v3, which
 * runtimes before 1.14 lack), so a file with too low a version may be refused or misread.
 */
import { BuiltinOperator } from "../ir";
import type { BuiltinOptions, DType, Model, Operator, SubGraph, Tensor } from "../ir";

/** What `computeOpVersion` looks at for one input or output: `null` for an absent (-1) tensor. */
type Spec = Tensor | null;

function spec(sg: SubGraph, index: number | undefined): Spec {
  return index === undefined || index < 0 ? null : (sg.tensors[index] ?? null);
}

const typeOf = (t: Spec): DType | null => (t === null ? null : t.type);

const isFloat8 = (t: DType | null): boolean => t === "float8_e4m3fn" || t === "float8_e5m2";

/** Number of scales of a tensor's quantization (0 when unquantized). */
const numScales = (t: Spec): number => t?.quantization?.scale?.length ?? 0;

/**
 * Per-axis quantization as op_signature.cc tests it for QUANTIZE/DEQUANTIZE: more than one scale,
 * as many as the quantized dimension has entries.
 */
function perAxisAlongOwnDim(t: Spec): boolean {
  const q = t?.quantization;
  const n = numScales(t);
  return t !== null && q != null && n > 1 && t.shape[q.quantizedDimension] === n;
}

function options<T extends BuiltinOptions["type"]>(
  op: Operator,
  type: T,
): Extract<BuiltinOptions, { type: T }> | null {
  const o = op.builtinOptions;
  return o !== null && o.type === type ? (o as Extract<BuiltinOptions, { type: T }>) : null;
}

/**
 * Version of one operator computed from its code, tensor types, quantization and options, per
 * `GetBuiltinOperatorVersion`. Returns `null` for ops whose rules tsquant does not carry (their
 * version is left as it is).
 */
export function computeOpVersion(model: Model, subgraph: SubGraph, op: Operator): number | null {
  const code = model.operatorCodes[op.opcodeIndex];
  if (code === undefined || code.customCode !== null) return null;
  const in0 = spec(subgraph, op.inputs[0]);
  const in1 = spec(subgraph, op.inputs[1]);
  const out0 = spec(subgraph, op.outputs[0]);
  const [i0, i1, o0] = [typeOf(in0), typeOf(in1), typeOf(out0)];
  const types = (a: DType, b: DType, c: DType): boolean => i0 === a && i1 === b && o0 === c;

  switch (code.builtinCode) {
    case BuiltinOperator.CONV_2D: {
      const o = options(op, "Conv2DOptions");
      if (types("int16", "int8", "int16") && o !== null && o.quantizedBiasType !== 0) return 8;
      // Grouped convolution: filter input channels differ from the input's.
      if (in0 !== null && in1 !== null && in0.shape.length > 0 && in0.shape[3] !== in1.shape[3]) {
        return 6;
      }
      if (types("int16", "int16", "int16")) return 4;
      if (types("int8", "int8", "int8")) return 3;
      if (types("int8", "int4", "int8")) return 7;
      if (types("float32", "int8", "float32")) {
        const filters = in1?.shape[0] ?? 0;
        return filters > 0 && numScales(in1) === filters ? 5 : 2;
      }
      return 1;
    }
    case BuiltinOperator.DEPTHWISE_CONV_2D: {
      if (types("int16", "int16", "int16")) return 5;
      if (types("float32", "int8", "float32")) {
        const channels = in1?.shape[3] ?? 0;
        return channels > 0 && numScales(in1) === channels ? 6 : 4;
      }
      if (types("int8", "int8", "int8")) return 3;
      if (types("int8", "int4", "int8")) return 7;
      const o = options(op, "DepthwiseConv2DOptions");
      if (o !== null && (o.dilationWFactor !== 1 || o.dilationHFactor !== 1)) return 2;
      return 1;
    }
    case BuiltinOperator.FULLY_CONNECTED: {
      const o = options(op, "FullyConnectedOptions");
      if (i1 === "int2") return 14;
      if (types("int16", "int4", "int16")) return 13;
      const rows = in1?.shape[0];
      const perChannel = numScales(in1) > 0 && rows !== undefined && numScales(in1) === rows;
      if (types("float32", "int8", "float32") && perChannel) return 12;
      if (types("int16", "int8", "int16") && o !== null && o.quantizedBiasType !== 0) return 11;
      if (types("int16", "int16", "int16")) return 7;
      // NOTE: checked before the int8 rule, as TF does: an int8 FC without bias is v6.
      if (op.inputs.length === 2) return 6;
      if (o !== null && o.keepNumDims) return 5;
      if (types("int8", "int8", "int8")) return 4;
      if (types("int8", "int4", "int8")) return 10;
      if (types("float32", "int8", "float32"))
        return o !== null && o.asymmetricQuantizeInputs ? 9 : 3;
      if (o !== null && o.weightsFormat === 1) return 2;
      return 1;
    }
    case BuiltinOperator.MUL: {
      // TF writes an empty quantization table for float tensors: present counts as quantized.
      const inputQuantized =
        (in0?.quantization ?? null) !== null || (in1?.quantization ?? null) !== null;
      if (i0 === "float16") return 8;
      if ((i0 === "int16" && !inputQuantized) || i0 === "uint32") return 7;
      if (i0 === "complex64") return 6;
      if (i0 === "int64") return 5;
      if (i0 === "int16") return 4;
      const s1 = in0?.quantization?.scale?.[0] ?? 0;
      const s2 = in1?.quantization?.scale?.[0] ?? 0;
      const so = out0?.quantization?.scale?.[0] ?? 0;
      // float arithmetic as in C++: (s1 * s2) / so >= 1 needs the rescale >= 1 kernel path.
      if (s1 !== 0 && s2 !== 0 && so !== 0 && Math.fround(Math.fround(s1 * s2) / so) >= 1) return 3;
      if (i0 === "int8") return 2;
      return 1;
    }
    case BuiltinOperator.MAX_POOL_2D:
    case BuiltinOperator.AVERAGE_POOL_2D:
    case BuiltinOperator.LOGISTIC:
    case BuiltinOperator.TANH:
      if (i0 === "int16" && o0 === "int16") return 3;
      if (i0 === "int8") return 2;
      return 1;
    case BuiltinOperator.ADD: {
      const inputQuantized = (in0?.quantization ?? null) !== null;
      if (i0 === "float16") return 6;
      if (i0 === "int16" && !inputQuantized) return 5;
      if (i0 === "int64") return 4;
      const o = options(op, "AddOptions");
      if (i0 === "int16" && o0 === "int16" && o !== null && !o.potScaleInt16) return 3;
      if (i0 === "int8") return 2;
      return 1;
    }
    case BuiltinOperator.CONCATENATION:
      if (isFloat8(i0)) return 7;
      if (i0 === "float16") return 6;
      if (i0 === "int4") return 5;
      if (i0 === "uint32") return 4;
      if (i0 === "int16") return 3;
      if (i0 === "int8") return 2;
      return 1;
    case BuiltinOperator.SOFTMAX:
      if (i0 === "float16") return 4;
      if (i0 === "int16") return 3;
      if (i0 === "int8") return 2;
      return 1;
    case BuiltinOperator.MEAN:
    case BuiltinOperator.RELU6:
      if (i0 === "int16") return 3;
      if (i0 === "int8") return 2;
      return 1;
    case BuiltinOperator.RELU:
      if (i0 === "int16") return 3;
      if (i0 === "int8" || i0 === "uint8") return 2;
      return 1;
    case BuiltinOperator.PAD:
      if (isFloat8(i0)) return 6;
      if (i0 === "bool") return 5;
      if ((in0?.shape.length ?? 0) > 4) return 4;
      if (i0 === "int16") return 3;
      if (i0 === "int8") return 2;
      return 1;
    case BuiltinOperator.QUANTIZE:
      if (i0 === "uint4" || o0 === "uint4") return 5;
      if (i0 === "int4" || o0 === "int4") return 4;
      if (perAxisAlongOwnDim(out0)) return 3;
      if (o0 === "int16") return 2;
      return 1;
    case BuiltinOperator.DEQUANTIZE:
      if (isFloat8(i0)) return 9;
      if (i0 === "uint4") return 8;
      if (i0 === "int2") return 7;
      if (i0 === "int4") return 6;
      if (i0 === "int16" || i0 === "float16") return 3;
      if (i0 === "int8") return perAxisAlongOwnDim(in0) ? 5 : 2;
      return 1;
    case BuiltinOperator.RESHAPE:
    case BuiltinOperator.SHAPE:
      return 1;
    case BuiltinOperator.STRIDED_SLICE: {
      const o = options(op, "StridedSliceOptions");
      if (o !== null && o.offset) return 8;
      if (i0 === "uint32") return 7;
      if (o !== null && (o.ellipsisMask !== 0 || o.newAxisMask !== 0)) return 6;
      if (i0 === "string") return 5;
      if ((in0?.shape.length ?? 0) > 4) return 4;
      if (i0 === "bool") return 3;
      if (i0 === "int8") return 2;
      return 1;
    }
    case BuiltinOperator.PACK:
      if (isFloat8(i0)) return 5;
      if (i0 === "int8") return 2;
      if (i0 === "int16" && o0 === "int16") return 3;
      if (i0 === "uint32") return 4;
      return 1;
    default:
      return null;
  }
}

/**
 * Raises each operator code's version to the highest version its operators need, as TF's
 * `UpdateOpVersion` does (a version is never lowered). Mutates and returns `model`.
 */
export function updateOpVersions(model: Model): Model {
  for (const sg of model.subgraphs) {
    for (const op of sg.operators) {
      const v = computeOpVersion(model, sg, op);
      const code = model.operatorCodes[op.opcodeIndex];
      if (v !== null && code !== undefined && v > code.version) code.version = v;
    }
  }
  return model;
}

/** Minimum LiteRT runtime version per (op, version), from runtime_version.cc. */
const RUNTIME_VERSIONS: ReadonlyMap<number, readonly string[]> = new Map([
  // Entry i is the runtime that first ran version i + 1.
  [BuiltinOperator.ADD, ["1.5.0", "1.14.0", "2.4.0", "2.6.0", "2.13.0", "2.23.0"]],
  [BuiltinOperator.AVERAGE_POOL_2D, ["1.5.0", "1.14.0", "2.3.0"]],
  [
    BuiltinOperator.CONCATENATION,
    ["1.5.0", "1.14.0", "2.3.0", "2.14.0", "2.21.0", "2.23.0", "2.23.0"],
  ],
  [
    BuiltinOperator.CONV_2D,
    ["1.5.0", "1.14.0", "1.14.0", "2.3.0", "2.4.0", "2.9.0", "2.11.0", "2.15.0"],
  ],
  [
    BuiltinOperator.DEPTHWISE_CONV_2D,
    ["1.5.0", "1.12.0", "1.14.0", "2.2.0", "2.3.0", "2.3.0", "2.11.0"],
  ],
  [
    BuiltinOperator.DEQUANTIZE,
    ["1.13.1", "1.14.0", "1.15.0", "2.2.0", "2.7.0", "2.18.0", "2.21.0", "2.22.0", "2.23.0"],
  ],
  [BuiltinOperator.EMBEDDING_LOOKUP, ["1.13.0", "1.14.0", "1.14.0", "2.18.0", "2.21.0"]],
  [
    BuiltinOperator.FULLY_CONNECTED,
    [
      "1.5.0",
      "1.10.0",
      "1.14.0",
      "1.14.0",
      "2.0.0",
      "2.1.0",
      "2.3.0",
      "2.3.0",
      "2.3.0",
      "2.11.0",
      "2.15.0",
      "2.17.0",
      "2.18.0",
      "2.21.0",
    ],
  ],
  [
    BuiltinOperator.GATHER,
    ["1.6.0", "1.14.0", "1.15.0", "2.4.0", "2.5.0", "2.13.0", "2.15.0", "2.23.0"],
  ],
  [BuiltinOperator.LOGISTIC, ["1.14.0", "1.14.0", "2.3.0"]],
  [BuiltinOperator.MAX_POOL_2D, ["1.5.0", "1.14.0", "2.3.0"]],
  [BuiltinOperator.MEAN, ["1.6.0", "1.14.0", "2.4.0"]],
  [
    BuiltinOperator.MUL,
    ["1.5.0", "1.14.0", "1.15.0", "2.3.0", "2.6.0", "2.11.0", "2.13.0", "2.23.0"],
  ],
  [BuiltinOperator.PACK, ["1.11.0", "1.14.0", "2.3.0", "2.13.0", "2.23.0"]],
  [BuiltinOperator.PAD, ["1.5.0", "1.14.0", "2.4.0", "2.6.0", "2.20.0", "2.23.0"]],
  [BuiltinOperator.QUANTIZE, ["1.14.0", "1.15.0", "2.7.0", "2.21.0", "2.21.0", "2.21.0"]],
  [BuiltinOperator.RELU, ["1.5.0", "2.1.0", "2.5.0"]],
  [BuiltinOperator.RELU6, ["1.5.0", "1.14.0", "2.5.0"]],
  [BuiltinOperator.RESHAPE, ["1.5.0"]],
  [BuiltinOperator.SHAPE, ["1.10.0"]],
  [BuiltinOperator.SOFTMAX, ["1.5.0", "1.14.0", "2.3.0", "2.23.0"]],
  [
    BuiltinOperator.STRIDED_SLICE,
    ["1.6.0", "1.14.0", "2.1.0", "2.2.0", "2.5.0", "2.6.0", "2.14.0", "2.14.0"],
  ],
  [BuiltinOperator.TANH, ["1.14.0", "1.14.0", "2.3.0"]],
  [BuiltinOperator.UNIDIRECTIONAL_SEQUENCE_LSTM, ["1.13.1", "1.14.0", "2.3.0", "2.12.0"]],
]);

/** Minimum runtime version of one (op, version), or `null` when the table has no entry. */
export function runtimeVersionOf(builtinCode: number, version: number): string | null {
  return RUNTIME_VERSIONS.get(builtinCode)?.[version - 1] ?? null;
}

/** Numeric comparison of dotted versions: "1.14.0" > "1.5.0". */
export function compareVersions(a: string, b: string): number {
  const pa = a === "" ? [] : a.split(".").map(Number);
  const pb = b === "" ? [] : b.split(".").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The highest minimum-runtime version over every operator of the model, per
 * `UpdateMinimumRuntimeVersionForModel`; (op, version) pairs without an entry are skipped, and a
 * model with none yields "".
 */
export function minRuntimeVersion(model: Model): string {
  let best = "";
  for (const sg of model.subgraphs) {
    for (const op of sg.operators) {
      const code = model.operatorCodes[op.opcodeIndex];
      if (code === undefined || code.customCode !== null) continue;
      const v = runtimeVersionOf(code.builtinCode, code.version);
      if (v !== null && compareVersions(v, best) > 0) best = v;
    }
  }
  return best;
}

export const MIN_RUNTIME_VERSION = "min_runtime_version";

/** Size of the `min_runtime_version` metadata buffer the exporter reserves. */
const RUNTIME_VERSION_BYTES = 16;

/**
 * The steps TF's converter runs between building a graph and writing it, so that a model
 * built (or rewritten) by tsquant is written the way TF writes one:
 * - schema version 3 and an empty sentinel buffer 0;
 * - op versions raised per `computeOpVersion`;
 * - `min_runtime_version` metadata: a 16-byte NUL-padded string in its own buffer (added if
 *   missing, updated in place otherwise; left untouched if the version string would not fit).
 * Mutates and returns `model`.
 */
export function finalizeModel(model: Model): Model {
  model.version = 3;
  if (model.buffers.length === 0) model.buffers.push({ data: null });
  updateOpVersions(model);
  const version = minRuntimeVersion(model);
  if (version.length >= RUNTIME_VERSION_BYTES) return model;
  const bytes = new Uint8Array(RUNTIME_VERSION_BYTES);
  bytes.set(new TextEncoder().encode(version));
  const entry = model.metadata?.find((m) => m.name === MIN_RUNTIME_VERSION);
  const existing = entry === undefined ? undefined : model.buffers[entry.buffer];
  if (entry !== undefined && existing !== undefined && entry.buffer !== 0) {
    existing.data = bytes;
  } else {
    model.buffers.push({ data: bytes });
    const metadata = { name: MIN_RUNTIME_VERSION, buffer: model.buffers.length - 1 };
    if (model.metadata === null) model.metadata = [metadata];
    else if (entry !== undefined) entry.buffer = metadata.buffer;
    else model.metadata.unshift(metadata);
  }
  return model;
}
