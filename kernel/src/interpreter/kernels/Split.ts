/**
 * SPLIT: inputs (axis, value) — note the order — with SplitOptions.numSplits equal outputs:
 * the value's dimension `axis` (a scalar int32, known at allocation; negative counts from the
 * end) must be divisible by numSplits. Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { constantInts, resolveAxis } from "./movement";
import { splitAlong } from "./splitting";

export const Split: Kernel = {
  op: "SPLIT",
  prepare(node: Node): Eval {
    const o = node.options("SplitOptions");
    const axisTensor = node.input(0);
    const input = node.input(1);
    const values = constantInts(node, axisTensor, "axis");
    if (values.length !== 1) {
      throw node.shapeError(
        `axis '${axisTensor.name}' must hold one value, found ${values.length}`,
      );
    }
    const axis = resolveAxis(node, values[0] ?? 0, input.shape.length);
    const dim = input.shape[axis] ?? 0;
    const n = o.numSplits;
    if (n <= 0 || dim % n !== 0) {
      throw node.shapeError(
        `dimension ${axis} of '${input.name}' [${input.shape.join(", ")}] cannot be split into ` +
          `${n} equal parts`,
      );
    }
    return splitAlong(node, 1, axis, new Array<number>(n).fill(dim / n), false);
  },
};
