/**
 * LEAKY_RELU: y = x for x > 0, α·x otherwise (float32).
 * int8 and int16 (TFLite `activations.cc` LeakyReluPrepare, `reference_ops::QuantizeLeakyRelu`):
 * two multipliers, identity = s_in / s_out and alpha = s_in·α / s_out, each computed in float32;
 * d = x − z_in; y = clamp(z_out + MBQM(d, d ≥ 0 ? identity : alpha)) to the dtype's range.
 */
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../../quant/fixedpoint";
import type { Node } from "../node";
import { dtypeRange } from "./common";
import type { Eval, Kernel } from "./kernel";

const mbqm = multiplyByQuantizedMultiplier;

export const LeakyRelu: Kernel = {
  op: "LEAKY_RELU",
  prepare(node: Node): Eval {
    const alpha = node.optionsOrNull("LeakyReluOptions")?.alpha ?? 0;
    const input = node.input(0);
    const output = node.allocateOutput(0, [...input.shape]);
    if (output.dtype !== input.dtype) {
      throw node.unsupported(
        `output '${output.name}' must have type ${input.dtype}, found ${output.dtype}`,
      );
    }
    if (input.dtype === "float32") {
      const x = node.f32(input);
      const y = node.f32(output);
      const a = Math.fround(alpha);
      const n = y.length;
      return () => {
        for (let i = 0; i < n; i++) {
          const v = x[i];
          y[i] = v > 0 ? v : Math.fround(v * a);
        }
      };
    }
    if (input.dtype === "int8" || input.dtype === "int16") {
      const x = node.i8or16(input);
      const y = node.i8or16(output);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const identity = quantizeMultiplier(Math.fround(inQ.scale / outQ.scale));
      const scaled = quantizeMultiplier(Math.fround(Math.fround(inQ.scale * alpha) / outQ.scale));
      const [qmin, qmax] = dtypeRange(node, input.dtype);
      const zi = inQ.zeroPoint;
      const zo = outQ.zeroPoint;
      const n = y.length;
      return () => {
        for (let i = 0; i < n; i++) {
          const d = x[i] - zi;
          const m = d >= 0 ? identity : scaled;
          const q = zo + mbqm(d, m.multiplier, m.shift);
          y[i] = q < qmin ? qmin : q > qmax ? qmax : q;
        }
      };
    }
    throw node.unsupported(
      `input '${input.name}' has type ${input.dtype}; LEAKY_RELU takes float32, int8, int16`,
    );
  },
};
