/**
 * DEPTH_TO_SPACE (NHWC, block b = DepthToSpaceOptions.blockSize ≥ 1; C divisible by b²), the
 * inverse of SPACE_TO_DEPTH: out[n, h, w, c] = in[n, ⌊h/b⌋, ⌊w/b⌋, ((h mod b)·b + w mod b)·C' + c]
 * with C' = C/b², output [N, H·b, W·b, C']. Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";
import { copyByMap, expectSameEncoding, indexMap } from "./movement";

export const DepthToSpace: Kernel = {
  op: "DEPTH_TO_SPACE",
  prepare(node: Node): Eval {
    const b = node.options("DepthToSpaceOptions").blockSize;
    const input = node.input(0);
    node.expectRank(input, 4);
    const [n = 0, h = 0, w = 0, c = 0] = input.shape;
    if (b < 1 || c % (b * b) !== 0) {
      throw node.shapeError(
        `block size ${b}: b² must divide the depth of '${input.name}' [${input.shape.join(", ")}]`,
      );
    }
    const depth = c / (b * b);
    const output = node.allocateOutput(0, [n, h * b, w * b, depth]);
    expectSameEncoding(node, input, output);
    const s = strides(input.shape);
    const map = indexMap(output.shape, ([on = 0, oh = 0, ow = 0, oc = 0]) => {
      const ic = ((oh % b) * b + (ow % b)) * depth + oc;
      return (
        on * (s[0] ?? 0) + Math.floor(oh / b) * (s[1] ?? 0) + Math.floor(ow / b) * (s[2] ?? 0) + ic
      );
    });
    return copyByMap(node, input, output, map);
  },
};
