/**
 * The IR: an in-memory model that mirrors the TFLite FlatBuffer one to one (the .tflite graph
 * is the IR). Field names are the schema's, in camelCase. `null` means "field
 * absent in the file" and is kept apart from an empty list, so that reading then writing a file
 * is byte-for-byte stable.
 */
import type {
  BUILTIN_OPTIONS_2_TABLES,
  BUILTIN_OPTIONS_TABLES,
  FieldKind,
  OptionsTableSpec,
  VectorKind,
} from "./tflite/options-schema";

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

/** Every builtin operator of the schema: name → code (`BuiltinOperator` enum values). */
export const BuiltinOperator = {
  ADD: 0,
  AVERAGE_POOL_2D: 1,
  CONCATENATION: 2,
  CONV_2D: 3,
  DEPTHWISE_CONV_2D: 4,
  DEPTH_TO_SPACE: 5,
  DEQUANTIZE: 6,
  EMBEDDING_LOOKUP: 7,
  FLOOR: 8,
  FULLY_CONNECTED: 9,
  HASHTABLE_LOOKUP: 10,
  L2_NORMALIZATION: 11,
  L2_POOL_2D: 12,
  LOCAL_RESPONSE_NORMALIZATION: 13,
  LOGISTIC: 14,
  LSH_PROJECTION: 15,
  LSTM: 16,
  MAX_POOL_2D: 17,
  MUL: 18,
  RELU: 19,
  RELU_N1_TO_1: 20,
  RELU6: 21,
  RESHAPE: 22,
  RESIZE_BILINEAR: 23,
  RNN: 24,
  SOFTMAX: 25,
  SPACE_TO_DEPTH: 26,
  SVDF: 27,
  TANH: 28,
  CONCAT_EMBEDDINGS: 29,
  SKIP_GRAM: 30,
  CALL: 31,
  CUSTOM: 32,
  EMBEDDING_LOOKUP_SPARSE: 33,
  PAD: 34,
  UNIDIRECTIONAL_SEQUENCE_RNN: 35,
  GATHER: 36,
  BATCH_TO_SPACE_ND: 37,
  SPACE_TO_BATCH_ND: 38,
  TRANSPOSE: 39,
  MEAN: 40,
  SUB: 41,
  DIV: 42,
  SQUEEZE: 43,
  UNIDIRECTIONAL_SEQUENCE_LSTM: 44,
  STRIDED_SLICE: 45,
  BIDIRECTIONAL_SEQUENCE_RNN: 46,
  EXP: 47,
  TOPK_V2: 48,
  SPLIT: 49,
  LOG_SOFTMAX: 50,
  DELEGATE: 51,
  BIDIRECTIONAL_SEQUENCE_LSTM: 52,
  CAST: 53,
  PRELU: 54,
  MAXIMUM: 55,
  ARG_MAX: 56,
  MINIMUM: 57,
  LESS: 58,
  NEG: 59,
  PADV2: 60,
  GREATER: 61,
  GREATER_EQUAL: 62,
  LESS_EQUAL: 63,
  SELECT: 64,
  SLICE: 65,
  SIN: 66,
  TRANSPOSE_CONV: 67,
  SPARSE_TO_DENSE: 68,
  TILE: 69,
  EXPAND_DIMS: 70,
  EQUAL: 71,
  NOT_EQUAL: 72,
  LOG: 73,
  SUM: 74,
  SQRT: 75,
  RSQRT: 76,
  SHAPE: 77,
  POW: 78,
  ARG_MIN: 79,
  FAKE_QUANT: 80,
  REDUCE_PROD: 81,
  REDUCE_MAX: 82,
  PACK: 83,
  LOGICAL_OR: 84,
  ONE_HOT: 85,
  LOGICAL_AND: 86,
  LOGICAL_NOT: 87,
  UNPACK: 88,
  REDUCE_MIN: 89,
  FLOOR_DIV: 90,
  REDUCE_ANY: 91,
  SQUARE: 92,
  ZEROS_LIKE: 93,
  FILL: 94,
  FLOOR_MOD: 95,
  RANGE: 96,
  RESIZE_NEAREST_NEIGHBOR: 97,
  LEAKY_RELU: 98,
  SQUARED_DIFFERENCE: 99,
  MIRROR_PAD: 100,
  ABS: 101,
  SPLIT_V: 102,
  UNIQUE: 103,
  CEIL: 104,
  REVERSE_V2: 105,
  ADD_N: 106,
  GATHER_ND: 107,
  COS: 108,
  WHERE: 109,
  RANK: 110,
  ELU: 111,
  REVERSE_SEQUENCE: 112,
  MATRIX_DIAG: 113,
  QUANTIZE: 114,
  MATRIX_SET_DIAG: 115,
  ROUND: 116,
  HARD_SWISH: 117,
  IF: 118,
  WHILE: 119,
  NON_MAX_SUPPRESSION_V4: 120,
  NON_MAX_SUPPRESSION_V5: 121,
  SCATTER_ND: 122,
  SELECT_V2: 123,
  DENSIFY: 124,
  SEGMENT_SUM: 125,
  BATCH_MATMUL: 126,
  PLACEHOLDER_FOR_GREATER_OP_CODES: 127,
  CUMSUM: 128,
  CALL_ONCE: 129,
  BROADCAST_TO: 130,
  RFFT2D: 131,
  CONV_3D: 132,
  IMAG: 133,
  REAL: 134,
  COMPLEX_ABS: 135,
  HASHTABLE: 136,
  HASHTABLE_FIND: 137,
  HASHTABLE_IMPORT: 138,
  HASHTABLE_SIZE: 139,
  REDUCE_ALL: 140,
  CONV_3D_TRANSPOSE: 141,
  VAR_HANDLE: 142,
  READ_VARIABLE: 143,
  ASSIGN_VARIABLE: 144,
  BROADCAST_ARGS: 145,
  RANDOM_STANDARD_NORMAL: 146,
  BUCKETIZE: 147,
  RANDOM_UNIFORM: 148,
  MULTINOMIAL: 149,
  GELU: 150,
  DYNAMIC_UPDATE_SLICE: 151,
  RELU_0_TO_1: 152,
  UNSORTED_SEGMENT_PROD: 153,
  UNSORTED_SEGMENT_MAX: 154,
  UNSORTED_SEGMENT_SUM: 155,
  ATAN2: 156,
  UNSORTED_SEGMENT_MIN: 157,
  SIGN: 158,
  BITCAST: 159,
  BITWISE_XOR: 160,
  RIGHT_SHIFT: 161,
  STABLEHLO_LOGISTIC: 162,
  STABLEHLO_ADD: 163,
  STABLEHLO_DIVIDE: 164,
  STABLEHLO_MULTIPLY: 165,
  STABLEHLO_MAXIMUM: 166,
  STABLEHLO_RESHAPE: 167,
  STABLEHLO_CLAMP: 168,
  STABLEHLO_CONCATENATE: 169,
  STABLEHLO_BROADCAST_IN_DIM: 170,
  STABLEHLO_CONVOLUTION: 171,
  STABLEHLO_SLICE: 172,
  STABLEHLO_CUSTOM_CALL: 173,
  STABLEHLO_REDUCE: 174,
  STABLEHLO_ABS: 175,
  STABLEHLO_AND: 176,
  STABLEHLO_COSINE: 177,
  STABLEHLO_EXPONENTIAL: 178,
  STABLEHLO_FLOOR: 179,
  STABLEHLO_LOG: 180,
  STABLEHLO_MINIMUM: 181,
  STABLEHLO_NEGATE: 182,
  STABLEHLO_OR: 183,
  STABLEHLO_POWER: 184,
  STABLEHLO_REMAINDER: 185,
  STABLEHLO_RSQRT: 186,
  STABLEHLO_SELECT: 187,
  STABLEHLO_SUBTRACT: 188,
  STABLEHLO_TANH: 189,
  STABLEHLO_SCATTER: 190,
  STABLEHLO_COMPARE: 191,
  STABLEHLO_CONVERT: 192,
  STABLEHLO_DYNAMIC_SLICE: 193,
  STABLEHLO_DYNAMIC_UPDATE_SLICE: 194,
  STABLEHLO_PAD: 195,
  STABLEHLO_IOTA: 196,
  STABLEHLO_DOT_GENERAL: 197,
  STABLEHLO_REDUCE_WINDOW: 198,
  STABLEHLO_SORT: 199,
  STABLEHLO_WHILE: 200,
  STABLEHLO_GATHER: 201,
  STABLEHLO_TRANSPOSE: 202,
  DILATE: 203,
  STABLEHLO_RNG_BIT_GENERATOR: 204,
  REDUCE_WINDOW: 205,
  STABLEHLO_COMPOSITE: 206,
  STABLEHLO_SHIFT_LEFT: 207,
  STABLEHLO_CBRT: 208,
  STABLEHLO_CASE: 209,
} as const;

export type BuiltinOpName = keyof typeof BuiltinOperator;

const OP_NAMES = new Map<number, string>(Object.entries(BuiltinOperator).map(([k, v]) => [v, k]));

/**
 * Schema name of a builtin code, e.g. 3 → "CONV_2D"; a code newer than the schema tsquant knows
 * reads "BUILTIN_<code>".
 */
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

type Simplify<T> = { [K in keyof T]: T[K] };

/** IR value of a field kind: see options-schema.ts. */
type FieldValue<K extends FieldKind> = K extends "bool"
  ? boolean
  : K extends "activation"
    ? Activation
    : K extends "padding"
      ? Padding
      : K extends "dtype"
        ? DType
        : K extends "string"
          ? string | null
          : K extends VectorKind
            ? number[] | null
            : number;

type OptionalField = readonly [string, FieldKind, number, "optional"];
type FieldsOf<S extends OptionsTableSpec> = Exclude<S["fields"][number], null>;

/** The IR member of one options table: `{ type: <table name>, <camelCase field>: value, … }`. */
type OptionsMember<N extends string, S extends OptionsTableSpec> = Simplify<
  { type: N } & {
    [F in FieldsOf<S> as F extends OptionalField ? never : F[0]]: FieldValue<F[1]>;
  } & {
    [F in FieldsOf<S> as F extends OptionalField ? F[0] : never]?: FieldValue<F[1]>;
  }
>;

type MembersOf<T extends Record<string, OptionsTableSpec>> = {
  [N in keyof T & string]: OptionsMember<N, T[N]>;
}[keyof T & string];

/** A union value newer than the schema tsquant knows: read, but refused by the writer. */
export interface UnknownOptions {
  type: "UnknownOptions";
  unionType: number;
}

/**
 * An operator's `builtin_options`: one member per table of the schema, discriminated by the
 * table's name, fields in camelCase (derived from `BUILTIN_OPTIONS_TABLES`). Integers and floats
 * are numbers, enums other than activation / padding / TensorType their numeric value, vectors
 * `number[] | null` and strings `string | null` (null = absent). `quantizedBiasType` stays a
 * TensorType code (number).
 */
export type BuiltinOptions = MembersOf<typeof BUILTIN_OPTIONS_TABLES> | UnknownOptions;

/** An operator's `builtin_options_2` (StableHLO tables and newer), same conventions. */
export type BuiltinOptions2 = MembersOf<typeof BUILTIN_OPTIONS_2_TABLES> | UnknownOptions;

export type BuiltinOptions2Type = BuiltinOptions2["type"];

export type BuiltinOptionsType = BuiltinOptions["type"];

/** Affine quantization: real = scale * (q - zeroPoint), per tensor or per slice along an axis. */
export interface Quantization {
  min: number[] | null;
  max: number[] | null;
  scale: number[] | null;
  /** int64 in the file; tsquant keeps them as numbers (the reader rejects unsafe integers). */
  zeroPoint: number[] | null;
  quantizedDimension: number;
  /** The `details` union; the key is present only when the file has one. */
  details?: QuantizationDetails;
}

/**
 * `QuantizationParameters.details`: opaque custom bytes, or block-wise quantization, whose
 * `scales` and `zeroPoints` are tensor indices (-1 / 0 = absent, as the schema stores them).
 */
export type QuantizationDetails =
  | { type: "CustomQuantization"; custom: Uint8Array | null }
  | {
      type: "BlockwiseQuantization";
      scales: number;
      zeroPoints: number;
      blockSize: number;
      blockShape: number[] | null;
    };

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
  /** `sparsity`: the buffer holds the sparse encoding; present only when the file has it. */
  sparsity?: SparsityParameters;
  /** `variant_tensors` (subtypes of a variant tensor); present only when the file has them. */
  variantTensors?: VariantSubType[];
}

/** One of the index vectors of a sparse dimension (the `SparseIndexVector` union). */
export interface SparseIndexVector {
  type: "Int32Vector" | "Uint16Vector" | "Uint8Vector";
  values: number[] | null;
}

/** `DimensionMetadata`: `format` 0 = DENSE, 1 = SPARSE_CSR. */
export interface DimensionMetadata {
  format: number;
  denseSize: number;
  arraySegments: SparseIndexVector | null;
  arrayIndices: SparseIndexVector | null;
}

/** `SparsityParameters` of a sparse constant tensor, carried as read. */
export interface SparsityParameters {
  traversalOrder: number[] | null;
  blockMap: number[] | null;
  dimMetadata: DimensionMetadata[] | null;
}

/** `VariantSubType`. */
export interface VariantSubType {
  shape: number[] | null;
  type: DType;
  hasRank: boolean;
}

export interface Operator {
  opcodeIndex: number;
  /** -1 marks an optional input that is absent. */
  inputs: number[];
  outputs: number[];
  builtinOptions: BuiltinOptions | null;
  /** `builtin_options_2`; the key is present only when the file has one. */
  builtinOptions2?: BuiltinOptions2;
  /** `custom_options_format` (0 = FLEXBUFFERS, the only value); absent = 0. */
  customOptionsFormat?: number;
  /** `mutating_variable_inputs`; present only when the file has the field. */
  mutatingVariableInputs?: boolean[];
  /** `debug_metadata_index`; absent = -1 (none). */
  debugMetadataIndex?: number;
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
  /** `debug_metadata_index`; absent = -1 (none). */
  debugMetadataIndex?: number;
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
  /** Deprecated `metadata_buffer` (buffer indices); present only when the file has it. */
  metadataBuffer?: number[];
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
