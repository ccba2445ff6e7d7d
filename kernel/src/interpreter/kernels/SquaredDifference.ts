/**
 * SQUARED_DIFFERENCE: y = (a − b)², numpy broadcasting. float32: the difference and the
 * square each rounded to float32. int32: (a − b)·(a − b) with 32-bit wrap-around.
 */
import type { Node } from "../node";
import { prepareBinary } from "./binary";
import type { Eval, Kernel } from "./kernel";

export const SquaredDifference: Kernel = {
  op: "SQUARED_DIFFERENCE",
  prepare(node: Node): Eval {
    const { a, b, output, aIndex, bIndex, size } = prepareBinary(node);
    if (a.dtype === "float32") {
      const x1 = node.f32(a);
      const x2 = node.f32(b);
      const y = node.f32(output);
      return () => {
        for (let i = 0; i < size; i++) {
          const d = Math.fround(x1[aIndex[i]] - x2[bIndex[i]]);
          y[i] = Math.fround(d * d);
        }
      };
    }
    if (a.dtype === "int32") {
      const x1 = node.i32(a);
      const x2 = node.i32(b);
      const y = node.i32(output);
      return () => {
        for (let i = 0; i < size; i++) {
          const d = (x1[aIndex[i]] - x2[bIndex[i]]) | 0;
          y[i] = Math.imul(d, d);
        }
      };
    }
    throw node.unsupported(
      `input '${a.name}' has type ${a.dtype}; SQUARED_DIFFERENCE takes float32, int32`,
    );
  },
};
