/**
 * GATHER_ND: `indices` (int16, int32 or int64, read at each invoke) of shape [..., n] address
 * slices of `params` by their first n coordinates:
 *   out[i, …] = params[indices[i, 0], …, indices[i, n − 1], …]
 * with output shape indices[:−1] ++ params[n:], n ≤ rank(params). A coordinate outside its
 * dimension is an error at invoke (LiteRT checks only that the flat offset stays inside params;
 * tsquant checks every coordinate). Copies; any dtype.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { bytesOf, strides } from "./layout";
import { expectSameEncoding, indexOutOfRange, indexReader } from "./movement";

export const GatherNd: Kernel = {
  op: "GATHER_ND",
  prepare(node: Node): Eval {
    const params = node.input(0);
    const indices = node.input(1);
    const iRank = indices.shape.length;
    const n = indices.shape[iRank - 1] ?? 0;
    if (iRank < 1 || n > params.shape.length) {
      throw node.shapeError(
        `indices '${indices.name}' [${indices.shape.join(", ")}] must end in a dimension of at ` +
          `most the rank of params '${params.name}' [${params.shape.join(", ")}]`,
      );
    }
    const read = indexReader(node, indices, ["int16", "int32", "int64"]);
    const shape = [...indices.shape.slice(0, -1), ...params.shape.slice(n)];
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, params, output);
    const count = shapeSize(indices.shape.slice(0, -1));
    const bytes = params.data.BYTES_PER_ELEMENT;
    const slice = shapeSize(params.shape.slice(n)) * bytes;
    const pStrides = strides(params.shape).map((s) => s * bytes);
    const src = bytesOf(params.data);
    const dst = bytesOf(output.data);
    return () => {
      for (let i = 0; i < count; i++) {
        let from = 0;
        for (let j = 0; j < n; j++) {
          const idx = read(i * n + j);
          const dim = params.shape[j] ?? 0;
          if (idx < 0 || idx >= dim) {
            throw indexOutOfRange(node, indices, idx, dim, `dimension ${j} of '${params.name}'`);
          }
          from += idx * (pStrides[j] ?? 0);
        }
        dst.set(src.subarray(from, from + slice), i * slice);
      }
    };
  },
};
