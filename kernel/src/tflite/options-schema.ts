/**
 * Every options table of the .tflite schema, described once: union value, the ops that carry it,
 * and its fields in vtable slot order (slot i = index i; `null` holds the slot of a deprecated
 * field). The IR types (`BuiltinOptions`, `BuiltinOptions2` in ir.ts), the reader, the writer,
 * the verifier and the validator are all derived from these two objects; no table has hand code.
 *
 * A field is `[name, kind]` or `[name, kind, default]` (default 0 / false when omitted); a fourth
 * element `"optional"` marks a field added to a table after tsquant modelled it: its IR member is
 * optional (absent = field absent in the file), so code building that table keeps compiling.
 *
 * Field names are the schema's in camelCase, except LSHProjectionOptions' `type`, which would
 * clash with the IR's discriminant and is named `projectionType`.
 *
 * Kinds: scalar `bool`, `int8`, `uint8`, `int16`, `uint16`, `int32`, `uint32`, `int64`,
 * `float32`; `activation` (ActivationFunctionType, byte), `padding` (Padding, byte), `dtype`
 * (TensorType, byte); `string`; `[elem]` for a vector of scalars.
 */

export type ScalarKind =
  | "bool"
  | "int8"
  | "uint8"
  | "int16"
  | "uint16"
  | "int32"
  | "uint32"
  | "int64"
  | "float32"
  | "activation"
  | "padding"
  | "dtype";
export type VectorKind = "[bool]" | "[uint8]" | "[int32]" | "[uint32]" | "[int64]" | "[float32]";
export type FieldKind = ScalarKind | VectorKind | "string";

export type FieldSpec =
  | readonly [name: string, kind: FieldKind]
  | readonly [name: string, kind: FieldKind, defaultValue: number]
  | readonly [name: string, kind: FieldKind, defaultValue: number, optional: "optional"];

export interface OptionsTableSpec {
  /** Union member index in `BuiltinOptions` (or `BuiltinOptions2`). */
  readonly union: number;
  /** Schema names of the builtin operators that carry this table. */
  readonly ops: readonly string[];
  /** Fields by vtable slot; `null` = deprecated slot, never read or written. */
  readonly fields: readonly (FieldSpec | null)[];
}

/** Members of the `builtin_options` union (`Operator.builtinOptions`). */
export const BUILTIN_OPTIONS_TABLES = {
  Conv2DOptions: {
    union: 1,
    ops: ["CONV_2D"],
    fields: [
      ["padding", "padding"],
      ["strideW", "int32"],
      ["strideH", "int32"],
      ["fusedActivationFunction", "activation"],
      ["dilationWFactor", "int32", 1],
      ["dilationHFactor", "int32", 1],
      ["quantizedBiasType", "int8"],
    ],
  },
  DepthwiseConv2DOptions: {
    union: 2,
    ops: ["DEPTHWISE_CONV_2D"],
    fields: [
      ["padding", "padding"],
      ["strideW", "int32"],
      ["strideH", "int32"],
      ["depthMultiplier", "int32"],
      ["fusedActivationFunction", "activation"],
      ["dilationWFactor", "int32", 1],
      ["dilationHFactor", "int32", 1],
    ],
  },
  ConcatEmbeddingsOptions: {
    union: 3,
    ops: ["CONCAT_EMBEDDINGS"],
    fields: [
      ["numChannels", "int32"],
      ["numColumnsPerChannel", "[int32]"],
      ["embeddingDimPerChannel", "[int32]"],
    ],
  },
  LSHProjectionOptions: {
    union: 4,
    ops: ["LSH_PROJECTION"],
    fields: [["projectionType", "int8"]],
  },
  Pool2DOptions: {
    union: 5,
    ops: ["AVERAGE_POOL_2D", "L2_POOL_2D", "MAX_POOL_2D"],
    fields: [
      ["padding", "padding"],
      ["strideW", "int32"],
      ["strideH", "int32"],
      ["filterWidth", "int32"],
      ["filterHeight", "int32"],
      ["fusedActivationFunction", "activation"],
    ],
  },
  SVDFOptions: {
    union: 6,
    ops: ["SVDF"],
    fields: [
      ["rank", "int32"],
      ["fusedActivationFunction", "activation"],
      ["asymmetricQuantizeInputs", "bool"],
    ],
  },
  RNNOptions: {
    union: 7,
    ops: ["RNN"],
    fields: [
      ["fusedActivationFunction", "activation"],
      ["asymmetricQuantizeInputs", "bool"],
    ],
  },
  FullyConnectedOptions: {
    union: 8,
    ops: ["FULLY_CONNECTED"],
    fields: [
      ["fusedActivationFunction", "activation"],
      ["weightsFormat", "int8"],
      ["keepNumDims", "bool"],
      ["asymmetricQuantizeInputs", "bool"],
      ["quantizedBiasType", "int8"],
      ["quantSpec", "[uint8]", 0, "optional"],
    ],
  },
  SoftmaxOptions: {
    union: 9,
    ops: ["SOFTMAX"],
    fields: [["beta", "float32"]],
  },
  ConcatenationOptions: {
    union: 10,
    ops: ["CONCATENATION"],
    fields: [
      ["axis", "int32"],
      ["fusedActivationFunction", "activation"],
    ],
  },
  AddOptions: {
    union: 11,
    ops: ["ADD"],
    fields: [
      ["fusedActivationFunction", "activation"],
      ["potScaleInt16", "bool", 1],
    ],
  },
  L2NormOptions: {
    union: 12,
    ops: ["L2_NORMALIZATION"],
    fields: [["fusedActivationFunction", "activation"]],
  },
  LocalResponseNormalizationOptions: {
    union: 13,
    ops: ["LOCAL_RESPONSE_NORMALIZATION"],
    fields: [
      ["radius", "int32"],
      ["bias", "float32"],
      ["alpha", "float32"],
      ["beta", "float32"],
    ],
  },
  LSTMOptions: {
    union: 14,
    ops: ["LSTM"],
    fields: [
      ["fusedActivationFunction", "activation"],
      ["cellClip", "float32"],
      ["projClip", "float32"],
      ["kernelType", "int8"],
      ["asymmetricQuantizeInputs", "bool"],
    ],
  },
  ResizeBilinearOptions: {
    union: 15,
    ops: ["RESIZE_BILINEAR"],
    fields: [null, null, ["alignCorners", "bool"], ["halfPixelCenters", "bool"]],
  },
  CallOptions: {
    union: 16,
    ops: ["CALL"],
    fields: [["subgraph", "uint32"]],
  },
  ReshapeOptions: {
    union: 17,
    ops: ["RESHAPE"],
    fields: [["newShape", "[int32]"]],
  },
  SkipGramOptions: {
    union: 18,
    ops: ["SKIP_GRAM"],
    fields: [
      ["ngramSize", "int32"],
      ["maxSkipSize", "int32"],
      ["includeAllNgrams", "bool"],
    ],
  },
  SpaceToDepthOptions: {
    union: 19,
    ops: ["SPACE_TO_DEPTH"],
    fields: [["blockSize", "int32"]],
  },
  EmbeddingLookupSparseOptions: {
    union: 20,
    ops: ["EMBEDDING_LOOKUP_SPARSE"],
    fields: [["combiner", "int8"]],
  },
  MulOptions: {
    union: 21,
    ops: ["MUL"],
    fields: [["fusedActivationFunction", "activation"]],
  },
  PadOptions: {
    union: 22,
    ops: ["PAD"],
    fields: [],
  },
  GatherOptions: {
    union: 23,
    ops: ["GATHER"],
    fields: [
      ["axis", "int32"],
      ["batchDims", "int32"],
    ],
  },
  BatchToSpaceNDOptions: {
    union: 24,
    ops: ["BATCH_TO_SPACE_ND"],
    fields: [],
  },
  SpaceToBatchNDOptions: {
    union: 25,
    ops: ["SPACE_TO_BATCH_ND"],
    fields: [],
  },
  TransposeOptions: {
    union: 26,
    ops: ["TRANSPOSE"],
    fields: [],
  },
  ReducerOptions: {
    union: 27,
    ops: ["MEAN", "SUM", "REDUCE_PROD", "REDUCE_MAX", "REDUCE_MIN", "REDUCE_ANY", "REDUCE_ALL"],
    fields: [["keepDims", "bool"]],
  },
  SubOptions: {
    union: 28,
    ops: ["SUB"],
    fields: [
      ["fusedActivationFunction", "activation"],
      ["potScaleInt16", "bool", 1],
    ],
  },
  DivOptions: {
    union: 29,
    ops: ["DIV"],
    fields: [["fusedActivationFunction", "activation"]],
  },
  SqueezeOptions: {
    union: 30,
    ops: ["SQUEEZE"],
    fields: [["squeezeDims", "[int32]"]],
  },
  SequenceRNNOptions: {
    union: 31,
    ops: ["UNIDIRECTIONAL_SEQUENCE_RNN"],
    fields: [
      ["timeMajor", "bool"],
      ["fusedActivationFunction", "activation"],
      ["asymmetricQuantizeInputs", "bool"],
    ],
  },
  StridedSliceOptions: {
    union: 32,
    ops: ["STRIDED_SLICE"],
    fields: [
      ["beginMask", "int32"],
      ["endMask", "int32"],
      ["ellipsisMask", "int32"],
      ["newAxisMask", "int32"],
      ["shrinkAxisMask", "int32"],
      ["offset", "bool"],
    ],
  },
  ExpOptions: {
    union: 33,
    ops: ["EXP"],
    fields: [],
  },
  TopKV2Options: {
    union: 34,
    ops: ["TOPK_V2"],
    fields: [],
  },
  SplitOptions: {
    union: 35,
    ops: ["SPLIT"],
    fields: [["numSplits", "int32"]],
  },
  LogSoftmaxOptions: {
    union: 36,
    ops: ["LOG_SOFTMAX"],
    fields: [],
  },
  CastOptions: {
    union: 37,
    ops: ["CAST"],
    fields: [
      ["inDataType", "dtype"],
      ["outDataType", "dtype"],
    ],
  },
  DequantizeOptions: {
    union: 38,
    ops: ["DEQUANTIZE"],
    fields: [],
  },
  MaximumMinimumOptions: {
    union: 39,
    ops: ["MAXIMUM", "MINIMUM"],
    fields: [],
  },
  ArgMaxOptions: {
    union: 40,
    ops: ["ARG_MAX"],
    fields: [["outputType", "dtype"]],
  },
  LessOptions: {
    union: 41,
    ops: ["LESS"],
    fields: [],
  },
  NegOptions: {
    union: 42,
    ops: ["NEG"],
    fields: [],
  },
  PadV2Options: {
    union: 43,
    ops: ["PADV2"],
    fields: [],
  },
  GreaterOptions: {
    union: 44,
    ops: ["GREATER"],
    fields: [],
  },
  GreaterEqualOptions: {
    union: 45,
    ops: ["GREATER_EQUAL"],
    fields: [],
  },
  LessEqualOptions: {
    union: 46,
    ops: ["LESS_EQUAL"],
    fields: [],
  },
  SelectOptions: {
    union: 47,
    ops: ["SELECT"],
    fields: [],
  },
  SliceOptions: {
    union: 48,
    ops: ["SLICE"],
    fields: [],
  },
  TransposeConvOptions: {
    union: 49,
    ops: ["TRANSPOSE_CONV"],
    fields: [
      ["padding", "padding"],
      ["strideW", "int32"],
      ["strideH", "int32"],
      ["fusedActivationFunction", "activation"],
      ["quantizedBiasType", "int8"],
    ],
  },
  SparseToDenseOptions: {
    union: 50,
    ops: ["SPARSE_TO_DENSE"],
    fields: [["validateIndices", "bool"]],
  },
  TileOptions: {
    union: 51,
    ops: ["TILE"],
    fields: [],
  },
  ExpandDimsOptions: {
    union: 52,
    ops: ["EXPAND_DIMS"],
    fields: [],
  },
  EqualOptions: {
    union: 53,
    ops: ["EQUAL"],
    fields: [],
  },
  NotEqualOptions: {
    union: 54,
    ops: ["NOT_EQUAL"],
    fields: [],
  },
  ShapeOptions: {
    union: 55,
    ops: ["SHAPE"],
    fields: [["outType", "dtype"]],
  },
  PowOptions: {
    union: 56,
    ops: ["POW"],
    fields: [],
  },
  ArgMinOptions: {
    union: 57,
    ops: ["ARG_MIN"],
    fields: [["outputType", "dtype"]],
  },
  FakeQuantOptions: {
    union: 58,
    ops: ["FAKE_QUANT"],
    fields: [
      ["min", "float32"],
      ["max", "float32"],
      ["numBits", "int32"],
      ["narrowRange", "bool"],
    ],
  },
  PackOptions: {
    union: 59,
    ops: ["PACK"],
    fields: [
      ["valuesCount", "int32"],
      ["axis", "int32"],
    ],
  },
  LogicalOrOptions: {
    union: 60,
    ops: ["LOGICAL_OR"],
    fields: [],
  },
  OneHotOptions: {
    union: 61,
    ops: ["ONE_HOT"],
    fields: [["axis", "int32"]],
  },
  LogicalAndOptions: {
    union: 62,
    ops: ["LOGICAL_AND"],
    fields: [],
  },
  LogicalNotOptions: {
    union: 63,
    ops: ["LOGICAL_NOT"],
    fields: [],
  },
  UnpackOptions: {
    union: 64,
    ops: ["UNPACK"],
    fields: [
      ["num", "int32"],
      ["axis", "int32"],
    ],
  },
  FloorDivOptions: {
    union: 65,
    ops: ["FLOOR_DIV"],
    fields: [],
  },
  SquareOptions: {
    union: 66,
    ops: ["SQUARE"],
    fields: [],
  },
  ZerosLikeOptions: {
    union: 67,
    ops: ["ZEROS_LIKE"],
    fields: [],
  },
  FillOptions: {
    union: 68,
    ops: ["FILL"],
    fields: [],
  },
  BidirectionalSequenceLSTMOptions: {
    union: 69,
    ops: ["BIDIRECTIONAL_SEQUENCE_LSTM"],
    fields: [
      ["fusedActivationFunction", "activation"],
      ["cellClip", "float32"],
      ["projClip", "float32"],
      ["mergeOutputs", "bool"],
      ["timeMajor", "bool", 1],
      ["asymmetricQuantizeInputs", "bool"],
    ],
  },
  BidirectionalSequenceRNNOptions: {
    union: 70,
    ops: ["BIDIRECTIONAL_SEQUENCE_RNN"],
    fields: [
      ["timeMajor", "bool"],
      ["fusedActivationFunction", "activation"],
      ["mergeOutputs", "bool"],
      ["asymmetricQuantizeInputs", "bool"],
    ],
  },
  UnidirectionalSequenceLSTMOptions: {
    union: 71,
    ops: ["UNIDIRECTIONAL_SEQUENCE_LSTM"],
    fields: [
      ["fusedActivationFunction", "activation"],
      ["cellClip", "float32"],
      ["projClip", "float32"],
      ["timeMajor", "bool"],
      ["asymmetricQuantizeInputs", "bool"],
      ["diagonalRecurrentTensors", "bool"],
    ],
  },
  FloorModOptions: {
    union: 72,
    ops: ["FLOOR_MOD"],
    fields: [],
  },
  RangeOptions: {
    union: 73,
    ops: ["RANGE"],
    fields: [],
  },
  ResizeNearestNeighborOptions: {
    union: 74,
    ops: ["RESIZE_NEAREST_NEIGHBOR"],
    fields: [
      ["alignCorners", "bool"],
      ["halfPixelCenters", "bool"],
    ],
  },
  LeakyReluOptions: {
    union: 75,
    ops: ["LEAKY_RELU"],
    fields: [["alpha", "float32"]],
  },
  SquaredDifferenceOptions: {
    union: 76,
    ops: ["SQUARED_DIFFERENCE"],
    fields: [],
  },
  MirrorPadOptions: {
    union: 77,
    ops: ["MIRROR_PAD"],
    fields: [["mode", "int8"]],
  },
  AbsOptions: {
    union: 78,
    ops: ["ABS"],
    fields: [],
  },
  SplitVOptions: {
    union: 79,
    ops: ["SPLIT_V"],
    fields: [["numSplits", "int32"]],
  },
  UniqueOptions: {
    union: 80,
    ops: ["UNIQUE"],
    fields: [["idxOutType", "dtype", 2]],
  },
  ReverseV2Options: {
    union: 81,
    ops: ["REVERSE_V2"],
    fields: [],
  },
  AddNOptions: {
    union: 82,
    ops: ["ADD_N"],
    fields: [],
  },
  GatherNdOptions: {
    union: 83,
    ops: ["GATHER_ND"],
    fields: [],
  },
  CosOptions: {
    union: 84,
    ops: ["COS"],
    fields: [],
  },
  WhereOptions: {
    union: 85,
    ops: ["WHERE"],
    fields: [],
  },
  RankOptions: {
    union: 86,
    ops: ["RANK"],
    fields: [],
  },
  ReverseSequenceOptions: {
    union: 87,
    ops: ["REVERSE_SEQUENCE"],
    fields: [
      ["seqDim", "int32"],
      ["batchDim", "int32"],
    ],
  },
  MatrixDiagOptions: {
    union: 88,
    ops: ["MATRIX_DIAG"],
    fields: [],
  },
  QuantizeOptions: {
    union: 89,
    ops: ["QUANTIZE"],
    fields: [],
  },
  MatrixSetDiagOptions: {
    union: 90,
    ops: ["MATRIX_SET_DIAG"],
    fields: [],
  },
  HardSwishOptions: {
    union: 91,
    ops: ["HARD_SWISH"],
    fields: [],
  },
  IfOptions: {
    union: 92,
    ops: ["IF"],
    fields: [
      ["thenSubgraphIndex", "int32"],
      ["elseSubgraphIndex", "int32"],
    ],
  },
  WhileOptions: {
    union: 93,
    ops: ["WHILE"],
    fields: [
      ["condSubgraphIndex", "int32"],
      ["bodySubgraphIndex", "int32"],
    ],
  },
  DepthToSpaceOptions: {
    union: 94,
    ops: ["DEPTH_TO_SPACE"],
    fields: [["blockSize", "int32"]],
  },
  NonMaxSuppressionV4Options: {
    union: 95,
    ops: ["NON_MAX_SUPPRESSION_V4"],
    fields: [],
  },
  NonMaxSuppressionV5Options: {
    union: 96,
    ops: ["NON_MAX_SUPPRESSION_V5"],
    fields: [],
  },
  ScatterNdOptions: {
    union: 97,
    ops: ["SCATTER_ND"],
    fields: [],
  },
  SelectV2Options: {
    union: 98,
    ops: ["SELECT_V2"],
    fields: [],
  },
  DensifyOptions: {
    union: 99,
    ops: ["DENSIFY"],
    fields: [],
  },
  SegmentSumOptions: {
    union: 100,
    ops: ["SEGMENT_SUM"],
    fields: [],
  },
  BatchMatMulOptions: {
    union: 101,
    ops: ["BATCH_MATMUL"],
    fields: [
      ["adjX", "bool"],
      ["adjY", "bool"],
      ["asymmetricQuantizeInputs", "bool"],
    ],
  },
  CumsumOptions: {
    union: 102,
    ops: ["CUMSUM"],
    fields: [
      ["exclusive", "bool"],
      ["reverse", "bool"],
    ],
  },
  CallOnceOptions: {
    union: 103,
    ops: ["CALL_ONCE"],
    fields: [["initSubgraphIndex", "int32"]],
  },
  BroadcastToOptions: {
    union: 104,
    ops: ["BROADCAST_TO"],
    fields: [],
  },
  Rfft2dOptions: {
    union: 105,
    ops: ["RFFT2D"],
    fields: [],
  },
  Conv3DOptions: {
    union: 106,
    ops: ["CONV_3D", "CONV_3D_TRANSPOSE"],
    fields: [
      ["padding", "padding"],
      ["strideD", "int32"],
      ["strideW", "int32"],
      ["strideH", "int32"],
      ["fusedActivationFunction", "activation"],
      ["dilationDFactor", "int32", 1],
      ["dilationWFactor", "int32", 1],
      ["dilationHFactor", "int32", 1],
    ],
  },
  HashtableOptions: {
    union: 107,
    ops: ["HASHTABLE"],
    fields: [
      ["tableId", "int32"],
      ["keyDtype", "dtype"],
      ["valueDtype", "dtype"],
    ],
  },
  HashtableFindOptions: {
    union: 108,
    ops: ["HASHTABLE_FIND"],
    fields: [],
  },
  HashtableImportOptions: {
    union: 109,
    ops: ["HASHTABLE_IMPORT"],
    fields: [],
  },
  HashtableSizeOptions: {
    union: 110,
    ops: ["HASHTABLE_SIZE"],
    fields: [],
  },
  VarHandleOptions: {
    union: 111,
    ops: ["VAR_HANDLE"],
    fields: [
      ["container", "string"],
      ["sharedName", "string"],
    ],
  },
  ReadVariableOptions: {
    union: 112,
    ops: ["READ_VARIABLE"],
    fields: [],
  },
  AssignVariableOptions: {
    union: 113,
    ops: ["ASSIGN_VARIABLE"],
    fields: [],
  },
  RandomOptions: {
    union: 114,
    ops: ["RANDOM_STANDARD_NORMAL", "RANDOM_UNIFORM", "MULTINOMIAL"],
    fields: [
      ["seed", "int64"],
      ["seed2", "int64"],
    ],
  },
  BucketizeOptions: {
    union: 115,
    ops: ["BUCKETIZE"],
    fields: [["boundaries", "[float32]"]],
  },
  GeluOptions: {
    union: 116,
    ops: ["GELU"],
    fields: [["approximate", "bool"]],
  },
  DynamicUpdateSliceOptions: {
    union: 117,
    ops: ["DYNAMIC_UPDATE_SLICE"],
    fields: [],
  },
  UnsortedSegmentProdOptions: {
    union: 118,
    ops: ["UNSORTED_SEGMENT_PROD"],
    fields: [],
  },
  UnsortedSegmentMaxOptions: {
    union: 119,
    ops: ["UNSORTED_SEGMENT_MAX"],
    fields: [],
  },
  UnsortedSegmentMinOptions: {
    union: 120,
    ops: ["UNSORTED_SEGMENT_MIN"],
    fields: [],
  },
  UnsortedSegmentSumOptions: {
    union: 121,
    ops: ["UNSORTED_SEGMENT_SUM"],
    fields: [],
  },
  ATan2Options: {
    union: 122,
    ops: ["ATAN2"],
    fields: [],
  },
  SignOptions: {
    union: 123,
    ops: ["SIGN"],
    fields: [],
  },
  BitcastOptions: {
    union: 124,
    ops: ["BITCAST"],
    fields: [],
  },
  BitwiseXorOptions: {
    union: 125,
    ops: ["BITWISE_XOR"],
    fields: [],
  },
  RightShiftOptions: {
    union: 126,
    ops: ["RIGHT_SHIFT"],
    fields: [],
  },
} as const satisfies Record<string, OptionsTableSpec>;

/** Members of the `builtin_options_2` union (`Operator.builtinOptions2`): StableHLO and newer. */
export const BUILTIN_OPTIONS_2_TABLES = {
  StablehloConcatenateOptions: {
    union: 1,
    ops: ["STABLEHLO_CONCATENATE"],
    fields: [["dimension", "int64"]],
  },
  StablehloBroadcastInDimOptions: {
    union: 2,
    ops: ["STABLEHLO_BROADCAST_IN_DIM"],
    fields: [["broadcastDimensions", "[int64]"]],
  },
  StablehloSliceOptions: {
    union: 3,
    ops: ["STABLEHLO_SLICE"],
    fields: [
      ["startIndices", "[int64]"],
      ["limitIndices", "[int64]"],
      ["strides", "[int64]"],
    ],
  },
  StablehloConvolutionOptions: {
    union: 4,
    ops: ["STABLEHLO_CONVOLUTION"],
    fields: [
      ["windowStrides", "[int64]"],
      ["padding", "[int64]"],
      ["lhsDilation", "[int64]"],
      ["rhsDilation", "[int64]"],
      ["windowReversal", "[bool]"],
      ["inputBatchDimension", "int64"],
      ["inputFeatureDimension", "int64"],
      ["inputSpatialDimensions", "[int64]"],
      ["kernelInputFeatureDimension", "int64"],
      ["kernelOutputFeatureDimension", "int64"],
      ["kernelSpatialDimensions", "[int64]"],
      ["outputBatchDimension", "int64"],
      ["outputFeatureDimension", "int64"],
      ["outputSpatialDimensions", "[int64]"],
      ["featureGroupCount", "int64"],
      ["batchGroupCount", "int64"],
      ["precisionConfig", "[uint32]"],
    ],
  },
  StablehloCustomCallOptions: {
    union: 5,
    ops: ["STABLEHLO_CUSTOM_CALL"],
    fields: [
      ["callTargetName", "string"],
      ["hasSideEffect", "bool"],
      ["backendConfig", "string"],
      ["apiVersion", "int32"],
      ["calledComputations", "[int32]"],
      ["customAttributes", "[uint8]"],
    ],
  },
  StablehloReduceOptions: {
    union: 6,
    ops: ["STABLEHLO_REDUCE"],
    fields: [
      ["dimensions", "[int64]"],
      ["bodySubgraphIndex", "int32"],
    ],
  },
  StablehloScatterOptions: {
    union: 7,
    ops: ["STABLEHLO_SCATTER"],
    fields: [
      ["indicesAreSorted", "bool"],
      ["updateWindowDims", "[int64]"],
      ["insertedWindowDims", "[int64]"],
      ["scatterDimsToOperandDims", "[int64]"],
      ["indexVectorDim", "int64"],
      ["uniqueIndices", "bool"],
      ["updateComputationSubgraphIndex", "int32"],
    ],
  },
  StablehloCompareOptions: {
    union: 8,
    ops: ["STABLEHLO_COMPARE"],
    fields: [
      ["comparisonDirection", "uint32"],
      ["compareType", "uint32"],
    ],
  },
  StablehloDynamicSliceOptions: {
    union: 9,
    ops: ["STABLEHLO_DYNAMIC_SLICE"],
    fields: [["sliceSizes", "[int64]"]],
  },
  StablehloPadOptions: {
    union: 10,
    ops: ["STABLEHLO_PAD"],
    fields: [
      ["edgePaddingLow", "[int64]"],
      ["edgePaddingHigh", "[int64]"],
      ["interiorPadding", "[int64]"],
    ],
  },
  StablehloIotaOptions: {
    union: 11,
    ops: ["STABLEHLO_IOTA"],
    fields: [["iotaDimension", "int64"]],
  },
  StablehloDotGeneralOptions: {
    union: 12,
    ops: ["STABLEHLO_DOT_GENERAL"],
    fields: [
      ["lhsBatchingDimensions", "[int64]"],
      ["rhsBatchingDimensions", "[int64]"],
      ["lhsContractingDimensions", "[int64]"],
      ["rhsContractingDimensions", "[int64]"],
      ["precisionConfig", "[uint32]"],
    ],
  },
  StablehloReduceWindowOptions: {
    union: 13,
    ops: ["STABLEHLO_REDUCE_WINDOW"],
    fields: [
      ["windowDimensions", "[int64]"],
      ["windowStrides", "[int64]"],
      ["baseDilations", "[int64]"],
      ["windowDilations", "[int64]"],
      ["padding", "[int64]"],
      ["bodySubgraphIndex", "int32"],
    ],
  },
  StablehloSortOptions: {
    union: 14,
    ops: ["STABLEHLO_SORT"],
    fields: [
      ["dimension", "int64"],
      ["isStable", "bool"],
      ["comparatorSubgraphIndex", "int32"],
    ],
  },
  StablehloWhileOptions: {
    union: 15,
    ops: ["STABLEHLO_WHILE"],
    fields: [
      ["condSubgraphIndex", "int32"],
      ["bodySubgraphIndex", "int32"],
    ],
  },
  StablehloGatherOptions: {
    union: 16,
    ops: ["STABLEHLO_GATHER"],
    fields: [
      ["offsetDims", "[int64]"],
      ["collapsedSliceDims", "[int64]"],
      ["startIndexMap", "[int64]"],
      ["indexVectorDim", "int64"],
      ["sliceSizes", "[int64]"],
      ["indicesAreSorted", "bool"],
    ],
  },
  StablehloTransposeOptions: {
    union: 17,
    ops: ["STABLEHLO_TRANSPOSE"],
    fields: [["permutation", "[int64]"]],
  },
  DilateOptions: {
    union: 18,
    ops: ["DILATE"],
    fields: [],
  },
  StablehloRngBitGeneratorOptions: {
    union: 19,
    ops: ["STABLEHLO_RNG_BIT_GENERATOR"],
    fields: [["algorithm", "int8"]],
  },
  ReduceWindowOptions: {
    union: 20,
    ops: ["REDUCE_WINDOW"],
    fields: [["reduceFunction", "int32"]],
  },
  StableHLOCompositeOptions: {
    union: 21,
    ops: ["STABLEHLO_COMPOSITE"],
    fields: [
      ["name", "string"],
      ["decompositionSubgraphIndex", "int32"],
      ["compositeAttributes", "[uint8]"],
      ["compositeAttributesFormat", "int8"],
      ["version", "int32"],
    ],
  },
  StablehloShiftLeftOptions: {
    union: 22,
    ops: ["STABLEHLO_SHIFT_LEFT"],
    fields: [],
  },
  StablehloCaseOptions: {
    union: 23,
    ops: ["STABLEHLO_CASE"],
    fields: [["branchSubgraphIndices", "[int32]"]],
  },
} as const satisfies Record<string, OptionsTableSpec>;
