/**
 * SOFTMAX over the last dimension. float32: y = exp(β(x − max)) / Σ exp(β(x − max)).
 * int8 → int8 (output scale 1/256, zero point −128): TFLite's reference fixed-point kernel
 * (`reference_ops::Softmax`): differences x − max scaled by β·inputScale into Q5.26, exp in Q0.31,
 * summed in Q12.19, one reciprocal per row, output RoundingDivideByPOT(...) − 128. Differences
 * below `diffMin` (whose exp rounds to 0) give −128. NOTE: LiteRT's default (non-reference) int8
 * softmax uses a float lookup table instead and may differ by ±1.
 * int16 → int16 (16x8): TFLite's table-based `SoftmaxInt16` (see `prepareInt16`).
 */
import {
  calculateInputRadius,
  countLeadingZeros,
  expOnNegativeValues,
  getReciprocal,
  int16Lookup,
  int16LookupTable,
  multiplyByQuantizedMultiplier,
  multiplyByQuantizedMultiplierGreaterThanOne,
  preprocessSoftmaxScaling,
  quantizeMultiplier,
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
    if (input.dtype === "int16" && output.dtype === "int16") {
      return prepareInt16(node, beta, rows, depth);
    }
    throw node.unsupported();
  },
};

/**
 * int16 → int16 (TFLite `reference_ops::SoftmaxInt16`, tables from `activations.cc`): zero
 * points 0, output scale 1/32768. Per row, with d = x − max ≤ 0:
 * - e = expTable(clamp16(MBQM(d, β·s_in / (10/65535)) + 32767)): d rescaled so that [−10, 0]
 *   spans the int16 range, exp read from a 513-entry interpolated table of exp on [−10, 0]
 *   (output step 2/65535, i.e. Q0.15); e is stored in the output as scratch, Σe in an int32.
 * - With h = clz32(Σe), Σe normalised to [1, 2) as u = ((Σe << (h − 1)) + 2^13) >> 14 (Q1.15 in
 *   [32768, 65535]), r = 1/(1 + x) from a second table over x ∈ [0, 1], read at u − 98304.
 * - y = clamp((e · r + 2^(30 − h)) >> (31 − h), 0, 32767).
 */
function prepareInt16(node: Node, beta: number, rows: number, depth: number): Eval {
  const input = node.input(0);
  const output = node.output(0);
  const x = node.i16(input);
  const y = node.i16(output);
  const inQ = node.affine(input);
  const outQ = node.affine(output);
  if (inQ.zeroPoint !== 0 || outQ.zeroPoint !== 0) {
    throw node.unsupported(
      `int16 input and output must have zero point 0, found ${inQ.zeroPoint} and ${outQ.zeroPoint}`,
    );
  }
  if (Math.abs(outQ.scale - 1 / 32768) > 0.001 / 32768) {
    throw node.unsupported(
      `int16 output '${output.name}' must have scale 1/32768, found ${outQ.scale}`,
    );
  }
  const range = 32767 - -32768;
  const expTable = int16LookupTable(Math.exp, 10.0 / range, 32767, 2.0 / range, 0);
  const oneOverOnePlusXTable = int16LookupTable(
    (v) => 1.0 / (1.0 + v),
    1.0 / range,
    -32768,
    2.0 / range,
    0,
  );
  // NOTE: TFLite multiplies the float32 scale and beta in float32 before widening to double.
  const { multiplier, shift } = quantizeMultiplier(
    Math.fround(inQ.scale * beta) / (10.0 / 65535.0),
  );
  return () => {
    for (let r = 0; r < rows; r++) {
      const base = r * depth;
      let max = -32768;
      for (let c = 0; c < depth; c++) if (x[base + c] > max) max = x[base + c];
      let sumOfExps = 0; // Q16.15
      for (let c = 0; c < depth; c++) {
        const scaled = multiplyByQuantizedMultiplier(x[base + c] - max, multiplier, shift) + 32767;
        const e = int16Lookup(scaled < -32768 ? -32768 : scaled > 32767 ? 32767 : scaled, expTable);
        y[base + c] = e;
        sumOfExps += e;
      }
      const headroomPlusOne = countLeadingZeros(sumOfExps);
      const shiftedSum = Math.floor((sumOfExps * 2 ** (headroomPlusOne - 1) + 8192) / 16384);
      const symmetric = shiftedSum - (32768 + 65536);
      const reciprocal = int16Lookup(
        symmetric < -32768 ? -32768 : symmetric > 32767 ? 32767 : symmetric,
        oneOverOnePlusXTable,
      );
      const rightShift = 31 - headroomPlusOne;
      const round = 2 ** (rightShift - 1);
      for (let c = 0; c < depth; c++) {
        const q = Math.floor(((y[base + c] ?? 0) * reciprocal + round) / 2 ** rightShift);
        y[base + c] = q < 0 ? 0 : q > 32767 ? 32767 : q;
      }
    }
  };
}
