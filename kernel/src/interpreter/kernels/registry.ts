/**
 * The interpreter's kernels, one per builtin op, keyed by the schema's builtin code.
 */
import { BuiltinOperator } from "../../ir";
import { Abs } from "./Abs";
import { Add } from "./Add";
import { ArgMax } from "./ArgMax";
import { ArgMin } from "./ArgMin";
import { AveragePool2D } from "./AveragePool2D";
import { BatchMatMul } from "./BatchMatMul";
import { BatchToSpaceNd } from "./BatchToSpaceNd";
import { BroadcastTo } from "./BroadcastTo";
import { Cast } from "./Cast";
import { Concatenation } from "./Concatenation";
import { Conv2D } from "./Conv2D";
import { DepthToSpace } from "./DepthToSpace";
import { DepthwiseConv2D } from "./DepthwiseConv2D";
import { Dequantize } from "./Dequantize";
import { Div } from "./Div";
import { Elu } from "./Elu";
import { EmbeddingLookup } from "./EmbeddingLookup";
import { Equal } from "./Equal";
import { Exp } from "./Exp";
import { ExpandDims } from "./ExpandDims";
import { Fill } from "./Fill";
import { FullyConnected } from "./FullyConnected";
import { Gather } from "./Gather";
import { GatherNd } from "./GatherNd";
import { Gelu } from "./Gelu";
import { Greater } from "./Greater";
import { GreaterEqual } from "./GreaterEqual";
import { HardSwish } from "./HardSwish";
import { If } from "./If";
import type { Kernel } from "./kernel";
import { L2Normalization } from "./L2Normalization";
import { LeakyRelu } from "./LeakyRelu";
import { Less } from "./Less";
import { LessEqual } from "./LessEqual";
import { Log } from "./Log";
import { LogicalAnd } from "./LogicalAnd";
import { LogicalNot } from "./LogicalNot";
import { LogicalOr } from "./LogicalOr";
import { Logistic } from "./Logistic";
import { LogSoftmax } from "./LogSoftmax";
import { Maximum } from "./Maximum";
import { MaxPool2D } from "./MaxPool2D";
import { Mean } from "./Mean";
import { Minimum } from "./Minimum";
import { MirrorPad } from "./MirrorPad";
import { Mul } from "./Mul";
import { Neg } from "./Neg";
import { NotEqual } from "./NotEqual";
import { Pack } from "./Pack";
import { Pad } from "./Pad";
import { PadV2 } from "./PadV2";
import { Prelu } from "./Prelu";
import { Quantize } from "./Quantize";
import { ReduceMax } from "./ReduceMax";
import { ReduceMin } from "./ReduceMin";
import { ReduceProd } from "./ReduceProd";
import { Relu } from "./Relu";
import { Relu0To1 } from "./Relu0To1";
import { Relu6 } from "./Relu6";
import { ReluN1To1 } from "./ReluN1To1";
import { Reshape } from "./Reshape";
import { ResizeBilinear } from "./ResizeBilinear";
import { ResizeNearestNeighbor } from "./ResizeNearestNeighbor";
import { Rsqrt } from "./Rsqrt";
import { Select, SelectV2 } from "./SelectV2";
import { Shape } from "./Shape";
import { Slice } from "./Slice";
import { Softmax } from "./Softmax";
import { SpaceToBatchNd } from "./SpaceToBatchNd";
import { SpaceToDepth } from "./SpaceToDepth";
import { Split } from "./Split";
import { SplitV } from "./SplitV";
import { Sqrt } from "./Sqrt";
import { SquaredDifference } from "./SquaredDifference";
import { Squeeze } from "./Squeeze";
import { StridedSlice } from "./StridedSlice";
import { Sub } from "./Sub";
import { Sum } from "./Sum";
import { Tanh } from "./Tanh";
import { Tile } from "./Tile";
import { Transpose } from "./Transpose";
import { TransposeConv } from "./TransposeConv";
import { UnidirectionalSequenceLstm } from "./UnidirectionalSequenceLstm";
import { Unpack } from "./Unpack";
import { While } from "./While";
import { ZerosLike } from "./ZerosLike";

export const KERNELS: readonly Kernel[] = [
  Abs,
  Add,
  ArgMax,
  ArgMin,
  AveragePool2D,
  BatchMatMul,
  BatchToSpaceNd,
  BroadcastTo,
  Cast,
  Concatenation,
  Conv2D,
  DepthToSpace,
  DepthwiseConv2D,
  Dequantize,
  Div,
  Elu,
  EmbeddingLookup,
  Equal,
  Exp,
  ExpandDims,
  Fill,
  FullyConnected,
  Gather,
  GatherNd,
  Gelu,
  Greater,
  GreaterEqual,
  HardSwish,
  If,
  L2Normalization,
  LeakyRelu,
  Less,
  LessEqual,
  Log,
  LogicalAnd,
  LogicalNot,
  LogicalOr,
  Logistic,
  LogSoftmax,
  Maximum,
  MaxPool2D,
  Mean,
  Minimum,
  MirrorPad,
  Mul,
  Neg,
  NotEqual,
  Pack,
  Pad,
  PadV2,
  Prelu,
  Quantize,
  ReduceMax,
  ReduceMin,
  ReduceProd,
  Relu,
  Relu0To1,
  Relu6,
  ReluN1To1,
  Reshape,
  ResizeBilinear,
  ResizeNearestNeighbor,
  Rsqrt,
  Select,
  SelectV2,
  Shape,
  Slice,
  Softmax,
  SpaceToBatchNd,
  SpaceToDepth,
  Split,
  SplitV,
  Sqrt,
  SquaredDifference,
  Squeeze,
  StridedSlice,
  Sub,
  Sum,
  Tanh,
  Tile,
  Transpose,
  TransposeConv,
  UnidirectionalSequenceLstm,
  Unpack,
  While,
  ZerosLike,
];

const BY_CODE = new Map<number, Kernel>(KERNELS.map((k) => [BuiltinOperator[k.op], k]));

/** The kernel of a builtin code, or `undefined` if the interpreter has none. */
export function kernelFor(builtinCode: number): Kernel | undefined {
  return BY_CODE.get(builtinCode);
}
