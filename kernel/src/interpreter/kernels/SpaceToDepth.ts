/**
 * SPACE_TO_DEPTH (NHWC, block b = SpaceToDepthOptions.blockSize ≥ 1; H and W divisible by b):
 * out[n, h, w, (i·b + j)·C + c] = in[n, h·b + i, w·b + j, c], output [N, H/b, W/b, C·b²].
 * Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";
import { copyByMap, expectSameEncoding, indexMap } from "./movement";

export const SpaceToDepth: Kernel = {
  op: "SPACE_TO_DEPTH",
  prepare(node: Node): Eval {
    const b = node.options("SpaceToDepthOptions").blockSize;
    const input = node.input(0);
    node.expectRank(input, 4);
    const [n = 0, h = 0, w = 0, c = 0] = input.shape;
    if (b < 1 || h % b !== 0 || w % b !== 0) {
      throw node.shapeError(
        `block size ${b} must divide the height and width of '${input.name}' [${input.shape.join(", ")}]`,
      );
    }
    const output = node.allocateOutput(0, [n, h / b, w / b, c * b * b]);
    expectSameEncoding(node, input, output);
    const s = strides(input.shape);
    const map = indexMap(output.shape, ([on = 0, oh = 0, ow = 0, oc = 0]) => {
      const block = Math.floor(oc / c);
      const i = Math.floor(block / b);
      const j = block % b;
      return on * (s[0] ?? 0) + (oh * b + i) * (s[1] ?? 0) + (ow * b + j) * (s[2] ?? 0) + (oc % c);
    });
    return copyByMap(node, input, output, map);
  },
};
