/**
 * HARD_SWISH: y = x · relu6(x + 3) / 6. float32: `x · min(6, max(0, x + 3)) / 6`, each step in
 * float32.
 * int8 (TFLite `activations.cc` HardSwishPrepare, `reference_ops::HardSwish`), in 16-bit fixed
 * point. At prepare, in float32: s_hi = s_in / 128 (the input on a 7-bit finer scale),
 * output multiplier s_hi / s_out and "reluish" multiplier s_hi / (3 / 32768), each quantized
 * (M, shift) and M cut to 16 bits: m16 = (M + 2^15) >> 16 (32767 from 2^31 − 1 − 2^15 up); the
 * output shift must be ≤ 0. Per value:
 *   h = (x − z_in) · 2^7                                           (fits int16: |x − z| ≤ 255)
 *   o = SRDHM16(h, m16_out)                                        (x on the output scale, unshifted)
 *   r = h, saturating-left-shifted by shift_r − 1 when shift_r > 0
 *   r = SRDHM16(r, m16_r), then one more saturating left shift when shift_r > 0,
 *       or RDBP(r, −shift_r) when shift_r < 0                     (x/3 in Q0.15, saturated to ±1)
 *   r = (r + 2^15) >> 1                                            (relu6(x + 3)/6 in Q0.15, [0, 1])
 *   y = clamp(int16(RDBP(SDHM16(r, o), −shift_out) + z_out))
 * SRDHM16 rounds half away from zero like its 32-bit twin; SDHM16 truncates toward zero.
 */
import { quantizeMultiplier, roundingDivideByPOT } from "../../quant/fixedpoint";
import type { Node } from "../node";
import { dtypeRange } from "./common";
import type { Eval, Kernel } from "./kernel";

const rdbp = roundingDivideByPOT;

/** gemmlowp's 16-bit SaturatingRoundingDoublingHighMul: round(a·b / 2^15), halves away from 0. */
export function srdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  const ab = a * b;
  return Math.trunc((ab + (ab >= 0 ? 16384 : -16383)) / 32768);
}

/** TFLite's SaturatingDoublingHighMul (16-bit, ARM SQDMULH): a·b / 2^15 truncated toward 0. */
export function sdhm16(a: number, b: number): number {
  if (a === -32768 && b === -32768) return 32767;
  return Math.trunc((a * b) / 32768);
}

/** v · 2^amount saturated to int16. */
function saturatingLeftShift16(v: number, amount: number): number {
  const r = v * 2 ** amount;
  return r > 32767 ? 32767 : r < -32768 ? -32768 : r;
}

/** TFLite `DownScaleInt32ToInt16Multiplier`: the top 16 bits of a Q31 multiplier, rounded. */
export function downScaleMultiplier(m: number): number {
  return m >= 2147483647 - 32768 ? 32767 : (m + 32768) >> 16;
}

function floatHardSwish(x: number): number {
  const shifted = Math.fround(x + 3);
  const relu6 = shifted < 0 ? 0 : shifted > 6 ? 6 : shifted;
  return Math.fround(Math.fround(x * relu6) / 6);
}

export const HardSwish: Kernel = {
  op: "HARD_SWISH",
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
        for (let i = 0; i < n; i++) y[i] = floatHardSwish(x[i]);
      };
    }
    if (input.dtype === "int8" || input.dtype === "uint8") {
      const x = node.q8(input);
      const y = node.q8(output);
      const inQ = node.affine(input);
      const outQ = node.affine(output);
      const hiresScale = Math.fround(Math.fround(1 / 128) * inQ.scale);
      const out = quantizeMultiplier(Math.fround(hiresScale / outQ.scale));
      if (out.shift > 0) {
        throw node.unsupported(
          `output scale ${outQ.scale} is too small for input scale ${inQ.scale} (s_in / 128 / s_out must be < 1)`,
        );
      }
      const reluish = quantizeMultiplier(Math.fround(hiresScale / Math.fround(3 / 32768)));
      const outM = downScaleMultiplier(out.multiplier);
      const reluM = downScaleMultiplier(reluish.multiplier);
      const rShift = reluish.shift;
      const [qmin, qmax] = dtypeRange(node, input.dtype);
      const zi = inQ.zeroPoint;
      const zo = outQ.zeroPoint;
      return () => {
        for (let i = 0; i < n; i++) {
          const hires = (x[i] - zi) * 128;
          const preshift = srdhm16(hires, outM);
          let r = hires;
          if (rShift > 0) r = saturatingLeftShift16(r, rShift - 1);
          r = srdhm16(r, reluM);
          if (rShift > 0) r = saturatingLeftShift16(r, 1);
          if (rShift < 0) r = rdbp(r, -rShift);
          r = (r + 32768) >> 1;
          const q = ((rdbp(sdhm16(r, preshift), -out.shift) + zo) << 16) >> 16;
          y[i] = q < qmin ? qmin : q > qmax ? qmax : q;
        }
      };
    }
    throw node.unsupported(
      `input '${input.name}' has type ${input.dtype}; HARD_SWISH takes float32, int8, uint8`,
    );
  },
};
