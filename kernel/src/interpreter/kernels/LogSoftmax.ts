/**
 * LOG_SOFTMAX over the last dimension: y = x − max − log Σ exp(x − max).
 * float32 (TFLite `reference_ops::LogSoftmax`): the sum of exp in float32, then log.
 * int8 (`reference_integer_ops::LogSoftmax`): output scale 16/256 and zero point 127 are
 * required (the converter fixes them: outputs lie in [−16, 0]). With d = x − max ≤ 0 and the
 * softmax input scaling (β = 1, 5 integer bits; multiplier M and left shift s, see SOFTMAX),
 * d is rescaled to Q5.26 as MBQM(d, M, s) for d ≥ diffMin; Σ exp(d) accumulates in Q12.19
 * (`expOnNegativeValues`, rescaled); L = log(Σ) in Q5.26 (`logXForXGreaterThanOrEqualTo1`).
 * Elements with d > max(diffMin − 1, MBQM(L + INT32_MIN, R, −r)) — R, r the quantized reciprocal
 * of the input scaling — give clamp(RDBP(MBQM(d, M, s) − L, 22) + 127, −128, 127), the others
 * −128.
 */
import {
  INT32_MIN,
  calculateInputRadius,
  expOnNegativeValues,
  logXForXGreaterThanOrEqualTo1,
  multiplyByQuantizedMultiplier,
  preprocessSoftmaxScaling,
  quantizeMultiplierSmallerThanOneExp,
  rescale,
  roundingDivideByPOT,
} from "../../quant/fixedpoint";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";

const INPUT_INTEGER_BITS = 5;
const ACCUMULATION_INTEGER_BITS = 12;
const OUTPUT_INTEGER_BITS = 4;
const OUTPUT_ZERO_POINT = 127;

export const LogSoftmax: Kernel = {
  op: "LOG_SOFTMAX",
  prepare(node: Node): Eval {
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
            sum = Math.fround(sum + Math.fround(Math.exp(Math.fround(x[base + c] - max))));
          }
          const logSum = Math.fround(Math.log(sum));
          for (let c = 0; c < depth; c++) y[base + c] = Math.fround(x[base + c] - max) - logSum;
        }
      };
    }

    if (input.dtype === "int8" && output.dtype === "int8") {
      const x = node.i8(input);
      const y = node.i8(output);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      if (outQ.scale !== 16 / 256 || outQ.zeroPoint !== OUTPUT_ZERO_POINT) {
        throw node.unsupported(
          `int8 output '${output.name}' must have scale 16/256 and zero point 127, found ` +
            `scale ${outQ.scale}, zero point ${outQ.zeroPoint}`,
        );
      }
      const { multiplier, leftShift } = preprocessSoftmaxScaling(1, inQ.scale, INPUT_INTEGER_BITS);
      // The reciprocal of the input scaling: 2^(31 − s) / M (the power of two as C's int, which
      // wraps for s = 0), as a multiplier below one.
      const reverse = quantizeMultiplierSmallerThanOneExp((1 << (31 - leftShift)) / multiplier);
      const diffMin = -calculateInputRadius(INPUT_INTEGER_BITS, leftShift);
      const outputShift = 31 - INPUT_INTEGER_BITS - OUTPUT_INTEGER_BITS;
      return () => {
        for (let r = 0; r < rows; r++) {
          const base = r * depth;
          let max = -128;
          for (let c = 0; c < depth; c++) if (x[base + c] > max) max = x[base + c];
          let sumOfExps = 0; // Q12.19
          for (let c = 0; c < depth; c++) {
            const diff = x[base + c] - max;
            if (diff >= diffMin) {
              const scaled = multiplyByQuantizedMultiplier(diff, multiplier, leftShift);
              sumOfExps =
                (sumOfExps +
                  rescale(
                    expOnNegativeValues(scaled, INPUT_INTEGER_BITS),
                    0,
                    ACCUMULATION_INTEGER_BITS,
                  )) |
                0;
            }
          }
          const logSum = logXForXGreaterThanOrEqualTo1(
            sumOfExps,
            ACCUMULATION_INTEGER_BITS,
            INPUT_INTEGER_BITS,
          );
          const adjustedDiffMin = Math.max(
            diffMin - 1,
            multiplyByQuantizedMultiplier(
              (logSum + INT32_MIN) | 0,
              reverse.multiplier,
              reverse.shift,
            ),
          );
          for (let c = 0; c < depth; c++) {
            const diff = x[base + c] - max;
            if (diff > adjustedDiffMin) {
              const scaled = multiplyByQuantizedMultiplier(diff, multiplier, leftShift);
              const q = roundingDivideByPOT((scaled - logSum) | 0, outputShift) + OUTPUT_ZERO_POINT;
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
