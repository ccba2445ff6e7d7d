/**
 * L2_NORMALIZATION over the last dimension: y = x / ‖x‖₂ per row.
 * float32 (TFLite `reference_ops::L2Normalization`): the sum of squares in float32 in index
 * order, ‖x‖ = max(√sum, 1e-6), each element divided by it.
 * int8 (`reference_integer_ops::L2Normalization`): output scale 1/128 and zero point 0 are
 * required (the converter fixes them: real outputs lie in [−1, 1]). With d = x − z_in and
 * S = Σ d² (int32), 1/√S comes from `invSqrtQuantizedMultiplierExp(S, −1)` as (M, s) and
 * y = clamp(MBQM(d, M, s + 7), −128, 127). No fused activation (LiteRT refuses one).
 */
import {
  invSqrtQuantizedMultiplierExp,
  multiplyByQuantizedMultiplier,
} from "../../quant/fixedpoint";
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";

const EPSILON = Math.fround(1e-6);
/** The int8 output is in units of 2^−7. */
const OUTPUT_SCALE_BITS = 7;

export const L2Normalization: Kernel = {
  op: "L2_NORMALIZATION",
  prepare(node: Node): Eval {
    const o = node.optionsOrNull("L2NormOptions");
    if (o !== null && o.fusedActivationFunction !== "NONE") {
      throw node.unsupported(`fused activation ${o.fusedActivationFunction}`);
    }
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
          let sum = 0;
          for (let c = 0; c < depth; c++) {
            const v = x[base + c];
            sum = Math.fround(sum + Math.fround(v * v));
          }
          const norm = Math.max(Math.fround(Math.sqrt(sum)), EPSILON);
          for (let c = 0; c < depth; c++) y[base + c] = x[base + c] / norm;
        }
      };
    }

    if (input.dtype === "int8" && output.dtype === "int8") {
      const x = node.i8(input);
      const y = node.i8(output);
      const zIn = node.affine(input).zeroPoint;
      const outQ = node.affine(output);
      if (outQ.scale !== 1 / 128 || outQ.zeroPoint !== 0) {
        throw node.unsupported(
          `int8 output '${output.name}' must have scale 1/128 and zero point 0, found ` +
            `scale ${outQ.scale}, zero point ${outQ.zeroPoint}`,
        );
      }
      return () => {
        for (let r = 0; r < rows; r++) {
          const base = r * depth;
          let sum = 0;
          for (let c = 0; c < depth; c++) {
            const d = x[base + c] - zIn;
            sum += d * d;
          }
          const { multiplier, shift } = invSqrtQuantizedMultiplierExp(sum | 0, -1);
          for (let c = 0; c < depth; c++) {
            const q = multiplyByQuantizedMultiplier(
              x[base + c] - zIn,
              multiplier,
              shift + OUTPUT_SCALE_BITS,
            );
            y[base + c] = q < -128 ? -128 : q > 127 ? 127 : q;
          }
        }
      };
    }
    throw node.unsupported();
  },
};
