/**
 * QUANTIZE. float32 → int8/uint8/int16 (TFLite `reference_ops::AffineQuantize`):
 * q = clamp(round(x / scale) + zeroPoint), the division in float32, round half away from zero.
 * int8/uint8/int16 → int8/uint8/int16 requantize (`reference_ops::Requantize`; 16x8 models
 * requantize int16 → int16 where a concatenation's inputs need its scale):
 * q = clamp(MBQM(x − zeroPoint_in, multiplier(scale_in / scale_out)) + zeroPoint_out); for equal
 * scales and zero points 128 apart (uint8 ↔ int8 model edges) this is exactly x ^ 0x80.
 */
import {
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundHalfAwayFromZero,
} from "../../quant/fixedpoint";
import type { Node } from "../node";
import { dtypeRange } from "./common";
import type { Eval, Kernel } from "./kernel";

// Local bindings: an imported function is read through a module getter at each call under
// some loaders (tsx); hot loops call these instead.
const mbqm = multiplyByQuantizedMultiplier;
const roundHalfAway = roundHalfAwayFromZero;

export const Quantize: Kernel = {
  op: "QUANTIZE",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const output = node.allocateOutput(0, [...input.shape]);
    if (output.dtype !== "int8" && output.dtype !== "uint8" && output.dtype !== "int16") {
      throw node.unsupported();
    }
    const y = node.qint(output);
    const outQ = node.affine(output);
    const [qmin, qmax] = dtypeRange(node, output.dtype);
    const n = y.length;

    if (input.dtype === "float32") {
      const x = node.f32(input);
      const scale = Math.fround(outQ.scale);
      const zeroPoint = outQ.zeroPoint;
      return () => {
        for (let i = 0; i < n; i++) {
          const q = roundHalfAway(Math.fround(x[i] / scale)) + zeroPoint;
          y[i] = q < qmin ? qmin : q > qmax ? qmax : q;
        }
      };
    }

    if (input.dtype === "int8" || input.dtype === "uint8" || input.dtype === "int16") {
      // As TFLite: int16 requantizes to int8 or int16, int8/uint8 to int8 or uint8.
      if ((input.dtype === "int16") !== (output.dtype === "int16") && output.dtype !== "int8") {
        throw node.unsupported();
      }
      const x = node.qint(input);
      const inQ = node.affine(input);
      const { multiplier, shift } = quantizeMultiplier(inQ.scale / outQ.scale);
      const inZp = inQ.zeroPoint;
      const outZp = outQ.zeroPoint;
      return () => {
        for (let i = 0; i < n; i++) {
          const q = mbqm(x[i] - inZp, multiplier, shift) + outZp;
          y[i] = q < qmin ? qmin : q > qmax ? qmax : q;
        }
      };
    }
    throw node.unsupported();
  },
};
