/**
 * MIRROR_PAD: inputs (input, paddings [rank, 2] int32/int64 known at allocation); each
 * dimension of size d is extended by (before, after) mirrored elements. For an output position
 * x − before = i outside [0, d): REFLECT (mode 0, the edge is not repeated) reads −i or
 * 2d − 2 − i; SYMMETRIC (mode 1, the edge is repeated) reads −1 − i or 2d − 1 − i. Paddings
 * may not exceed d − 1 (REFLECT) or d (SYMMETRIC). Copies; any dtype.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";
import { constantInts, copyByMap, expectSameEncoding, indexMap } from "./movement";

export const MirrorPad: Kernel = {
  op: "MIRROR_PAD",
  prepare(node: Node): Eval {
    const mode = node.options("MirrorPadOptions").mode;
    const input = node.input(0);
    const padTensor = node.input(1);
    const p = constantInts(node, padTensor, "paddings");
    const rank = input.shape.length;
    const limit = mode === 0 ? 1 : 0;
    const fits = input.shape.every(
      (d, i) =>
        (p[2 * i] ?? 0) >= 0 &&
        (p[2 * i + 1] ?? 0) >= 0 &&
        (p[2 * i] ?? 0) <= d - limit &&
        (p[2 * i + 1] ?? 0) <= d - limit,
    );
    if (p.length !== 2 * rank || !fits) {
      throw node.shapeError(
        `paddings '${padTensor.name}' [${p.join(", ")}] must be ${rank}x2 values in ` +
          `[0, d${mode === 0 ? " − 1" : ""}] for '${input.name}' [${input.shape.join(", ")}] ` +
          `(${mode === 0 ? "REFLECT" : "SYMMETRIC"})`,
      );
    }
    const shape = input.shape.map((d, i) => d + (p[2 * i] ?? 0) + (p[2 * i + 1] ?? 0));
    const output = node.allocateOutput(0, shape);
    expectSameEncoding(node, input, output);
    const s = strides(input.shape);
    const reflect = mode === 0 ? 0 : 1;
    const map = indexMap(shape, (c) => {
      let o = 0;
      for (let k = 0; k < rank; k++) {
        const d = input.shape[k] ?? 0;
        let i = (c[k] ?? 0) - (p[2 * k] ?? 0);
        if (i < 0) i = -i - reflect;
        else if (i >= d) i = 2 * d - 2 - i + reflect;
        o += i * (s[k] ?? 0);
      }
      return o;
    });
    return copyByMap(node, input, output, map);
  },
};
