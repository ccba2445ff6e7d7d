/**
 * MAX_POOL_2D: the maximum over each window's in-image taps, then the fused activation clamp.
 * int8 and int16 need no rescale: input and output share scale and zero point (TFLite
 * `integer_ops::MaxPool`, both overloads).
 */
import type { Node } from "../node";
import { dtypeRange, floatActivationRange, quantizedActivationRange } from "./common";
import type { Eval, Kernel } from "./kernel";
import { pool, poolGeometry, poolTaps, type PoolStore } from "./pooling";

export const MaxPool2D: Kernel = {
  op: "MAX_POOL_2D",
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
      const initial = -Infinity;
      const store: PoolStore = (v, _count, i) => {
        y[i] = v < min ? min : v > max ? max : v;
      };
      return () => pool(g, x, "max", initial, store);
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
      const initial = dtypeRange(node, input.dtype)[0];
      const store: PoolStore = (v, _count, i) => {
        y[i] = v < min ? min : v > max ? max : v;
      };
      return () => pool(g, x, "max", initial, store);
    }
    throw node.unsupported();
  },
};
