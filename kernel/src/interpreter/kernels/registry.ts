/**
 * The interpreter's kernels, one per builtin op, keyed by the schema's builtin code.
 */
import { BuiltinOperator } from "../../ir";
import { Add } from "./Add";
import { ArgMax } from "./ArgMax";
import { ArgMin } from "./ArgMin";
import { AveragePool2D } from "./AveragePool2D";
import { BatchToSpaceNd } from "./BatchToSpaceNd";
import { BroadcastTo } from "./BroadcastTo";
import { BatchMatMul } from "./BatchMatMul";
import { Concatenation } from "./Concatenation";
import { Conv2D } from "./Conv2D";
import { DepthToSpace } from "./DepthToSpace";
import { DepthwiseConv2D } from "./DepthwiseConv2D";
import { Dequantize } from "./Dequantize";
import { EmbeddingLookup } from "./EmbeddingLookup";
import { ExpandDims } from "./ExpandDims";
import { FullyConnected } from "./FullyConnected";
import { Gather } from "./Gather";
import { GatherNd } from "./GatherNd";
import type { Kernel } from "./kernel";
import { L2Normalization } from "./L2Normalization";
import { Logistic } from "./Logistic";
import { LogSoftmax } from "./LogSoftmax";
import { MaxPool2D } from "./MaxPool2D";
import { Mean } from "./Mean";
import { MirrorPad } from "./MirrorPad";
import { Mul } from "./Mul";
import { Pack } from "./Pack";
import { Pad } from "./Pad";
import { PadV2 } from "./PadV2";
import { Quantize } from "./Quantize";
import { ReduceMax } from "./ReduceMax";
import { ReduceMin } from "./ReduceMin";
import { ReduceProd } from "./ReduceProd";
import { Relu } from "./Relu";
import { Relu6 } from "./Relu6";
import { Reshape } from "./Reshape";
import { ResizeBilinear } from "./ResizeBilinear";
import { ResizeNearestNeighbor } from "./ResizeNearestNeighbor";
import { Shape } from "./Shape";
import { Slice } from "./Slice";
import { Softmax } from "./Softmax";
import { SpaceToBatchNd } from "./SpaceToBatchNd";
import { SpaceToDepth } from "./SpaceToDepth";
import { Split } from "./Split";
import { SplitV } from "./SplitV";
import { Squeeze } from "./Squeeze";
import { StridedSlice } from "./StridedSlice";
import { Sum } from "./Sum";
import { Tanh } from "./Tanh";
import { Tile } from "./Tile";
import { Transpose } from "./Transpose";
import { Unpack } from "./Unpack";
import { TransposeConv } from "./TransposeConv";

export const KERNELS: readonly Kernel[] = [
  Add,
  ArgMax,
  ArgMin,
  AveragePool2D,
  BatchToSpaceNd,
  BroadcastTo,
  BatchMatMul,
  Concatenation,
  Conv2D,
  DepthToSpace,
  DepthwiseConv2D,
  Dequantize,
  EmbeddingLookup,
  ExpandDims,
  FullyConnected,
  Gather,
  GatherNd,
  L2Normalization,
  Logistic,
  LogSoftmax,
  MaxPool2D,
  Mean,
  MirrorPad,
  Mul,
  Pack,
  Pad,
  PadV2,
  Quantize,
  ReduceMax,
  ReduceMin,
  ReduceProd,
  Relu,
  Relu6,
  Reshape,
  ResizeBilinear,
  ResizeNearestNeighbor,
  Shape,
  Slice,
  Softmax,
  SpaceToBatchNd,
  SpaceToDepth,
  Split,
  SplitV,
  Squeeze,
  StridedSlice,
  Sum,
  Tanh,
  Tile,
  Transpose,
  Unpack,
  TransposeConv,
];

const BY_CODE = new Map<number, Kernel>(KERNELS.map((k) => [BuiltinOperator[k.op], k]));

/** The kernel of a builtin code, or `undefined` if the interpreter has none. */
export function kernelFor(builtinCode: number): Kernel | undefined {
  return BY_CODE.get(builtinCode);
}
