/**
 * REDUCE_PROD over the axes of the 2nd input (see reduce.ts). float32: a float32 product in
 * input order; int32 and int64: wrapping products. int8 and int16 (`QuantizedReduceProd`): to
 * keep the int32 accumulator in range every step is rescaled by
 * c = s_in / s_out^(1/n) (n the number of factors per output; (M, shift) = quantizeMultiplier(c)):
 * p₁ = q₁ − z_in, p_k = MBQM64(p_{k−1}·(q_k − z_in), M, shift), and
 * y = clamp(MBQM64(p_n, M, shift) + z_out), MBQM64 the 64-bit-input MultiplyByQuantizedMultiplier.
 * int16 needs zero points 0.
 */
import { multiplyByQuantizedMultiplierInt64, quantizeMultiplier } from "../../quant/fixedpoint";
import type { Node } from "../node";
import { dtypeRange, expectSymmetricInt16 } from "./common";
import type { Eval, Kernel } from "./kernel";
import { planReduce } from "./reduce";

const mbqm64 = multiplyByQuantizedMultiplierInt64;

export const ReduceProd: Kernel = {
  op: "REDUCE_PROD",
  prepare(node: Node): Eval {
    const { input, output, map, outSize, count } = planReduce(node);
    const n = map.length;
    if (output.dtype !== input.dtype) throw node.unsupported("input and output types differ");
    switch (input.dtype) {
      case "float32": {
        const x = node.f32(input);
        const y = node.f32(output);
        return () => {
          y.fill(1);
          for (let i = 0; i < n; i++) y[map[i] ?? 0] = (y[map[i] ?? 0] ?? 0) * (x[i] ?? 0);
        };
      }
      case "int32": {
        const x = node.i32(input);
        const y = node.i32(output);
        return () => {
          y.fill(1);
          for (let i = 0; i < n; i++) y[map[i] ?? 0] = Math.imul(y[map[i] ?? 0] ?? 0, x[i] ?? 0);
        };
      }
      case "int64": {
        const x = input.data;
        const y = output.data;
        if (!(x instanceof BigInt64Array && y instanceof BigInt64Array)) throw node.unsupported();
        return () => {
          y.fill(1n);
          for (let i = 0; i < n; i++) y[map[i] ?? 0] = (y[map[i] ?? 0] ?? 0n) * (x[i] ?? 0n);
        };
      }
      case "int8":
      case "int16": {
        expectSymmetricInt16(node, input, output);
        const x = node.i8or16(input);
        const y = node.i8or16(output);
        const [qmin, qmax] = dtypeRange(node, input.dtype);
        const inQ = node.affine(input);
        const outQ = node.affine(output);
        const { multiplier, shift } =
          count === 0
            ? { multiplier: 0, shift: 0 }
            : quantizeMultiplier(inQ.scale / Math.pow(outQ.scale, 1 / count));
        const zi = inQ.zeroPoint;
        const zo = outQ.zeroPoint;
        const prods = new Int32Array(outSize);
        const started = new Uint8Array(outSize);
        return () => {
          started.fill(0);
          for (let i = 0; i < n; i++) {
            const j = map[i] ?? 0;
            const v = (x[i] ?? 0) - zi;
            if (started[j] === 0) {
              prods[j] = v;
              started[j] = 1;
            } else {
              prods[j] = mbqm64((prods[j] ?? 0) * v, multiplier, shift);
            }
          }
          for (let j = 0; j < outSize; j++) {
            const q = mbqm64(prods[j] ?? 0, multiplier, shift) + zo;
            y[j] = q < qmin ? qmin : q > qmax ? qmax : q;
          }
        };
      }
      default:
        throw node.unsupported();
    }
  },
};
