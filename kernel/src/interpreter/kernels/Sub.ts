/**
 * SUB with numpy broadcasting and a fused activation. float32: y = clamp(a − b); int32 and
 * int64: y = clamp(a − b) (wrapping like the C++ two's-complement arithmetic).
 * int8 (TFLite `sub.cc`): ADD's arithmetic with the second input's multiplier negated (TFLite
 * runs its ADD kernel), both inputs brought to the common scale 2·max(s_a, s_b) with 20 bits of
 * headroom:
 *   a' = MBQM((a − z_a) · 2^20, s_a / (2·max)),  b' = MBQM((b − z_b) · 2^20, −M(s_b / (2·max))),
 *   y = clamp(MBQM(a' + b', 2·max / (2^20 · s_out)) + z_out).
 * NOTE: MBQM with the negated multiplier is not −MBQM: SRDHM rounds a negative product's tie
 * toward zero, a positive one's away from it.
 * uint8: as int8.
 * int16 (16x8, zero points 0, scales not all powers of two or `pot_scale_int16` false): the same
 * with 2^15 instead of 2^20, same-shape inputs only — TFLite's broadcasting int16 path subtracts
 * raw values without rescaling, and its power-of-two path is refused here.
 */
import {
  checkedLog2,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
} from "../../quant/fixedpoint";
import type { Node } from "../node";
import { prepareBinary, prepareWideIntegerArithmetic } from "./binary";
import { expectSymmetricInt16, floatActivationRange, quantizedActivationRange } from "./common";
import type { Eval, Kernel } from "./kernel";

// Local bindings: an imported function is read through a module getter at each call under
// some loaders (tsx); hot loops call these instead.
const mbqm = multiplyByQuantizedMultiplier;

export const Sub: Kernel = {
  op: "SUB",
  prepare(node: Node): Eval {
    const o = node.optionsOrNull("SubOptions") ?? {
      type: "SubOptions",
      fusedActivationFunction: "NONE",
      potScaleInt16: true,
    };
    const activation = o.fusedActivationFunction;
    const operands = prepareBinary(node);
    const { a, b, output, aIndex, bIndex, size, broadcasts } = operands;

    if (a.dtype === "float32") {
      const x1 = node.f32(a);
      const x2 = node.f32(b);
      const y = node.f32(output);
      const [min, max] = floatActivationRange(node, activation);
      return () => {
        for (let i = 0; i < size; i++) {
          const v = Math.fround(x1[aIndex[i]] - x2[bIndex[i]]);
          y[i] = v < min ? min : v > max ? max : v;
        }
      };
    }

    const wide = prepareWideIntegerArithmetic(
      node,
      operands,
      activation,
      (x, y) => (x - y) | 0,
      (x, y) => x - y,
    );
    if (wide !== null) return wide;

    if (a.dtype === "int8" || a.dtype === "uint8" || a.dtype === "int16") {
      const x1 = node.qint(a);
      const x2 = node.qint(b);
      const y = node.qint(output);
      const q1 = node.affine(a);
      const q2 = node.affine(b);
      const qo = node.affine(output);
      if (a.dtype === "int16") {
        expectSymmetricInt16(node, a, b, output);
        const allPowersOfTwo = [q1.scale, q2.scale, qo.scale].every(
          (s) => checkedLog2(s).isPowerOfTwo,
        );
        if (o.potScaleInt16 && allPowersOfTwo) {
          throw node.unsupported("int16 with power-of-two scales and pot_scale_int16");
        }
        if (broadcasts) throw node.unsupported("int16 with broadcasting");
      }
      const leftShift = a.dtype === "int16" ? 15 : 20;
      const twiceMaxScale = 2 * Math.max(q1.scale, q2.scale);
      const m1 = quantizeMultiplier(q1.scale / twiceMaxScale);
      const m2 = quantizeMultiplier(q2.scale / twiceMaxScale);
      const mo = quantizeMultiplier(twiceMaxScale / (2 ** leftShift * qo.scale));
      const [min, max] = quantizedActivationRange(
        node,
        activation,
        qo.scale,
        qo.zeroPoint,
        output.dtype,
      );
      const z1 = q1.zeroPoint;
      const z2 = q2.zeroPoint;
      const zo = qo.zeroPoint;
      const lift = 2 ** leftShift;
      const negM2 = -m2.multiplier;
      return () => {
        for (let i = 0; i < size; i++) {
          const s1 = mbqm((x1[aIndex[i]] - z1) * lift, m1.multiplier, m1.shift);
          const s2 = mbqm((x2[bIndex[i]] - z2) * lift, negM2, m2.shift);
          const q = mbqm(s1 + s2, mo.multiplier, mo.shift) + zo;
          y[i] = q < min ? min : q > max ? max : q;
        }
      };
    }
    throw node.unsupported();
  },
};
