/**
 * MUL with numpy broadcasting and a fused activation. float32: y = clamp(a · b); int32 and
 * int64: y = clamp(a · b), wrapping (`binary.ts`).
 * int8 (TFLite `mul.cc`, `integer_ops::MulElementwise`):
 * y = clamp(MBQM((a − z_a)(b − z_b), multiplier(s_a·s_b / s_out)) + z_out), the real multiplier
 * computed in float32 (TFLite multiplies and divides the float scales before widening).
 * int16 (16x8): the same formula with zero points 0; the product of two int16 values is at most
 * 2^30 in magnitude, so it fits the int32 MBQM.
 */
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../../quant/fixedpoint";
import type { Node } from "../node";
import { prepareBinary, prepareWideIntegerArithmetic } from "./binary";
import { expectSymmetricInt16, floatActivationRange, quantizedActivationRange } from "./common";
import type { Eval, Kernel } from "./kernel";

// Local bindings: an imported function is read through a module getter at each call under
// some loaders (tsx); hot loops call these instead.
const mbqm = multiplyByQuantizedMultiplier;

export const Mul: Kernel = {
  op: "MUL",
  prepare(node: Node): Eval {
    const o = node.options("MulOptions");
    const operands = prepareBinary(node);
    const { a, b, output, aIndex, bIndex, size } = operands;

    if (a.dtype === "float32") {
      const x1 = node.f32(a);
      const x2 = node.f32(b);
      const y = node.f32(output);
      const [min, max] = floatActivationRange(node, o.fusedActivationFunction);
      return () => {
        for (let i = 0; i < size; i++) {
          const v = Math.fround(x1[aIndex[i]] * x2[bIndex[i]]);
          y[i] = v < min ? min : v > max ? max : v;
        }
      };
    }

    const wide = prepareWideIntegerArithmetic(
      node,
      operands,
      o.fusedActivationFunction,
      Math.imul,
      (x, y) => x * y,
    );
    if (wide !== null) return wide;

    if (a.dtype === "int8" || a.dtype === "int16") {
      const x1 = node.i8or16(a);
      const x2 = node.i8or16(b);
      const y = node.i8or16(output);
      const q1 = node.affine(a);
      const q2 = node.affine(b);
      const qo = node.affine(output);
      if (a.dtype === "int16") expectSymmetricInt16(node, a, b, output);
      const { multiplier, shift } = quantizeMultiplier(
        Math.fround(Math.fround(q1.scale * q2.scale) / qo.scale),
      );
      const [min, max] = quantizedActivationRange(
        node,
        o.fusedActivationFunction,
        qo.scale,
        qo.zeroPoint,
        output.dtype,
      );
      const z1 = q1.zeroPoint;
      const z2 = q2.zeroPoint;
      const zo = qo.zeroPoint;
      return () => {
        for (let i = 0; i < size; i++) {
          const product = (x1[aIndex[i]] - z1) * (x2[bIndex[i]] - z2);
          const q = mbqm(product, multiplier, shift) + zo;
          y[i] = q < min ? min : q > max ? max : q;
        }
      };
    }
    throw node.unsupported();
  },
};
