/**
 * EXPAND_DIMS: the input with a dimension of size 1 inserted at `axis` (2nd input, a scalar or
 * one-element int32/int64, known at allocation; negative counts from the end of the output's
 * rank r + 1, so −1 appends). The elements are copied unchanged; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { bytesOf } from "./layout";
import { constantInts, expectSameEncoding, resolveAxis } from "./movement";

export const ExpandDims: Kernel = {
  op: "EXPAND_DIMS",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const axisTensor = node.input(1);
    const values = constantInts(node, axisTensor, "axis");
    if (values.length !== 1) {
      throw node.shapeError(
        `axis '${axisTensor.name}' must hold one value, found [${values.join(", ")}]`,
      );
    }
    const rank = input.shape.length;
    const axis = resolveAxis(node, values[0] ?? 0, rank + 1);
    const shape = [...input.shape.slice(0, axis), 1, ...input.shape.slice(axis)];
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, input, output);
    const src = bytesOf(input.data);
    const dst = bytesOf(output.data);
    return () => dst.set(src);
  },
};
