/**
 * The three rounding rules quantization code meets (docs/quantization.md, "Rounding"):
 * - half away from zero (`std::round`, `TfLiteRound`): every TFLite quantizer and the QUANTIZE kernel;
 * - half up (`floor(x + 0.5)`): TensorFlow's FakeQuant* ops;
 * - half to even: numpy's `np.round`, float16 conversion, XNNPACK requantization.
 */
import { roundHalfAwayFromZero } from "./fixedpoint";

export { roundHalfAwayFromZero };

export type RoundingMode = "halfAwayFromZero" | "halfToEven" | "halfUp";

/** Round to nearest, ties to the even integer (IEEE default, numpy's `np.round`). */
export function roundHalfToEven(x: number): number {
  const r = Math.round(x); // ties toward +∞
  // A tie rounded up to an odd integer goes back down; `r - x` is exact for |x| < 2^52.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Round to nearest, ties toward +∞: `floor(x + 0.5)` computed exactly (no double rounding). */
export function roundHalfUp(x: number): number {
  return Math.round(x);
}

/** The rounding function for a mode. */
export function rounder(mode: RoundingMode): (x: number) => number {
  switch (mode) {
    case "halfAwayFromZero":
      return roundHalfAwayFromZero;
    case "halfToEven":
      return roundHalfToEven;
    case "halfUp":
      return roundHalfUp;
    default:
      return mode satisfies never;
  }
}
