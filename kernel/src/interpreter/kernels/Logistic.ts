/**
 * LOGISTIC: y = 1 / (1 + e^−x). int8 through a 256-entry table built in float32; the output
 * must have scale exactly 1/256 (TFLite checks it), zero point −128 by the quantization spec.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareLookup } from "./unary";

/** float32 sigmoid as TFLite's table lambda computes it: 1.f / (1.f + expf(−x)). */
function sigmoid(x: number): number {
  return Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-x))));
}

export const Logistic: Kernel = {
  op: "LOGISTIC",
  prepare(node: Node): Eval {
    return prepareLookup(node, sigmoid, (scale, zeroPoint) => {
      if (scale !== 1 / 256) {
        throw node.unsupported(
          `int8 output must have scale 1/256, found scale ${scale}, zero point ${zeroPoint}`,
        );
      }
    });
  },
};
