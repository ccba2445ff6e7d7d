/**
 * Shared prepare step of the broadcasting binary ops (ADD, MUL): check dtypes, broadcast the
 * shapes, allocate the output, and precompute for every output element the flat index of each
 * operand's element.
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
}

export function prepareBinary(node: Node): BinaryOperands {
  const a = node.input(0);
  const b = node.input(1);
  if (a.dtype !== b.dtype) throw node.unsupported("the two inputs' types differ");
  const shape = broadcastShape(node, a.shape, b.shape);
  const output = node.allocateOutput(0, shape);
  if (output.dtype !== a.dtype) throw node.unsupported("input and output types differ");
  return {
    a,
    b,
    output,
    aIndex: broadcastIndex(a.shape, shape),
    bIndex: broadcastIndex(b.shape, shape),
    size: output.data.length,
  };
}
