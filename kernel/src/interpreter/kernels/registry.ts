/**
 * The interpreter's kernels, one per builtin op, keyed by the schema's builtin code.
 */
import { BuiltinOperator } from "../../ir";
import { Abs } from "./Abs";
import { Add } from "./Add";
import { AveragePool2D } from "./AveragePool2D";
import { Cast } from "./Cast";
import { Concatenation } from "./Concatenation";
import { Conv2D } from "./Conv2D";
import { DepthwiseConv2D } from "./DepthwiseConv2D";
import { Dequantize } from "./Dequantize";
import { Div } from "./Div";
import { Elu } from "./Elu";
import { Equal } from "./Equal";
import { Exp } from "./Exp";
import { Fill } from "./Fill";
import { FullyConnected } from "./FullyConnected";
import { Gelu } from "./Gelu";
import { Greater } from "./Greater";
import { GreaterEqual } from "./GreaterEqual";
import { HardSwish } from "./HardSwish";
import { LeakyRelu } from "./LeakyRelu";
import { Less } from "./Less";
import { LessEqual } from "./LessEqual";
import { Log } from "./Log";
import { LogicalAnd } from "./LogicalAnd";
import { LogicalNot } from "./LogicalNot";
import { LogicalOr } from "./LogicalOr";
import { Logistic } from "./Logistic";
import { MaxPool2D } from "./MaxPool2D";
import { Maximum } from "./Maximum";
import { Mean } from "./Mean";
import { Minimum } from "./Minimum";
import { Mul } from "./Mul";
import { Neg } from "./Neg";
import { NotEqual } from "./NotEqual";
import { Pack } from "./Pack";
import { Pad } from "./Pad";
import { Prelu } from "./Prelu";
import { Quantize } from "./Quantize";
import { Relu } from "./Relu";
import { Relu0To1 } from "./Relu0To1";
import { Relu6 } from "./Relu6";
import { ReluN1To1 } from "./ReluN1To1";
import { Reshape } from "./Reshape";
import { Rsqrt } from "./Rsqrt";
import { SelectV2 } from "./SelectV2";
import { Shape } from "./Shape";
import { Softmax } from "./Softmax";
import { Sqrt } from "./Sqrt";
import { SquaredDifference } from "./SquaredDifference";
import { StridedSlice } from "./StridedSlice";
import { Sub } from "./Sub";
import { Tanh } from "./Tanh";
import { ZerosLike } from "./ZerosLike";
import type { Kernel } from "./kernel";

export const KERNELS: readonly Kernel[] = [
  Abs,
  Add,
  AveragePool2D,
  Cast,
  Concatenation,
  Conv2D,
  DepthwiseConv2D,
  Dequantize,
  Div,
  Elu,
  Equal,
  Exp,
  Fill,
  FullyConnected,
  Gelu,
  Greater,
  GreaterEqual,
  HardSwish,
  LeakyRelu,
  Less,
  LessEqual,
  Log,
  LogicalAnd,
  LogicalNot,
  LogicalOr,
  Logistic,
  MaxPool2D,
  Maximum,
  Mean,
  Minimum,
  Mul,
  Neg,
  NotEqual,
  Pack,
  Pad,
  Prelu,
  Quantize,
  Relu,
  Relu0To1,
  Relu6,
  ReluN1To1,
  Reshape,
  Rsqrt,
  SelectV2,
  Shape,
  Softmax,
  Sqrt,
  SquaredDifference,
  StridedSlice,
  Sub,
  Tanh,
  ZerosLike,
];

const BY_CODE = new Map<number, Kernel>(KERNELS.map((k) => [BuiltinOperator[k.op], k]));

/** The kernel of a builtin code, or `undefined` if the interpreter has none. */
export function kernelFor(builtinCode: number): Kernel | undefined {
  return BY_CODE.get(builtinCode);
}
