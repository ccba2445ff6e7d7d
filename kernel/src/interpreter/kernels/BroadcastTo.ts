/**
 * BROADCAST_TO: the input broadcast to `shape` (2nd input, int32 or int64, known at allocation)
 * by numpy rules: dimensions align on the right, and each input dimension must be 1 or equal to
 * the target's; the target's rank may not be smaller than the input's. Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { broadcastIndex } from "./layout";
import { constantInts, copyByMap, expectSameEncoding } from "./movement";

export const BroadcastTo: Kernel = {
  op: "BROADCAST_TO",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const shapeTensor = node.input(1);
    const shape = constantInts(node, shapeTensor, "shape");
    const offset = shape.length - input.shape.length;
    const fits = offset >= 0 && input.shape.every((d, i) => d === 1 || d === shape[i + offset]);
    if (!fits || shape.some((d) => d < 0)) {
      throw node.shapeError(
        `cannot broadcast '${input.name}' [${input.shape.join(", ")}] to shape '${shapeTensor.name}' ` +
          `[${shape.join(", ")}]`,
      );
    }
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, input, output);
    return copyByMap(node, input, output, broadcastIndex(input.shape, shape));
  },
};
