/**
 * The interpreter's kernels, one per builtin op, keyed by the schema's builtin code.
 */
import { BuiltinOperator } from "../../ir";
import { Add } from "./Add";
import { AveragePool2D } from "./AveragePool2D";
import { Concatenation } from "./Concatenation";
import { Conv2D } from "./Conv2D";
import { DepthwiseConv2D } from "./DepthwiseConv2D";
import { Dequantize } from "./Dequantize";
import { FullyConnected } from "./FullyConnected";
import { If } from "./If";
import type { Kernel } from "./kernel";
import { Logistic } from "./Logistic";
import { MaxPool2D } from "./MaxPool2D";
import { Mean } from "./Mean";
import { Mul } from "./Mul";
import { Pack } from "./Pack";
import { Pad } from "./Pad";
import { Quantize } from "./Quantize";
import { Relu } from "./Relu";
import { Relu6 } from "./Relu6";
import { Reshape } from "./Reshape";
import { Shape } from "./Shape";
import { Softmax } from "./Softmax";
import { StridedSlice } from "./StridedSlice";
import { Tanh } from "./Tanh";
import { UnidirectionalSequenceLstm } from "./UnidirectionalSequenceLstm";
import { While } from "./While";

export const KERNELS: readonly Kernel[] = [
  Add,
  AveragePool2D,
  Concatenation,
  Conv2D,
  DepthwiseConv2D,
  Dequantize,
  FullyConnected,
  If,
  Logistic,
  MaxPool2D,
  Mean,
  Mul,
  Pack,
  Pad,
  Quantize,
  Relu,
  Relu6,
  Reshape,
  Shape,
  Softmax,
  StridedSlice,
  Tanh,
  UnidirectionalSequenceLstm,
  While,
];

const BY_CODE = new Map<number, Kernel>(KERNELS.map((k) => [BuiltinOperator[k.op], k]));

/** The kernel of a builtin code, or `undefined` if the interpreter has none. */
export function kernelFor(builtinCode: number): Kernel | undefined {
  return BY_CODE.get(builtinCode);
}
