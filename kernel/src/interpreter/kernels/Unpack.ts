/**
 * UNPACK: the input's dimension `axis` (UnpackOptions.axis, negative counts from the end)
 * removed, one output per index along it (UnpackOptions.num of them, which must equal the
 * dimension). The inverse of PACK. Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { resolveAxis } from "./movement";
import { splitAlong } from "./splitting";

export const Unpack: Kernel = {
  op: "UNPACK",
  prepare(node: Node): Eval {
    const o = node.options("UnpackOptions");
    const input = node.input(0);
    const axis = resolveAxis(node, o.axis, input.shape.length);
    const dim = input.shape[axis] ?? 0;
    if (o.num !== dim) {
      throw node.shapeError(
        `num is ${o.num} but dimension ${axis} of '${input.name}' [${input.shape.join(", ")}] is ${dim}`,
      );
    }
    return splitAlong(node, 0, axis, new Array<number>(dim).fill(1), true);
  },
};
