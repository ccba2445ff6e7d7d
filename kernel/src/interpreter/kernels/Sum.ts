/**
 * SUM over the axes of the 2nd input (see reduce.ts). float32: a float32 sum in input order.
 * int32 and int64: wrapping sums. int8, uint8 and int16 (`reference_ops::QuantizedMeanOrSum`
 * with compute_sum): y = clamp(MBQM(Σq − z_in·n, M, shift) + z_out), (M, shift) =
 * quantizeMultiplier(s_in / s_out) in double, n the number of summed elements; int16 needs zero
 * points 0.
 */
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../../quant/fixedpoint";
import type { Node } from "../node";
import { dtypeRange, expectSymmetricInt16 } from "./common";
import type { Eval, Kernel } from "./kernel";
import { planReduce } from "./reduce";

const mbqm = multiplyByQuantizedMultiplier;

export const Sum: Kernel = {
  op: "SUM",
  prepare(node: Node): Eval {
    const { input, output, map, outSize, count } = planReduce(node);
    const n = map.length;
    if (output.dtype !== input.dtype) throw node.unsupported("input and output types differ");
    switch (input.dtype) {
      case "float32": {
        const x = node.f32(input);
        const y = node.f32(output);
        return () => {
          y.fill(0);
          for (let i = 0; i < n; i++) y[map[i] ?? 0] = (y[map[i] ?? 0] ?? 0) + (x[i] ?? 0);
        };
      }
      case "int32": {
        const x = node.i32(input);
        const y = node.i32(output);
        return () => {
          y.fill(0);
          for (let i = 0; i < n; i++) y[map[i] ?? 0] = ((y[map[i] ?? 0] ?? 0) + (x[i] ?? 0)) | 0;
        };
      }
      case "int64": {
        const x = input.data;
        const y = output.data;
        if (!(x instanceof BigInt64Array && y instanceof BigInt64Array)) throw node.unsupported();
        return () => {
          y.fill(0n);
          // BigInt64Array stores modulo 2^64: the wrap of C's int64 overflow.
          for (let i = 0; i < n; i++) y[map[i] ?? 0] = (y[map[i] ?? 0] ?? 0n) + (x[i] ?? 0n);
        };
      }
      case "int8":
      case "uint8":
      case "int16": {
        expectSymmetricInt16(node, input, output);
        const x = node.qint(input);
        const y = node.qint(output);
        const [qmin, qmax] = dtypeRange(node, input.dtype);
        const inQ = node.affine(input);
        const outQ = node.affine(output);
        const { multiplier, shift } = quantizeMultiplier(inQ.scale / outQ.scale);
        const offset = inQ.zeroPoint * count;
        const zo = outQ.zeroPoint;
        const sums = new Int32Array(outSize);
        return () => {
          sums.fill(0);
          for (let i = 0; i < n; i++)
            sums[map[i] ?? 0] = ((sums[map[i] ?? 0] ?? 0) + (x[i] ?? 0)) | 0;
          for (let j = 0; j < outSize; j++) {
            const q = mbqm(((sums[j] ?? 0) - offset) | 0, multiplier, shift) + zo;
            y[j] = q < qmin ? qmin : q > qmax ? qmax : q;
          }
        };
      }
      default:
        throw node.unsupported();
    }
  },
};
