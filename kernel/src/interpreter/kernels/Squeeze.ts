/**
 * SQUEEZE: the input without the size-1 dimensions listed in SqueezeOptions.squeezeDims
 * (negative counts from the end), or without every size-1 dimension when the list is absent or
 * empty. Listing a dimension whose size is not 1 is an error, as in LiteRT. Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { bytesOf } from "./layout";
import { expectSameEncoding, resolveAxis } from "./movement";

export const Squeeze: Kernel = {
  op: "SQUEEZE",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const dims = node.optionsOrNull("SqueezeOptions")?.squeezeDims ?? [];
    const rank = input.shape.length;
    const drop = new Set<number>();
    if (dims.length === 0) {
      input.shape.forEach((d, i) => {
        if (d === 1) drop.add(i);
      });
    }
    for (const a of dims) {
      const axis = resolveAxis(node, a, rank, "squeeze dimension");
      if (input.shape[axis] !== 1) {
        throw node.shapeError(
          `cannot squeeze dimension ${a} of '${input.name}' [${input.shape.join(", ")}]: its ` +
            `size is ${input.shape[axis]}, expected 1`,
        );
      }
      drop.add(axis);
    }
    const output = node.allocateOutput(
      0,
      input.shape.filter((_, i) => !drop.has(i)),
    );
    expectSameEncoding(node, input, output);
    const src = bytesOf(input.data);
    const dst = bytesOf(output.data);
    return () => dst.set(src);
  },
};
