/**
 * DEQUANTIZE to float32. int8/uint8/int16 (TFLite `reference_ops::Dequantize`): x = scale · (q − zeroPoint)
 * in double, rounded to float32; per tensor or per channel along `quantizedDimension`.
 * float16 (fp16 post-training quantization's constants): exact widening to float32.
 */
import type { Node } from "../node";
import { fromFloat16 } from "../../quant/float16";
import type { Eval, Kernel } from "./kernel";
import { strides } from "./layout";

export const Dequantize: Kernel = {
  op: "DEQUANTIZE",
  prepare(node: Node): Eval {
    const input = node.input(0);
    const output = node.allocateOutput(0, [...input.shape]);
    const y = node.f32(output);
    const n = y.length;

    if (input.dtype === "float16") {
      if (!(input.data instanceof Uint16Array)) throw node.unsupported();
      const x = input.data;
      return () => {
        for (let i = 0; i < n; i++) y[i] = fromFloat16(x[i]);
      };
    }

    if (input.dtype === "int8" || input.dtype === "uint8" || input.dtype === "int16") {
      const x = node.qint(input);
      const q = node.quantization(input);
      if (q.scales.length === 1) {
        const scale = q.scales[0] ?? 0;
        const zeroPoint = q.zeroPoints[0] ?? 0;
        return () => {
          for (let i = 0; i < n; i++) y[i] = scale * (x[i] - zeroPoint);
        };
      }
      const axis = q.quantizedDimension;
      const channels = input.shape[axis] ?? 0;
      if (q.scales.length !== channels) {
        throw node.unsupported(
          `'${input.name}' has ${q.scales.length} scales for ${channels} channels on axis ${axis}`,
        );
      }
      const inner = strides(input.shape)[axis] ?? 1;
      const scales = Float64Array.from(q.scales);
      const zeroPoints = Int32Array.from(q.zeroPoints);
      return () => {
        for (let i = 0; i < n; i++) {
          const c = Math.floor(i / inner) % channels;
          y[i] = scales[c] * (x[i] - zeroPoints[c]);
        }
      };
    }
    throw node.unsupported();
  },
};
