/**
 * Quantized multipliers for teaching: a real multiplier m ≥ 0 becomes an int32 `multiplier` in
 * [2^30, 2^31) and a power-of-two `shift` with m ≈ multiplier · 2^(shift − 31). The forward
 * direction and the integer arithmetic live in `fixedpoint.ts` (shared with the interpreter);
 * this module adds the way back.
 */
import { UsageError } from "../errors";
import type { QuantizedMultiplier } from "./fixedpoint";

/**
 * The real number a quantized multiplier stands for: multiplier · 2^(shift − 31), exact in a
 * double. (0, 0) gives 0. Inverse of `quantizeMultiplier` up to its rounding (relative error
 * ≤ 2^-31).
 */
export function dequantizeMultiplier(q: QuantizedMultiplier): number {
  if (!Number.isInteger(q.multiplier) || q.multiplier < 0 || q.multiplier > 2147483647) {
    throw new UsageError(
      `dequantizeMultiplier: multiplier must be an int32 >= 0; found ${q.multiplier}`,
    );
  }
  if (!Number.isInteger(q.shift)) {
    throw new UsageError(`dequantizeMultiplier: shift must be an integer; found ${q.shift}`);
  }
  return q.multiplier * 2 ** (q.shift - 31);
}
