/**
 * SPACE_TO_BATCH_ND: inputs (input [N, S₁…S_M, rest…], block_shape [M], paddings [M, 2]; the
 * last two int32/int64 known at allocation). Each spatial dimension is padded (before, after)
 * and cut into blocks; the offset inside the block moves to the batch:
 *   out[(k·N + n), s₁…s_M, r] = in[n, s₁·b₁ + o₁ − before₁, …, r]   (padding where outside),
 * k the row-major index of the offsets (o₁…o_M) in the block shape; output batch N·∏b,
 * spatial (S + before + after)/b. Padding is 0, the output zero point for quantized tensors
 * (real 0), as LiteRT pads. Any dtype.
 */
import { shapeSize } from "../../ir";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";
import { constantInts, copyByMap, expectSameEncoding, indexMap } from "./movement";

export const SpaceToBatchNd: Kernel = {
  op: "SPACE_TO_BATCH_ND",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const blockTensor = node.input(1);
    const padTensor = node.input(2);
    const block = constantInts(node, blockTensor, "block_shape");
    const pads = constantInts(node, padTensor, "paddings");
    const m = block.length;
    const rank = input.shape.length;
    if (m < 1 || rank < m + 1 || pads.length !== 2 * m) {
      throw node.shapeError(
        `block_shape [${block.join(", ")}] and paddings [${pads.join(", ")}] do not fit ` +
          `'${input.name}' [${input.shape.join(", ")}]`,
      );
    }
    const batch = input.shape[0] ?? 0;
    const spatial: number[] = [];
    for (let i = 0; i < m; i++) {
      const b = block[i] ?? 1;
      const padded = (input.shape[i + 1] ?? 0) + (pads[2 * i] ?? 0) + (pads[2 * i + 1] ?? 0);
      if (b < 1 || (pads[2 * i] ?? 0) < 0 || (pads[2 * i + 1] ?? 0) < 0 || padded % b !== 0) {
        throw node.shapeError(
          `spatial dimension ${i + 1} of '${input.name}' [${input.shape.join(", ")}] padded by ` +
            `[${pads[2 * i]}, ${pads[2 * i + 1]}] is not a multiple of block ${b}`,
        );
      }
      spatial.push(padded / b);
    }
    const shape = [batch * shapeSize(block), ...spatial, ...input.shape.slice(m + 1)];
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, input, output);
    const s = strides(input.shape);
    const map = indexMap(shape, (c) => {
      let k = Math.floor((c[0] ?? 0) / batch);
      let o = ((c[0] ?? 0) % batch) * (s[0] ?? 0);
      // Offsets inside the block, last spatial dimension fastest.
      for (let i = m - 1; i >= 0; i--) {
        const b = block[i] ?? 1;
        const off = k % b;
        k = Math.floor(k / b);
        const x = (c[i + 1] ?? 0) * b + off - (pads[2 * i] ?? 0);
        if (x < 0 || x >= (input.shape[i + 1] ?? 0)) return -1;
        o += x * (s[i + 1] ?? 0);
      }
      for (let d = m + 1; d < rank; d++) o += (c[d] ?? 0) * (s[d] ?? 0);
      return o;
    });
    const zeroPoint = output.quantization === null ? 0 : node.affine(output).zeroPoint;
    return copyByMap(node, input, output, map, () => zeroPoint);
  },
};
