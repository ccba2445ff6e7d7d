/**
 * BATCH_TO_SPACE_ND, the inverse of SPACE_TO_BATCH_ND: inputs (input [B, S₁…S_M, rest…],
 * block_shape [M], crops [M, 2]; the last two int32/int64 known at allocation). With N = B/∏b:
 *   out[n, x₁…x_M, r] = in[k·N + n, ⌊(x₁ + crop₁)/b₁⌋, …, r],  k the row-major index of the
 * offsets ((x_i + crop_i) mod b_i); output spatial S·b − crop_start − crop_end. Copies; any dtype.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";
import { constantInts, copyByMap, expectSameEncoding, indexMap } from "./movement";

export const BatchToSpaceNd: Kernel = {
  op: "BATCH_TO_SPACE_ND",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const blockTensor = node.input(1);
    const cropTensor = node.input(2);
    const block = constantInts(node, blockTensor, "block_shape");
    const crops = constantInts(node, cropTensor, "crops");
    const m = block.length;
    const rank = input.shape.length;
    const blocks = shapeSize(block);
    const inBatch = input.shape[0] ?? 0;
    if (m < 1 || rank < m + 1 || crops.length !== 2 * m || blocks < 1 || inBatch % blocks !== 0) {
      throw node.shapeError(
        `block_shape [${block.join(", ")}] and crops [${crops.join(", ")}] do not fit ` +
          `'${input.name}' [${input.shape.join(", ")}]`,
      );
    }
    const batch = inBatch / blocks;
    const spatial = block.map((b, i) => {
      const size = (input.shape[i + 1] ?? 0) * b - (crops[2 * i] ?? 0) - (crops[2 * i + 1] ?? 0);
      if (b < 1 || size < 0 || (crops[2 * i] ?? 0) < 0 || (crops[2 * i + 1] ?? 0) < 0) {
        throw node.shapeError(
          `crops [${crops[2 * i]}, ${crops[2 * i + 1]}] do not fit spatial dimension ${i + 1} ` +
            `of '${input.name}' [${input.shape.join(", ")}] with block ${b}`,
        );
      }
      return size;
    });
    const shape = [batch, ...spatial, ...input.shape.slice(m + 1)];
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, input, output);
    const s = strides(input.shape);
    const map = indexMap(shape, (c) => {
      let k = 0;
      let o = 0;
      for (let i = 0; i < m; i++) {
        const b = block[i] ?? 1;
        const x = (c[i + 1] ?? 0) + (crops[2 * i] ?? 0);
        k = k * b + (x % b);
        o += Math.floor(x / b) * (s[i + 1] ?? 0);
      }
      o += (k * batch + (c[0] ?? 0)) * (s[0] ?? 0);
      for (let d = m + 1; d < rank; d++) o += (c[d] ?? 0) * (s[d] ?? 0);
      return o;
    });
    return copyByMap(node, input, output, map);
  },
};
