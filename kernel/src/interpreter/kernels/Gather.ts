/**
 * GATHER: slices of `params` picked along `axis` by `indices` (int16, int32 or int64, read at
 * each invoke). With GatherOptions axis a (negative counts from the end of params' rank) and
 * batchDims b (negative counts from the end of indices' rank; the first b dimensions of params
 * and indices must agree):
 *   out[B, O, C, I] = params[B, O, indices[B, C], I]
 * where B spans params' first b dimensions, O params[b:a], C indices[b:] and I params[a + 1:]:
 * output shape = params[:a] ++ indices[b:] ++ params[a + 1:]. An index outside
 * [0, params.shape[a]) is an error at invoke, as LiteRT's "Gather index out of bounds".
 * Copies; any dtype.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { bytesOf } from "./layout";
import { expectSameEncoding, indexOutOfRange, indexReader, resolveAxis } from "./movement";

export const Gather: Kernel = {
  op: "GATHER",
  prepare(node: Node): Eval {
    const o = node.optionsOrNull("GatherOptions") ?? { axis: 0, batchDims: 0 };
    const params = node.input(0);
    const indices = node.input(1);
    const pRank = params.shape.length;
    const iRank = indices.shape.length;
    const axis = resolveAxis(node, o.axis, pRank);
    const b = o.batchDims < 0 ? o.batchDims + iRank : o.batchDims;
    if (b < 0 || b > iRank || b > axis) {
      throw node.shapeError(
        `batch_dims ${o.batchDims} must lie in [0, ${Math.min(iRank, axis)}] for indices ` +
          `'${indices.name}' of rank ${iRank} and axis ${axis}`,
      );
    }
    for (let d = 0; d < b; d++) {
      if (params.shape[d] !== indices.shape[d]) {
        throw node.shapeError(
          `batch dimension ${d} differs: params '${params.name}' [${params.shape.join(", ")}], ` +
            `indices '${indices.name}' [${indices.shape.join(", ")}]`,
        );
      }
    }
    const read = indexReader(node, indices, ["int16", "int32", "int64"]);
    const shape = [
      ...params.shape.slice(0, axis),
      ...indices.shape.slice(b),
      ...params.shape.slice(axis + 1),
    ];
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, params, output);
    const batch = shapeSize(params.shape.slice(0, b));
    const outer = shapeSize(params.shape.slice(b, axis));
    const coords = shapeSize(indices.shape.slice(b));
    const axisSize = params.shape[axis] ?? 0;
    const inner = shapeSize(params.shape.slice(axis + 1)) * params.data.BYTES_PER_ELEMENT;
    const src = bytesOf(params.data);
    const dst = bytesOf(output.data);
    return () => {
      let at = 0;
      for (let bi = 0; bi < batch; bi++) {
        for (let oi = 0; oi < outer; oi++) {
          const base = (bi * outer + oi) * axisSize;
          for (let c = 0; c < coords; c++) {
            const idx = read(bi * coords + c);
            if (idx < 0 || idx >= axisSize) {
              throw indexOutOfRange(
                node,
                indices,
                idx,
                axisSize,
                `axis ${axis} of '${params.name}'`,
              );
            }
            const from = (base + idx) * inner;
            dst.set(src.subarray(from, from + inner), at);
            at += inner;
          }
        }
      }
    };
  },
};
