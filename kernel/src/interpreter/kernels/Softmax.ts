/**
 * SOFTMAX over the last dimension. float32: y = exp(β(x − max)) / Σ exp(β(x − max)).
 * int8 → int8 (output scale 1/256, zero point −128): TFLite's reference fixed-point kernel
 * (`reference_ops::Softmax`): differences x − max scaled by β·inputScale into Q5.26, exp in Q0.31,
 * summed in Q12.19, one reciprocal per row, output RoundingDivideByPOT(...) − 128. Differences
 * below `diffMin` (whose exp rounds to 0) give −128. NOTE: LiteRT's default (non-reference) int8
 * softmax uses a float lookup table instead and may differ by ±1.
 */
import {
  calculateInputRadius,
  expOnNegativeValues,
  getReciprocal,
  multiplyByQuantizedMultiplierGreaterThanOne,
  preprocessSoftmaxScaling,
  rescale,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from "../../quant/fixedpoint";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";

const SCALED_DIFF_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;

export const Softmax: Kernel = {
  op: "SOFTMAX",
  prepare(node: Node): Eval {
    const { beta } = node.options("SoftmaxOptions");
    const input = node.input(0);
    if (input.shape.length < 1) throw node.shapeError(`input '${input.name}' must have rank >= 1`);
    const output = node.allocateOutput(0, [...input.shape]);
    const depth = input.shape[input.shape.length - 1] ?? 1;
    const rows = depth === 0 ? 0 : input.data.length / depth;

    if (input.dtype === "float32") {
      const x = node.f32(input);
      const y = node.f32(output);
      return () => {
        for (let r = 0; r < rows; r++) {
          const base = r * depth;
          let max = -Infinity;
          for (let c = 0; c < depth; c++) if (x[base + c] > max) max = x[base + c];
          let sum = 0;
          for (let c = 0; c < depth; c++) {
            const e = Math.fround(Math.exp(Math.fround((x[base + c] - max) * beta)));
            y[base + c] = e;
            sum = Math.fround(sum + e);
          }
          for (let c = 0; c < depth; c++) y[base + c] = y[base + c] / sum;
        }
      };
    }

    if (input.dtype === "int8" && output.dtype === "int8") {
      const x = node.i8(input);
      const y = node.i8(output);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      if (outQ.zeroPoint !== -128 || Math.abs(outQ.scale - 1 / 256) > 0.001 / 256) {
        throw node.unsupported(
          `int8 output '${output.name}' must have scale 1/256 and zero point -128, found ` +
            `scale ${outQ.scale}, zero point ${outQ.zeroPoint}`,
        );
      }
      const { multiplier, leftShift } = preprocessSoftmaxScaling(
        beta,
        inQ.scale,
        SCALED_DIFF_INTEGER_BITS,
      );
      const diffMin = -calculateInputRadius(SCALED_DIFF_INTEGER_BITS, leftShift);
      /** exp(β·inputScale·diff) in Q0.31 for diff = x − max ≤ 0. */
      const expOf = (diff: number): number =>
        expOnNegativeValues(
          multiplyByQuantizedMultiplierGreaterThanOne(diff, multiplier, leftShift),
          SCALED_DIFF_INTEGER_BITS,
        );
      return () => {
        for (let r = 0; r < rows; r++) {
          const base = r * depth;
          let max = -128;
          for (let c = 0; c < depth; c++) if (x[base + c] > max) max = x[base + c];
          let sumOfExps = 0; // Q12.19
          for (let c = 0; c < depth; c++) {
            const diff = x[base + c] - max;
            if (diff >= diffMin) {
              sumOfExps = (sumOfExps + rescale(expOf(diff), 0, ACCUMULATION_INTEGER_BITS)) | 0;
            }
          }
          const { reciprocal, numBitsOverUnit } = getReciprocal(
            sumOfExps,
            ACCUMULATION_INTEGER_BITS,
          );
          const exponent = numBitsOverUnit + 31 - 8;
          for (let c = 0; c < depth; c++) {
            const diff = x[base + c] - max;
            if (diff >= diffMin) {
              const unsat = roundingDivideByPOT(
                saturatingRoundingDoublingHighMul(reciprocal, expOf(diff)),
                exponent,
              );
              const q = unsat - 128;
              y[base + c] = q < -128 ? -128 : q > 127 ? 127 : q;
            } else {
              y[base + c] = -128;
            }
          }
        }
      };
    }
    throw node.unsupported();
  },
};
