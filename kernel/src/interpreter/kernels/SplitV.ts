/**
 * SPLIT_V: inputs (value, size_splits, axis): output k takes size_splits[k] elements along
 * `axis` (scalar int32, negative counts from the end). size_splits (int32 or int64, known at
 * allocation) has one entry per output and may hold one −1, which takes what is left; the sizes
 * must add up to the dimension. Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { constantInts, resolveAxis } from "./movement";
import { splitAlong } from "./splitting";

export const SplitV: Kernel = {
  op: "SPLIT_V",
  prepare(node: Node): Eval {
    const o = node.options("SplitVOptions");
    const input = node.input(0);
    const sizesTensor = node.input(1);
    const axisTensor = node.input(2);
    const sizes = constantInts(node, sizesTensor, "size_splits");
    const axisValues = constantInts(node, axisTensor, "axis");
    if (axisValues.length !== 1) {
      throw node.shapeError(
        `axis '${axisTensor.name}' must hold one value, found ${axisValues.length}`,
      );
    }
    const axis = resolveAxis(node, axisValues[0] ?? 0, input.shape.length);
    const dim = input.shape[axis] ?? 0;
    const unknown = sizes.indexOf(-1);
    const known = sizes.reduce((s, v) => (v === -1 ? s : s + v), 0);
    if (unknown >= 0) sizes[unknown] = dim - known;
    if (
      sizes.length !== o.numSplits ||
      sizes.indexOf(-1, unknown + 1) >= 0 ||
      sizes.some((v) => v < 0) ||
      sizes.reduce((s, v) => s + v, 0) !== dim
    ) {
      throw node.shapeError(
        `size_splits '${sizesTensor.name}' [${constantInts(node, sizesTensor, "size_splits").join(", ")}] ` +
          `does not split dimension ${axis} (${dim}) of '${input.name}' into ${o.numSplits} parts`,
      );
    }
    return splitAlong(node, 0, axis, sizes, false);
  },
};
