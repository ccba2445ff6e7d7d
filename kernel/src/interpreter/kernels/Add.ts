/**
 * ADD with numpy broadcasting and a fused activation. float32: y = clamp(a + b); int32 and
 * int64 (shape and index arithmetic): y = clamp(a + b), wrapping (`binary.ts`).
 * int8 (TFLite `add.cc` Prepare, `integer_ops::AddElementwise`): both inputs are brought to a
 * common scale 2·max(s_a, s_b) with 20 bits of headroom:
 *   a' = MBQM((a − z_a) · 2^20, s_a / (2·max)),  b' likewise,
 *   y = clamp(MBQM(a' + b', 2·max / (2^20 · s_out)) + z_out).
 * int16 (16x8, `pot_scale_int16` false or any scale not a power of two): the same with 2^15
 * instead of 2^20 and zero points 0 (`reference_ops::Add` → `AddGeneralParamScale`).
 * int16 with `pot_scale_int16` and power-of-two scales (`reference_ops::Add`, LSTM-style): the
 * input whose scale is finer by 2^k is brought to the output's, y = sat16(RDBP(a, k) + b).
 */
import type { Activation } from "../../ir";
import {
  checkedLog2,
  multiplyByQuantizedMultiplier,
  quantizeMultiplier,
  roundingDivideByPOT,
} from "../../quant/fixedpoint";
import type { Node } from "../node";
import { prepareBinary, prepareWideIntegerArithmetic, type BinaryOperands } from "./binary";
import { expectSymmetricInt16, floatActivationRange, quantizedActivationRange } from "./common";
import type { Eval, Kernel } from "./kernel";

// Local bindings: an imported function is read through a module getter at each call under
// some loaders (tsx); hot loops call these instead.
const mbqm = multiplyByQuantizedMultiplier;

const LEFT_SHIFT = 20;
/** int16: 65535 · 2^15 < 2^31, so the lifted operands and their sum still fit an int32. */
const LEFT_SHIFT_INT16 = 15;

export const Add: Kernel = {
  op: "ADD",
  prepare(node: Node): Eval {
    const o = node.options("AddOptions");
    const operands = prepareBinary(node);
    const { a, b, output, aIndex, bIndex, size } = operands;

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

    const wide = prepareWideIntegerArithmetic(
      node,
      operands,
      o.fusedActivationFunction,
      (x, y) => (x + y) | 0,
      (x, y) => x + y,
    );
    if (wide !== null) return wide;

    if (a.dtype === "int16" && o.potScaleInt16) {
      const pot = preparePowerOfTwoInt16(node, o.fusedActivationFunction, operands);
      if (pot !== null) return pot;
    }

    if (a.dtype === "int8" || a.dtype === "int16") {
      const x1 = node.i8or16(a);
      const x2 = node.i8or16(b);
      const y = node.i8or16(output);
      const q1 = node.affine(a);
      const q2 = node.affine(b);
      const qo = node.affine(output);
      if (a.dtype === "int16") expectSymmetricInt16(node, a, b, output);
      const leftShift = a.dtype === "int16" ? LEFT_SHIFT_INT16 : LEFT_SHIFT;
      const twiceMaxScale = 2 * Math.max(q1.scale, q2.scale);
      const m1 = quantizeMultiplier(q1.scale / twiceMaxScale);
      const m2 = quantizeMultiplier(q2.scale / twiceMaxScale);
      const mo = quantizeMultiplier(twiceMaxScale / (2 ** leftShift * qo.scale));
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
      const lift = 2 ** leftShift;
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

/**
 * The power-of-two int16 ADD, or `null` when a scale is not a power of two (then TFLite takes
 * the general path). With l = log2 of each scale, k_i = l_i − l_out must be ≤ 0 and at least one
 * of them 0: y = clamp(saturate16(RoundingDivideByPOT(x_shifted, −k) + x_other)).
 */
function preparePowerOfTwoInt16(
  node: Node,
  activation: Activation,
  { a, b, output, aIndex, bIndex, size }: BinaryOperands,
): Eval | null {
  expectSymmetricInt16(node, a, b, output);
  const l1 = checkedLog2(node.affine(a).scale);
  const l2 = checkedLog2(node.affine(b).scale);
  const lo = checkedLog2(node.affine(output).scale);
  if (!l1.isPowerOfTwo || !l2.isPowerOfTwo || !lo.isPowerOfTwo) return null;
  const k1 = l1.log2 - lo.log2;
  const k2 = l2.log2 - lo.log2;
  if ((k1 !== 0 && k2 !== 0) || k1 > 0 || k2 > 0) {
    throw node.unsupported(
      `power-of-two int16 ADD needs one input at the output's scale and the other finer, ` +
        `found input scale exponents ${l1.log2}, ${l2.log2} and output ${lo.log2}`,
    );
  }
  const x1 = node.i16(a);
  const x2 = node.i16(b);
  const y = node.i16(output);
  const [min, max] = quantizedActivationRange(
    node,
    activation,
    node.affine(output).scale,
    0,
    output.dtype,
  );
  // The shifted operand is input 2 unless input 1 is the one with k ≠ 0.
  const firstShifted = k1 !== 0;
  const rightShift = firstShifted ? -k1 : -k2;
  return () => {
    for (let i = 0; i < size; i++) {
      const u = x1[aIndex[i]];
      const v = x2[bIndex[i]];
      const shifted = roundingDivideByPOT(firstShifted ? u : v, rightShift);
      const sum = shifted + (firstShifted ? v : u);
      const q = sum < -32768 ? -32768 : sum > 32767 ? 32767 : sum;
      y[i] = q < min ? min : q > max ? max : q;
    }
  };
}
