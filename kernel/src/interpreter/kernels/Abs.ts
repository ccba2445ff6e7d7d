/**
 * ABS: y = |x|. float32 and int32 directly. int8 and int16 (TFLite `elementwise.cc`
 * AbsEvalQuantized): d = |x − z_in|; if s_in = s_out, y = clamp(d + z_out), else
 * y = clamp(MBQM(d, M(s_in / s_out)) + z_out), the scale ratio in float32.
 */
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../../quant/fixedpoint";
import type { Node } from "../node";
import { dtypeRange } from "./common";
import type { Eval, Kernel } from "./kernel";

const mbqm = multiplyByQuantizedMultiplier;

export const Abs: Kernel = {
  op: "ABS",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const output = node.allocateOutput(0, [...input.shape]);
    if (output.dtype !== input.dtype) {
      throw node.unsupported(
        `output '${output.name}' must have type ${input.dtype}, found ${output.dtype}`,
      );
    }
    const n = output.data.length;
    if (input.dtype === "float32") {
      const x = node.f32(input);
      const y = node.f32(output);
      return () => {
        for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]);
      };
    }
    if (input.dtype === "int32") {
      const x = node.i32(input);
      const y = node.i32(output);
      return () => {
        for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]) | 0;
      };
    }
    if (input.dtype === "int8" || input.dtype === "int16") {
      const x = node.i8or16(input);
      const y = node.i8or16(output);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const [qmin, qmax] = dtypeRange(node, input.dtype);
      const zi = inQ.zeroPoint;
      const zo = outQ.zeroPoint;
      const rescale = Math.fround(inQ.scale) !== Math.fround(outQ.scale);
      const { multiplier, shift } = quantizeMultiplier(Math.fround(inQ.scale / outQ.scale));
      return () => {
        for (let i = 0; i < n; i++) {
          const d = Math.abs(x[i] - zi);
          const q = (rescale ? mbqm(d, multiplier, shift) : d) + zo;
          y[i] = q < qmin ? qmin : q > qmax ? qmax : q;
        }
      };
    }
    throw node.unsupported(
      `input '${input.name}' has type ${input.dtype}; ABS takes float32, int8, int16, int32`,
    );
  },
};
