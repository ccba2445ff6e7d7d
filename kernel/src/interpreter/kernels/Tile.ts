/**
 * TILE: the input repeated multiples[d] times along each dimension d: out[c] = in[c mod shape]
 * with output shape[d] = shape[d]·multiples[d]. `multiples` (int32 or int64, known at
 * allocation) has one non-negative entry per dimension. Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";
import { constantInts, copyByMap, expectSameEncoding, indexMap } from "./movement";

export const Tile: Kernel = {
  op: "TILE",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const multTensor = node.input(1);
    const multiples = constantInts(node, multTensor, "multiples");
    const rank = input.shape.length;
    if (multiples.length !== rank || multiples.some((m) => m < 0)) {
      throw node.shapeError(
        `multiples '${multTensor.name}' [${multiples.join(", ")}] must hold ${rank} ` +
          `non-negative values for '${input.name}' [${input.shape.join(", ")}]`,
      );
    }
    const shape = input.shape.map((d, i) => d * (multiples[i] ?? 1));
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, input, output);
    const inStrides = strides(input.shape);
    const map = indexMap(shape, (c) => {
      let o = 0;
      for (let d = 0; d < c.length; d++)
        o += ((c[d] ?? 0) % (input.shape[d] ?? 1)) * (inStrides[d] ?? 0);
      return o;
    });
    return copyByMap(node, input, output, map);
  },
};
