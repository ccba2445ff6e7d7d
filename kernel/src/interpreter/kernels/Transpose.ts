/**
 * TRANSPOSE: out[c₀, …, c_{r−1}] = in[…] with input axis perm[i] at output position i, i.e.
 * output shape[i] = input shape[perm[i]]. `perm` (int32, known at allocation) must be a
 * permutation of 0…r−1 (LiteRT refuses negative entries too). Any dtype; quantized tensors keep
 * their scale and zero point.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";
import { constantInts, copyByMap, expectSameEncoding, indexMap } from "./movement";

export const Transpose: Kernel = {
  op: "TRANSPOSE",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const permTensor = node.input(1);
    if (permTensor.dtype !== "int32") {
      // LiteRT reads perm as int32 data whatever its type: an int64 perm would be misread.
      throw node.unsupported(`perm '${permTensor.name}' must be int32, found ${permTensor.dtype}`);
    }
    const perm = constantInts(node, permTensor, "perm");
    const rank = input.shape.length;
    const sorted = [...perm].sort((a, b) => a - b);
    if (perm.length !== rank || sorted.some((p, i) => p !== i)) {
      throw node.shapeError(
        `perm '${permTensor.name}' [${perm.join(", ")}] is not a permutation of the ${rank} axes ` +
          `of '${input.name}' [${input.shape.join(", ")}]`,
      );
    }
    const shape = perm.map((p) => input.shape[p] ?? 1);
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, input, output);
    const inStrides = strides(input.shape);
    const step = perm.map((p) => inStrides[p] ?? 0);
    const map = indexMap(shape, (c) => {
      let o = 0;
      for (let d = 0; d < c.length; d++) o += (c[d] ?? 0) * (step[d] ?? 0);
      return o;
    });
    return copyByMap(node, input, output, map);
  },
};
