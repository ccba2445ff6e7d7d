/**
 * LOGISTIC: y = 1 / (1 + e^−x). int8 through a 256-entry table built in float32; the output
 * must have scale exactly 1/256 (TFLite checks it), zero point −128 by the quantization spec.
 * int16 (16x8): TFLite's fixed-point kernel (`logisticInt16`: a 256-entry Q0.16 sigmoid table
 * with linear interpolation), output scale exactly 1/32768, zero points 0.
 */
import { logisticInt16 } from "../../quant/fixedpoint";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareInt16Activation, prepareLookup } from "./unary";

/**
 * float32 sigmoid as TFLite's int8 table lambda computes it: 1.f / (1.f + expf(−x)).
 * NOTE: float32 `Math.fround(Math.exp(x))` equals glibc's `expf` except in rare last-ulp cases.
 */
function sigmoid(x: number): number {
  return Math.fround(1 / Math.fround(1 + Math.fround(Math.exp(-x))));
}

/**
 * The float kernel's sigmoid (`reference_ops::Logistic`): 1 above 16.619047…, e^x below −9
 * (where 1/(1 + e^−x) and e^x agree to float32 precision), 1/(1 + e^−x) between.
 */
function sigmoidWithCutoffs(x: number): number {
  if (x > 16.619047164916992) return 1;
  if (x < -9) return Math.fround(Math.exp(x));
  return sigmoid(x);
}

export const Logistic: Kernel = {
  op: "LOGISTIC",
  prepare(node: Node): Eval {
    if (node.input(0).dtype === "int16") {
      // The reference kernel also requires the scale to be exactly 1/32768.
      const { scale } = node.affine(node.output(0));
      if (scale !== 1 / 32768) {
        throw node.unsupported(`int16 output must have scale 1/32768, found ${scale}`);
      }
      return prepareInt16Activation(node, logisticInt16, [0]);
    }
    return prepareLookup(node, sigmoidWithCutoffs, sigmoid, (scale, zeroPoint) => {
      if (scale !== 1 / 256) {
        throw node.unsupported(
          `int8 output must have scale 1/256, found scale ${scale}, zero point ${zeroPoint}`,
        );
      }
    });
  },
};
