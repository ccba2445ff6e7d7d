/**
 * ADD with numpy broadcasting and a fused activation. float32: y = clamp(a + b).
 * int8 (TFLite `add.cc` Prepare, `integer_ops::AddElementwise`): both inputs are brought to a
 * common scale 2·max(s_a, s_b) with 20 bits of headroom:
 *   a' = MBQM((a − z_a) · 2^20, s_a / (2·max)),  b' likewise,
 *   y = clamp(MBQM(a' + b', 2·max / (2^20 · s_out)) + z_out).
 */
import { multiplyByQuantizedMultiplier, quantizeMultiplier } from "../../quant/fixedpoint";
import type { Node } from "../node";
import { prepareBinary } from "./binary";
import { floatActivationRange, quantizedActivationRange } from "./common";
import type { Eval, Kernel } from "./kernel";

// Local bindings: an imported function is read through a module getter at each call under
// some loaders (tsx); hot loops call these instead.
const mbqm = multiplyByQuantizedMultiplier;

const LEFT_SHIFT = 20;

export const Add: Kernel = {
  op: "ADD",
  prepare(node: Node): Eval {
    const o = node.options("AddOptions");
    const { a, b, output, aIndex, bIndex, size } = prepareBinary(node);

    if (a.dtype === "float32") {
      const x1 = node.f32(a);
      const x2 = node.f32(b);
      const y = node.f32(output);
      const [min, max] = floatActivationRange(node, o.fusedActivationFunction);
      return () => {
        for (let i = 0; i < size; i++) {
          const v = Math.fround(x1[aIndex[i]] + x2[bIndex[i]]);
          y[i] = v < min ? min : v > max ? max : v;
        }
      };
    }

    if (a.dtype === "int8") {
      const x1 = node.i8(a);
      const x2 = node.i8(b);
      const y = node.i8(output);
      const q1 = node.affine(a);
      const q2 = node.affine(b);
      const qo = node.affine(output);
      const twiceMaxScale = 2 * Math.max(q1.scale, q2.scale);
      const m1 = quantizeMultiplier(q1.scale / twiceMaxScale);
      const m2 = quantizeMultiplier(q2.scale / twiceMaxScale);
      const mo = quantizeMultiplier(twiceMaxScale / (2 ** LEFT_SHIFT * qo.scale));
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
      const lift = 2 ** LEFT_SHIFT;
      return () => {
        for (let i = 0; i < size; i++) {
          const s1 = mbqm((x1[aIndex[i]] - z1) * lift, m1.multiplier, m1.shift);
          const s2 = mbqm((x2[bIndex[i]] - z2) * lift, m2.multiplier, m2.shift);
          const q = mbqm(s1 + s2, mo.multiplier, mo.shift) + zo;
          y[i] = q < min ? min : q > max ? max : q;
        }
      };
    }
    throw node.unsupported();
  },
};
