/**
 * EMBEDDING_LOOKUP: inputs (lookup: int32 vector of row ids, read at each invoke; value: table
 * of rank ≥ 2); out[i, …] = value[lookup[i], …], output shape [len(lookup), value[1:]…]. Same
 * dtype in and out: a copy (any dtype; int8 rows keep their scale). int8 table with a float32
 * output (hybrid, what dynamic-range quantization writes): out = f32(q · s) with s the table's
 * scale, or row lookup[i]'s scale when quantized per row (axis 0); zero points must be 0, as
 * LiteRT requires. A row id outside [0, rows) is an error at invoke, as in LiteRT.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { bytesOf } from "./layout";
import { expectSameEncoding, indexOutOfRange, indexReader } from "./movement";

export const EmbeddingLookup: Kernel = {
  op: "EMBEDDING_LOOKUP",
  prepare(node: Node): Eval {
    const lookup = node.input(0);
    const value = node.input(1);
    node.expectRank(lookup, 1);
    if (value.shape.length < 2) {
      throw node.shapeError(
        `value '${value.name}' must have rank ≥ 2, found [${value.shape.join(", ")}]`,
      );
    }
    const read = indexReader(node, lookup, ["int32"]);
    const n = lookup.shape[0] ?? 0;
    const rows = value.shape[0] ?? 0;
    const output = node.allocateOutput(0, [n, ...value.shape.slice(1)]);
    const cols = shapeSize(value.shape.slice(1));
    const check = (i: number): number => {
      const idx = read(i);
      if (idx < 0 || idx >= rows) {
        throw indexOutOfRange(node, lookup, idx, rows, `the rows of '${value.name}'`);
      }
      return idx;
    };

    if (value.dtype === "int8" && output.dtype === "float32") {
      const q = node.quantization(value);
      if (q.zeroPoints.some((z) => z !== 0)) {
        throw node.unsupported(`hybrid table '${value.name}' must be symmetric (zero point 0)`);
      }
      if (q.scales.length > 1 && (q.quantizedDimension !== 0 || q.scales.length !== rows)) {
        throw node.unsupported(
          `table '${value.name}' must be quantized per tensor or per row (axis 0 with ${rows} ` +
            `scales), found ${q.scales.length} scales along axis ${q.quantizedDimension}`,
        );
      }
      const scales = Float32Array.from(q.scales);
      const x = node.i8(value);
      const y = node.f32(output);
      return () => {
        for (let i = 0; i < n; i++) {
          const idx = check(i);
          const s = scales.length > 1 ? (scales[idx] ?? 0) : (scales[0] ?? 0);
          for (let j = 0; j < cols; j++) y[i * cols + j] = (x[idx * cols + j] ?? 0) * s;
        }
      };
    }

    expectSameEncoding(node, value, output);
    const rowBytes = cols * value.data.BYTES_PER_ELEMENT;
    const src = bytesOf(value.data);
    const dst = bytesOf(output.data);
    return () => {
      for (let i = 0; i < n; i++) {
        const from = check(i) * rowBytes;
        dst.set(src.subarray(from, from + rowBytes), i * rowBytes);
      }
    };
  },
};
