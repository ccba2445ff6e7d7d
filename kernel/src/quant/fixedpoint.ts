/**
 * The integer arithmetic of TFLite's reference int8 kernels (gemmlowp fixed point, TFLite's
 * `quantization_util` and `common.h`), in plain JavaScript numbers.
 *
 * Every value here is an int32 held in a double. The one operation whose exact result does not
 * fit in a double is the 32×32-bit product inside `saturatingRoundingDoublingHighMul` (up to
 * 2^62 > 2^53); it is computed from 16-bit halves, each partial product exact (see there).
 * Nothing here allocates, so kernels can call these functions per element.
 */
import { UsageError } from "../errors";

export const INT32_MIN = -2147483648;
export const INT32_MAX = 2147483647;

/** A real multiplier `m ≈ multiplier · 2^(shift − 31)`, `multiplier` an int32 in [2^30, 2^31). */
export interface QuantizedMultiplier {
  multiplier: number;
  /** Positive = left shift, negative = right shift. */
  shift: number;
}

/**
 * Rounds half away from zero, like C's `round`/`std::round` (TFLite's `TfLiteRound`).
 * `Math.round` rounds halves towards +∞, so negative values are mirrored.
 */
export function roundHalfAwayFromZero(x: number): number {
  // `0 - …` rather than `-…` so that small negatives give +0, not −0.
  return x < 0 ? 0 - Math.round(-x) : Math.round(x);
}

/** C's `frexp`: `x = fraction · 2^exponent` with |fraction| in [0.5, 1); (0, 0) for x = 0. */
export function frexp(x: number): { fraction: number; exponent: number } {
  if (x === 0 || !Number.isFinite(x)) return { fraction: x, exponent: 0 };
  const ax = Math.abs(x);
  // Math.log2 can be off by one near powers of two; correct it with exact power-of-two scaling.
  let exponent = Math.max(-1073, Math.floor(Math.log2(ax)) + 1);
  let fraction = ax / 2 ** exponent;
  while (fraction >= 1) {
    fraction /= 2;
    exponent += 1;
  }
  while (fraction < 0.5) {
    fraction *= 2;
    exponent -= 1;
  }
  return { fraction: x < 0 ? -fraction : fraction, exponent };
}

/**
 * TFLite `QuantizeMultiplier(double m)`: `q, shift = frexp(m)`, `multiplier = round(q · 2^31)`
 * (half away from zero); if rounding reaches 2^31, halve it and increment `shift`.
 * Degenerate cases: `m = 0` → (0, 0); `shift < −31` (m below ~2^-32) → (0, 0), as TFLite does.
 */
export function quantizeMultiplier(m: number): QuantizedMultiplier {
  if (!Number.isFinite(m) || m < 0) {
    throw new UsageError(`quantizeMultiplier: expected a finite multiplier >= 0, found ${m}`);
  }
  if (m === 0) return { multiplier: 0, shift: 0 };
  const { fraction, exponent } = frexp(m);
  let shift = exponent;
  let multiplier = roundHalfAwayFromZero(fraction * 2147483648);
  if (multiplier === 2147483648) {
    multiplier /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  return { multiplier, shift };
}

/** `QuantizeMultiplierSmallerThanOneExp`: as `quantizeMultiplier`, for 0 ≤ m < 1 (shift ≤ 0). */
export function quantizeMultiplierSmallerThanOneExp(m: number): QuantizedMultiplier {
  if (!(m >= 0 && m < 1)) {
    throw new UsageError(`quantizeMultiplierSmallerThanOneExp: expected 0 <= m < 1, found ${m}`);
  }
  return quantizeMultiplier(m);
}

/** `QuantizeMultiplierGreaterThanOne`: as `quantizeMultiplier`, for m > 1 (shift ≥ 0). */
export function quantizeMultiplierGreaterThanOne(m: number): QuantizedMultiplier {
  if (!(m > 1)) {
    throw new UsageError(`quantizeMultiplierGreaterThanOne: expected m > 1, found ${m}`);
  }
  return quantizeMultiplier(m);
}

/**
 * gemmlowp `SaturatingRoundingDoublingHighMul(a, b)` (ARM VQRDMULH): `(a·b + nudge) / 2^31`
 * truncated toward zero, nudge = 2^30 if a·b ≥ 0 else 1 − 2^30; the one overflow,
 * a = b = INT32_MIN, saturates to INT32_MAX. Rounds to nearest, halves away from zero.
 *
 * Exactness: when the double product a·b is below 2^52 in magnitude it is exact (so is adding
 * the nudge, dividing by 2^31 and truncating): the fast path, taken by typical accumulators
 * (|a| < 2^21 with a 31-bit multiplier). Otherwise, with P = |a|·|b| (< 2^62) and c the nudge
 * magnitude, the result magnitude is ⌊(P + c) / 2^31⌋. Split |a| = ah·2^16 + al and
 * |b| = bh·2^16 + bl (al, bl < 2^16, ah, bh ≤ 2^15); then
 * P + c = ah·bh·2^32 + (ah·bl + al·bh)·2^16 + (al·bl + c), where the last two terms sum to
 * less than 2^49 — exact in a double — and the first contributes exactly 2·ah·bh to the quotient.
 */
export function saturatingRoundingDoublingHighMul(a: number, b: number): number {
  const ab = a * b;
  if (ab > -4503599627370496 && ab < 4503599627370496) {
    // (ab + nudge) / 2^31 truncated toward zero: multiplying by 2^−31 is exact, and `| 0`
    // (ToInt32) truncates toward zero (and turns −0 into 0).
    return ((ab + (ab >= 0 ? 1073741824 : -1073741823)) * 4.656612873077393e-10) | 0;
  }
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const negative = a < 0 !== b < 0 && a !== 0 && b !== 0;
  const ua = Math.abs(a);
  const ub = Math.abs(b);
  const ah = Math.floor(ua / 65536);
  const al = ua - ah * 65536;
  const bh = Math.floor(ub / 65536);
  const bl = ub - bh * 65536;
  // a·b < 0 → (a·b + 1 − 2^30) truncated = −⌊(P + 2^30 − 1) / 2^31⌋.
  const nudge = negative ? 1073741823 : 1073741824;
  const low = (ah * bl + al * bh) * 65536 + al * bl + nudge;
  const magnitude = 2 * ah * bh + Math.floor(low / 2147483648);
  return negative ? -magnitude | 0 : magnitude;
}

/**
 * gemmlowp `RoundingDivideByPOT(x, exponent)`: x / 2^exponent rounded to nearest, halves away
 * from zero (an arithmetic shift plus 1 when the remainder exceeds half, or half for negatives).
 * exponent in [0, 31].
 */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = exponent === 31 ? 0x7fffffff : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/**
 * TFLite `MultiplyByQuantizedMultiplier(x, multiplier, shift)` in the default (double rounding)
 * build: `RoundingDivideByPOT(SRDHM(x · 2^max(shift, 0), multiplier), max(−shift, 0))`, i.e.
 * x · multiplier · 2^(shift − 31) rounded twice. The left shift wraps like int32 (C's overflow).
 */
export function multiplyByQuantizedMultiplier(
  x: number,
  multiplier: number,
  shift: number,
): number {
  // `<<` wraps like C's int32 overflow (shift ≤ 31); with no left shift, RDBP shifts right.
  if (shift > 0) return saturatingRoundingDoublingHighMul(x << shift, multiplier);
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -shift);
}

/** `MultiplyByQuantizedMultiplierSmallerThanOneExp(x, multiplier, leftShift ≤ 0)`. */
export function multiplyByQuantizedMultiplierSmallerThanOneExp(
  x: number,
  multiplier: number,
  leftShift: number,
): number {
  return roundingDivideByPOT(saturatingRoundingDoublingHighMul(x, multiplier), -leftShift);
}

/** `MultiplyByQuantizedMultiplierGreaterThanOne(x, multiplier, leftShift ≥ 0)`. */
export function multiplyByQuantizedMultiplierGreaterThanOne(
  x: number,
  multiplier: number,
  leftShift: number,
): number {
  return saturatingRoundingDoublingHighMul(x << leftShift, multiplier);
}

// ---------------------------------------------------------------------------------------------
// Fixed-point helpers of the reference SOFTMAX (gemmlowp `fixedpoint.h`, TFLite `common.h`).
// A value in Qm.n ("m integer bits") is an int32 raw r meaning r / 2^(31 − m).

/** gemmlowp `SaturatingRoundingMultiplyByPOT<exponent>`: saturating left shift or rounding right. */
export function saturatingRoundingMultiplyByPOT(x: number, exponent: number): number {
  if (exponent === 0) return x;
  if (exponent < 0) return roundingDivideByPOT(x, -exponent);
  const threshold = 2 ** (31 - exponent) - 1;
  if (x > threshold) return INT32_MAX;
  if (x < -threshold) return INT32_MIN;
  return (x * 2 ** exponent) | 0;
}

/** gemmlowp `Rescale<dstBits>` of a raw value with `srcBits` integer bits. */
export function rescale(x: number, srcBits: number, dstBits: number): number {
  return saturatingRoundingMultiplyByPOT(x, srcBits - dstBits);
}

/** gemmlowp `RoundingHalfSum(a, b)`: (a + b) / 2 rounded to nearest, halves away from zero. */
export function roundingHalfSum(a: number, b: number): number {
  const sum = a + b;
  return Math.trunc((sum + (sum >= 0 ? 1 : -1)) / 2);
}

/** int32 wrap-around addition (gemmlowp's `Add` on raw values). */
function add(a: number, b: number): number {
  return (a + b) | 0;
}

/** exp(a) for a in [−1/4, 0), Q0.31 in and out (Taylor expansion around −1/8). */
function expOnIntervalBetweenNegativeOneQuarterAnd0Excl(a: number): number {
  const constantTerm = 1895147668; // exp(−1/8) in Q0.31
  const constantOneOver3 = 715827883; // 1/3 in Q0.31
  const x = add(a, 1 << 28); // a + 1/8
  const x2 = saturatingRoundingDoublingHighMul(x, x);
  const x3 = saturatingRoundingDoublingHighMul(x2, x);
  const x4 = saturatingRoundingDoublingHighMul(x2, x2);
  const x4Over4 = saturatingRoundingMultiplyByPOT(x4, -2);
  const poly = saturatingRoundingMultiplyByPOT(
    add(saturatingRoundingDoublingHighMul(add(x4Over4, x3), constantOneOver3), x2),
    -1,
  );
  return add(constantTerm, saturatingRoundingDoublingHighMul(constantTerm, add(x, poly)));
}

/**
 * gemmlowp `exp_on_negative_values`: exp(a) for a ≤ 0 given in Q`integerBits`, result in Q0.31.
 * Splits a into (a mod 1/4) − 1/4 (a Taylor polynomial) and a barrel of exp(−2^k) factors;
 * a = 0 gives the Q0.31 "one" (INT32_MAX); a < −32 gives 0 when integerBits > 5.
 */
export function expOnNegativeValues(a: number, integerBits: number): number {
  const fractionalBits = 31 - integerBits;
  const oneQuarter = 2 ** (fractionalBits - 2);
  const mask = oneQuarter - 1;
  const aModQuarterMinusOneQuarter = add(a & mask, -oneQuarter);
  let result = expOnIntervalBetweenNegativeOneQuarterAnd0Excl(
    rescale(aModQuarterMinusOneQuarter, integerBits, 0),
  );
  const remainder = add(aModQuarterMinusOneQuarter, -a);
  // exp(−2^k) in Q0.31 for k = −2 … 4.
  const barrel: readonly [number, number][] = [
    [-2, 1672461947],
    [-1, 1302514674],
    [0, 790015084],
    [1, 290630308],
    [2, 39332535],
    [3, 720401],
    [4, 242],
  ];
  for (const [exponent, multiplier] of barrel) {
    if (integerBits > exponent) {
      const bit = 2 ** (fractionalBits + exponent);
      if ((remainder & bit) !== 0) result = saturatingRoundingDoublingHighMul(result, multiplier);
    }
  }
  if (integerBits > 5) {
    const clamp = -(2 ** (36 - integerBits)); // −32 in Q`integerBits`
    if (a < clamp) result = 0;
  }
  if (a === 0) result = INT32_MAX;
  return result;
}

/** gemmlowp `one_over_one_plus_x_for_x_in_0_1`: 1/(1 + a) for a in [0, 1), Q0.31 in and out. */
export function oneOverOnePlusXForXIn01(a: number): number {
  // Newton–Raphson on the half denominator d = (1 + a)/2 in [0.5, 1), in Q2.29.
  const halfDenominator = roundingHalfSum(a, INT32_MAX);
  const constant48Over17 = 1515870810;
  const constantNeg32Over17 = -1010580540;
  const oneQ2 = 1 << 29;
  let x = add(
    constant48Over17,
    saturatingRoundingDoublingHighMul(halfDenominator, constantNeg32Over17),
  );
  for (let i = 0; i < 3; i++) {
    const halfDenominatorTimesX = saturatingRoundingDoublingHighMul(halfDenominator, x);
    const oneMinusHalfDenominatorTimesX = add(oneQ2, -halfDenominatorTimesX);
    x = add(x, rescale(saturatingRoundingDoublingHighMul(x, oneMinusHalfDenominatorTimesX), 4, 2));
  }
  // ExactMulByPot<−1>: reinterpret Q2.29 as Q1.30, then rescale to Q0.31.
  return rescale(x, 1, 0);
}

/** Number of leading zero bits of x read as uint32 (32 for 0). */
export function countLeadingZeros(x: number): number {
  return Math.clz32(x);
}

/**
 * TFLite `GetReciprocal(x, xIntegerDigits)`: 1/x for a positive x in Q`xIntegerDigits`, as a Q0.31
 * `reciprocal` of x normalised into [1, 2) and `numBitsOverUnit`, the power of two removed:
 * 1/x ≈ reciprocal / 2^31 / 2^numBitsOverUnit.
 */
export function getReciprocal(
  x: number,
  xIntegerDigits: number,
): { reciprocal: number; numBitsOverUnit: number } {
  const headroomPlusOne = countLeadingZeros(x);
  const numBitsOverUnit = xIntegerDigits - headroomPlusOne;
  // (x << headroomPlusOne) − 2^31 as uint32 arithmetic, read back as int32.
  const shiftedSumMinusOne = ((x << headroomPlusOne) - INT32_MIN) | 0;
  return { reciprocal: oneOverOnePlusXForXIn01(shiftedSumMinusOne), numBitsOverUnit };
}

/**
 * TFLite `PreprocessSoftmaxScaling(beta, inputScale, inputIntegerBits)`: the multiplier of
 * `beta · inputScale · 2^(31 − inputIntegerBits)`, capped at 2^31 − 1 (a larger one only
 * scales differences that round to 0 anyway), as `multiplier · 2^leftShift`.
 */
export function preprocessSoftmaxScaling(
  beta: number,
  inputScale: number,
  inputIntegerBits: number,
): { multiplier: number; leftShift: number } {
  const real = Math.min(beta * inputScale * 2 ** (31 - inputIntegerBits), 2147483647);
  const { multiplier, shift } = quantizeMultiplierGreaterThanOne(real);
  return { multiplier, leftShift: shift };
}

/**
 * TFLite `CalculateInputRadius(inputIntegerBits, leftShift, totalSignedBits = 31)`: the largest
 * input difference whose rescaled value still fits: ⌊(2^m − 1) · 2^(31 − m) / 2^leftShift⌋.
 */
export function calculateInputRadius(
  inputIntegerBits: number,
  inputLeftShift: number,
  totalSignedBits = 31,
): number {
  const maxInputRescaled =
    ((2 ** inputIntegerBits - 1) * 2 ** (totalSignedBits - inputIntegerBits)) / 2 ** inputLeftShift;
  return Math.floor(maxInputRescaled);
}
