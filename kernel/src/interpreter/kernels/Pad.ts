/**
 * PAD: paddings (2nd input, constant int32/int64 [rank, 2]) add `before` and `after` elements
 * to each dimension. The pad value is 0 for float32 and the output zero point for int8/uint8
 * (i.e. real 0), as TFLite's `pad.cc` does.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { embedIndex } from "./layout";

export const Pad: Kernel = {
  op: "PAD",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const paddings = node.input(1);
    if (!paddings.isConstant)
      throw node.unsupported(`paddings '${paddings.name}' must be constant`);
    const rank = input.shape.length;
    const p = node.intValues(paddings);
    if (p.length !== rank * 2 || p.some((v) => v < 0)) {
      throw node.shapeError(
        `paddings '${paddings.name}' must be ${rank}x2 non-negative values, found [${p.join(", ")}]`,
      );
    }
    const before = input.shape.map((_, d) => p[2 * d] ?? 0);
    const shape = input.shape.map((d, i) => d + (p[2 * i] ?? 0) + (p[2 * i + 1] ?? 0));
    const output = node.allocateOutput(0, shape);
    const map = embedIndex(input.shape, shape, before);
    const n = map.length;
    if (input.dtype === "float32") {
      const x = node.f32(input);
      const y = node.f32(output);
      return () => {
        y.fill(0);
        for (let i = 0; i < n; i++) y[map[i]] = x[i];
      };
    }
    if (input.dtype === "int8" || input.dtype === "uint8" || input.dtype === "int16") {
      if (output.dtype !== input.dtype) throw node.unsupported("input and output types differ");
      const x = node.qint(input);
      const y = node.qint(output);
      const padValue = node.affine(output).zeroPoint;
      return () => {
        y.fill(padValue);
        for (let i = 0; i < n; i++) y[map[i]] = x[i];
      };
    }
    throw node.unsupported();
  },
};
