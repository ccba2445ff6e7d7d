/**
 * Shared prepare step of the broadcasting binary ops (ADD, SUB, MUL, the comparisons, …): check
 * dtypes, broadcast the shapes, allocate the output, and precompute for every output element
 * the flat index of each operand's element.
 */
import type { Activation } from "../../ir";
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
import { quantizedActivationRange } from "./common";
import type { Eval } from "./kernel";
import { broadcastIndex, broadcastShape } from "./layout";

export interface BinaryOperands {
  a: RuntimeTensor;
  b: RuntimeTensor;
  output: RuntimeTensor;
  aIndex: Int32Array;
  bIndex: Int32Array;
  size: number;
  /** Whether the two inputs' shapes differ (TFLite then takes its broadcasting loops). */
  broadcasts: boolean;
}

/** Inputs of one dtype broadcast to the output, whose dtype the caller checks. */
export function prepareBroadcast(node: Node): BinaryOperands {
  const a = node.input(0);
  const b = node.input(1);
  if (a.dtype !== b.dtype) {
    throw node.unsupported(
      `inputs '${a.name}' (${a.dtype}) and '${b.name}' (${b.dtype}) must have the same type`,
    );
  }
  const shape = broadcastShape(node, a.shape, b.shape);
  const output = node.allocateOutput(0, shape);
  return {
    a,
    b,
    output,
    aIndex: broadcastIndex(a.shape, shape),
    bIndex: broadcastIndex(b.shape, shape),
    size: output.data.length,
    broadcasts: a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i]),
  };
}

/** Inputs and output all of one dtype. */
export function prepareBinary(node: Node): BinaryOperands {
  const operands = prepareBroadcast(node);
  const { a, output } = operands;
  if (output.dtype !== a.dtype) {
    throw node.unsupported(
      `output '${output.name}' must have the inputs' type ${a.dtype}, found ${output.dtype}`,
    );
  }
  return operands;
}

/**
 * int32 and int64 arithmetic of ADD, SUB and MUL (shape and index paths): y = clamp(f(a, b)).
 * int32 wraps as the C++ two's-complement arithmetic does (`f32` must return an int32, e.g. with
 * `| 0` or `Math.imul`), clamped to the fused activation's integer range; int64 is BigInt, wrapped
 * to 64 bits, and takes no fused activation (as in TFLite). `null` for other dtypes.
 */
export function prepareWideIntegerArithmetic(
  node: Node,
  operands: BinaryOperands,
  activation: Activation,
  f32: (x: number, y: number) => number,
  f64: (x: bigint, y: bigint) => bigint,
): Eval | null {
  const { a, b, output, aIndex, bIndex, size } = operands;
  if (a.dtype === "int32") {
    const x1 = node.i32(a);
    const x2 = node.i32(b);
    const y = node.i32(output);
    const [min, max] = quantizedActivationRange(node, activation, 1, 0, "int32");
    return () => {
      for (let i = 0; i < size; i++) {
        const v = f32(x1[aIndex[i]], x2[bIndex[i]]);
        y[i] = v < min ? min : v > max ? max : v;
      }
    };
  }
  if (a.dtype === "int64") {
    if (activation !== "NONE") throw node.unsupported(`int64 with fused ${activation}`);
    const x1 = node.i64(a);
    const x2 = node.i64(b);
    const y = node.i64(output);
    return () => {
      for (let i = 0; i < size; i++) y[i] = BigInt.asIntN(64, f64(x1[aIndex[i]], x2[bIndex[i]]));
    };
  }
  return null;
}
