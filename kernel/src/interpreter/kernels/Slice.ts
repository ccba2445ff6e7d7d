/**
 * SLICE: out[c] = in[begin + c] with output shape `size`, where begin and size are int32 or
 * int64 vectors (known at allocation) of the input's rank and size −1 means "to the end of the
 * dimension". Every slice must lie inside the input (0 ≤ begin, begin + size ≤ dim), as LiteRT
 * checks. Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";
import { constantInts, copyByMap, expectSameEncoding, indexMap } from "./movement";

export const Slice: Kernel = {
  op: "SLICE",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const beginTensor = node.input(1);
    const sizeTensor = node.input(2);
    const begin = constantInts(node, beginTensor, "begin");
    const size = constantInts(node, sizeTensor, "size");
    const rank = input.shape.length;
    if (begin.length !== rank || size.length !== rank) {
      throw node.shapeError(
        `begin '${beginTensor.name}' [${begin.join(", ")}] and size '${sizeTensor.name}' ` +
          `[${size.join(", ")}] must have one entry per dimension of '${input.name}' ` +
          `[${input.shape.join(", ")}]`,
      );
    }
    const shape = input.shape.map((d, i) => {
      const b = begin[i] ?? 0;
      const s = size[i] ?? 0;
      const n = s === -1 ? d - b : s;
      if (b < 0 || n < 0 || b + n > d) {
        throw node.shapeError(
          `slice begin ${b}, size ${s} of dimension ${i} is outside '${input.name}' ` +
            `[${input.shape.join(", ")}]`,
        );
      }
      return n;
    });
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, input, output);
    const inStrides = strides(input.shape);
    const map = indexMap(shape, (c) => {
      let o = 0;
      for (let d = 0; d < c.length; d++) o += ((c[d] ?? 0) + (begin[d] ?? 0)) * (inStrides[d] ?? 0);
      return o;
    });
    return copyByMap(node, input, output, map);
  },
};
