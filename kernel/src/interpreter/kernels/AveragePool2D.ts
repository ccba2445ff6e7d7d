/**
 * AVERAGE_POOL_2D: the mean of each window's in-image taps (count = number of such taps), then
 * the fused activation clamp. int8 and int16 (TFLite `integer_ops::AveragePool`, both overloads):
 * the raw integer sum divided by the count, rounded half away from zero, no rescale (input and
 * output share scale and zero point).
 */
import type { Node } from "../node";
import { floatActivationRange, quantizedActivationRange } from "./common";
import type { Eval, Kernel } from "./kernel";
import { pool, poolGeometry, poolTaps, type PoolStore } from "./pooling";

export const AveragePool2D: Kernel = {
  op: "AVERAGE_POOL_2D",
  prepare(node: Node): Eval {
    const o = node.options("Pool2DOptions");
    const g = poolGeometry(node);
    const input = node.input(0);
    const output = node.allocateOutput(0, [g.batches, g.outH, g.outW, g.outC]);
    node.reserveWork(0, poolTaps(g));
    if (input.dtype === "float32") {
      const x = node.f32(input);
      const y = node.f32(output);
      const [min, max] = floatActivationRange(node, o.fusedActivationFunction);
      const initial = 0;
      const store: PoolStore = (sum, count, i) => {
        const v = Math.fround(sum / count);
        y[i] = v < min ? min : v > max ? max : v;
      };
      return () => pool(g, x, "sum", initial, store);
    }
    if (input.dtype === "int8" || input.dtype === "int16") {
      if (output.dtype !== input.dtype) throw node.unsupported("input and output types differ");
      const x = node.i8or16(input);
      const y = node.i8or16(output);
      const outQ = node.affine(output);
      const [min, max] = quantizedActivationRange(
        node,
        o.fusedActivationFunction,
        outQ.scale,
        outQ.zeroPoint,
        output.dtype,
      );
      const initial = 0;
      const store: PoolStore = (sum, count, i) => {
        // C integer division truncates toward zero; ± count/2 first makes it round half away.
        const half = Math.trunc(count / 2);
        const v = sum > 0 ? Math.trunc((sum + half) / count) : Math.trunc((sum - half) / count);
        y[i] = v < min ? min : v > max ? max : v;
      };
      return () => pool(g, x, "sum", initial, store);
    }
    throw node.unsupported();
  },
};
