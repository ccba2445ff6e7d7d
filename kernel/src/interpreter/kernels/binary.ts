/**
 * Shared prepare step of the broadcasting binary ops (ADD, SUB, MUL, the comparisons, …): check
 * dtypes, broadcast the shapes, allocate the output, and precompute for every output element
 * the flat index of each operand's element.
 */
import type { Node } from "../node";
import type { RuntimeTensor } from "../tensor";
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
