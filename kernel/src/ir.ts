/**
 * The IR: an in-memory model that mirrors the TFLite FlatBuffer one to one (DESIGN.md, "the
 * .tflite graph is the IR"). Field names are the schema's, in camelCase. `null` means "field
 * absent in the file" and is kept apart from an empty list, so that reading then writing a file
 * is byte-for-byte stable.
 */

/** TensorType names, indexed by their enum value in the schema. */
export const TENSOR_TYPES = [
  "float32",
  "float16",
  "int32",
  "uint8",
  "int64",
  "string",
  "bool",
  "int16",
  "complex64",
  "int8",
  "float64",
  "complex128",
  "uint64",
  "resource",
  "variant",
  "uint32",
  "uint16",
  "int4",
  "bfloat16",
  "int2",
  "uint4",
  "float8_e4m3fn",
  "float8_e5m2",
] as const;

export type DType = (typeof TENSOR_TYPES)[number];

/** Schema enum value of a dtype. */
export function dtypeCode(dtype: DType): number {
  return TENSOR_TYPES.indexOf(dtype);
}

/** Bytes per element for the dtypes tsquant stores densely; `null` for the others. */
export function dtypeByteSize(dtype: DType): number | null {
  switch (dtype) {
    case "float32":
    case "int32":
    case "uint32":
      return 4;
    case "float16":
    case "int16":
    case "uint16":
    case "bfloat16":
      return 2;
    case "uint8":
    case "int8":
    case "bool":
    case "float8_e4m3fn":
    case "float8_e5m2":
      return 1;
    case "int64":
    case "uint64":
    case "float64":
    case "complex64":
      return 8;
    case "complex128":
      return 16;
    case "string":
    case "resource":
    case "variant":
    case "int4":
    case "int2":
    case "uint4":
      return null;
    default:
      return dtype satisfies never;
  }
}

/** Builtin operator codes tsquant knows by name (schema `BuiltinOperator` values). */
export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEQUANTIZE: 6,
  EMBEDDING_LOOKUP: 7,
  FULLY_CONNECTED: 9,
  LOGISTIC: 14,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU6: 21,
  RESHAPE: 22,
  SOFTMAX: 25,
  TANH: 28,
  PAD: 34,
  GATHER: 36,
  MEAN: 40,
  UNIDIRECTIONAL_SEQUENCE_LSTM: 44,
  STRIDED_SLICE: 45,
  SHAPE: 77,
  PACK: 83,
  QUANTIZE: 114,
  IF: 118,
  WHILE: 119,
  PLACEHOLDER_FOR_GREATER_OP_CODES: 127,
} as const;

export type BuiltinOpName = keyof typeof BuiltinOperator;

const OP_NAMES = new Map<number, string>(Object.entries(BuiltinOperator).map(([k, v]) => [v, k]));

/** Name of a builtin code, e.g. 3 → "CONV_2D"; unknown codes read "BUILTIN_<code>". */
export function opName(code: number): string {
  return OP_NAMES.get(code) ?? `BUILTIN_${code}`;
}

export type Padding = "SAME" | "VALID";
export const PADDINGS: readonly Padding[] = ["SAME", "VALID"];

export type Activation = "NONE" | "RELU" | "RELU_N1_TO_1" | "RELU6" | "TANH" | "SIGN_BIT";
export const ACTIVATIONS: readonly Activation[] = [
  "NONE",
  "RELU",
  "RELU_N1_TO_1",
  "RELU6",
  "TANH",
  "SIGN_BIT",
];

/**
 * Builtin options tables tsquant understands, discriminated by the schema's table name. A table
 * the reader does not understand is kept as `UnknownOptions` (its union type only); the writer
 * refuses to write it rather than silently drop its fields.
 */
export type BuiltinOptions =
  | {
      type: "Conv2DOptions";
      padding: Padding;
      strideW: number;
      strideH: number;
      fusedActivationFunction: Activation;
      dilationWFactor: number;
      dilationHFactor: number;
      quantizedBiasType: number;
    }
  | {
      type: "DepthwiseConv2DOptions";
      padding: Padding;
      strideW: number;
      strideH: number;
      depthMultiplier: number;
      fusedActivationFunction: Activation;
      dilationWFactor: number;
      dilationHFactor: number;
    }
  | {
      type: "FullyConnectedOptions";
      fusedActivationFunction: Activation;
      weightsFormat: number;
      keepNumDims: boolean;
      asymmetricQuantizeInputs: boolean;
      quantizedBiasType: number;
    }
  | {
      type: "Pool2DOptions";
      padding: Padding;
      strideW: number;
      strideH: number;
      filterWidth: number;
      filterHeight: number;
      fusedActivationFunction: Activation;
    }
  | { type: "AddOptions"; fusedActivationFunction: Activation; potScaleInt16: boolean }
  | { type: "MulOptions"; fusedActivationFunction: Activation }
  | { type: "ConcatenationOptions"; axis: number; fusedActivationFunction: Activation }
  | { type: "ReshapeOptions"; newShape: number[] | null }
  | { type: "SoftmaxOptions"; beta: number }
  | { type: "PadOptions" }
  | { type: "ReducerOptions"; keepDims: boolean }
  | { type: "QuantizeOptions" }
  | { type: "DequantizeOptions" }
  | {
      type: "StridedSliceOptions";
      beginMask: number;
      endMask: number;
      ellipsisMask: number;
      newAxisMask: number;
      shrinkAxisMask: number;
      offset: boolean;
    }
  | { type: "ShapeOptions"; outType: DType }
  | { type: "PackOptions"; valuesCount: number; axis: number }
  | {
      type: "UnidirectionalSequenceLSTMOptions";
      fusedActivationFunction: Activation;
      cellClip: number;
      projClip: number;
      timeMajor: boolean;
      asymmetricQuantizeInputs: boolean;
      diagonalRecurrentTensors: boolean;
    }
  | { type: "IfOptions"; thenSubgraphIndex: number; elseSubgraphIndex: number }
  | { type: "WhileOptions"; condSubgraphIndex: number; bodySubgraphIndex: number }
  | { type: "UnknownOptions"; unionType: number };

export type BuiltinOptionsType = BuiltinOptions["type"];

/** Affine quantization: real = scale * (q - zeroPoint), per tensor or per slice along an axis. */
export interface Quantization {
  min: number[] | null;
  max: number[] | null;
  scale: number[] | null;
  /** int64 in the file; tsquant keeps them as numbers (the reader rejects unsafe integers). */
  zeroPoint: number[] | null;
  quantizedDimension: number;
}

export interface Tensor {
  name: string;
  type: DType;
  shape: number[];
  /** -1 marks a dynamic dimension; `null` when absent. */
  shapeSignature: number[] | null;
  /** Index into `Model.buffers`; 0 is the empty sentinel (no data). */
  buffer: number;
  /** `null` = no table; TF writes an empty table (all fields null) for float tensors. */
  quantization: Quantization | null;
  isVariable: boolean;
  hasRank: boolean;
}

export interface Operator {
  opcodeIndex: number;
  /** -1 marks an optional input that is absent. */
  inputs: number[];
  outputs: number[];
  builtinOptions: BuiltinOptions | null;
  customOptions: Uint8Array | null;
  intermediates: number[] | null;
}

export interface SubGraph {
  tensors: Tensor[];
  inputs: number[];
  outputs: number[];
  /** In execution order. */
  operators: Operator[];
  name: string | null;
}

export interface OperatorCode {
  builtinCode: number;
  customCode: string | null;
  version: number;
}

export interface Buffer {
  /** `null` = no `data` field (activations); TF never writes an empty data vector. */
  data: Uint8Array | null;
}

export interface Metadata {
  name: string;
  buffer: number;
}

export interface TensorMap {
  name: string;
  tensorIndex: number;
}

export interface SignatureDef {
  inputs: TensorMap[];
  outputs: TensorMap[];
  signatureKey: string;
  subgraphIndex: number;
}

export interface Model {
  version: number;
  operatorCodes: OperatorCode[];
  subgraphs: SubGraph[];
  description: string | null;
  buffers: Buffer[];
  metadata: Metadata[] | null;
  signatureDefs: SignatureDef[] | null;
}

/** Every element type the interpreter hands out, as a flat row-major typed array. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigInt64Array;

/** A tensor's value: flat row-major data plus its shape. */
export interface NDArray<T extends TypedArray = TypedArray> {
  data: T;
  shape: number[];
  dtype: DType;
}

/** Number of elements of a shape (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
