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

// ---------------------------------------------------------------------------------------------
// 16x8 (int16 activations, int8 weights): the arithmetic of TFLite's reference int16 kernels.

/**
 * TFLite `MultiplyByQuantizedMultiplier(int64 x, multiplier, shift)` (`common.cc`), used by the
 * int16 CONV_2D / DEPTHWISE_CONV_2D kernels on their int64 accumulators: the multiplier is first
 * rounded to 15 bits, `m' = (multiplier + 2^15) >> 16` (0x7FFF when multiplier ≥ 0x7FFF0000),
 * then one rounding shift: `⌊(x · m' + 2^(14 − shift)) / 2^(15 − shift)⌋` (an arithmetic shift,
 * so ties round towards +∞), truncated to int32 as C's conversion does. `m' = 0` gives 0 (+ the
 * rounding term, which is below one unit).
 *
 * Exactness: TFLite requires |x| < 2^47, so |x · m'| < 2^62. Below 2^53 the double arithmetic
 * is exact (the product, the sum and the power-of-two division); above it the same formula runs
 * in BigInt. Accumulators of the fixture models stay far below the fast path's bound.
 */
export function multiplyByQuantizedMultiplierInt64(
  x: number,
  multiplier: number,
  shift: number,
): number {
  const reduced = multiplier < 0x7fff0000 ? (multiplier + 32768) >> 16 : 0x7fff;
  const totalShift = 15 - shift;
  const product = x * reduced;
  if (Math.abs(product) < 2 ** 52) {
    return Math.floor((product + 2 ** (totalShift - 1)) / 2 ** totalShift) | 0;
  }
  const r = (BigInt(x) * BigInt(reduced) + (1n << BigInt(totalShift - 1))) >> BigInt(totalShift);
  return Number(BigInt.asIntN(32, r));
}

/** C's `static_cast<int16_t>` of an integer: wrap to [−32768, 32767]. */
export function wrapInt16(x: number): number {
  return (x << 16) >> 16;
}

/**
 * TFLite `CheckedLog2(x)`: `l = round(logf(x) · (1/logf(2)))` in float32 and whether x is a
 * power of two within 1e-3 of an octave (|log2 x − l| < 1e-3).
 */
export function checkedLog2(x: number): { log2: number; isPowerOfTwo: boolean } {
  const log2 = Math.fround(Math.fround(Math.log(x)) * Math.fround(1 / Math.fround(Math.log(2))));
  const rounded = roundHalfAwayFromZero(log2);
  return { log2: rounded, isPowerOfTwo: Math.abs(Math.fround(log2 - rounded)) < Math.fround(1e-3) };
}

/** Number of entries of an int16 interpolation table: 512 segments and the last end point. */
export const INT16_LUT_SIZE = 513;

/**
 * TFLite `LUTPopulateInt16<double>` (`common.h`), the table of f for int16 → int16 lookups with
 * linear interpolation. The input range [s_in·(−32768 − z_in), s_in·(32767 − z_in)] is cut into
 * 512 segments of width `step`; with `k = 65536 / (output range)` and round = half away from 0,
 * entry i is `round(f(x_i)·k) − bias_i`, where `bias_i = round((interp − mid) / 2)` moves the
 * segment's start so that the interpolated midpoint
 * `interp = round((f(x_{i+1})·k + round(f(x_i)·k)) / 2)` splits the error with the true
 * `mid = round(f(x_i + step/2)·k)`; entry 512 is `round(f(x_max)·k)`. Every entry is clamped to
 * int16. All arithmetic in double, as the softmax tables use it.
 */
export function int16LookupTable(
  f: (x: number) => number,
  inputScale: number,
  inputZeroPoint: number,
  outputScale: number,
  outputZeroPoint: number,
): Int16Array {
  const inputMin = inputScale * (-32768 - inputZeroPoint);
  const inputMax = inputScale * (32767 - inputZeroPoint);
  const outputMin = outputScale * (-32768 - outputZeroPoint);
  const outputMax = outputScale * (32767 - outputZeroPoint);
  const segments = INT16_LUT_SIZE - 1;
  const step = (inputMax - inputMin) / segments;
  const halfStep = step / 2;
  const k = 65536 / (outputMax - outputMin);
  const round = roundHalfAwayFromZero;
  const clamp = (v: number): number => (v < -32768 ? -32768 : v > 32767 ? 32767 : v);
  const lut = new Int16Array(INT16_LUT_SIZE);
  for (let i = 0; i < segments; i++) {
    const value = f(inputMin + i * step);
    const midpoint = f(inputMin + i * step + halfStep);
    const next = f(inputMin + (i + 1) * step);
    const sample = round(value * k);
    const interpolated = round((next * k + round(value * k)) / 2);
    const bias = round((interpolated - round(midpoint * k)) / 2);
    lut[i] = clamp(sample - bias);
  }
  lut[segments] = clamp(round(f(inputMax) * k));
  return lut;
}

/**
 * TFLite `LUTLookup(int16 value, lut)`: the top 9 bits of `value + 32768` pick the segment, the
 * low 7 interpolate: `base + ((slope · (value & 127) + 64) >> 7)`, wrapped to int16.
 */
export function int16Lookup(value: number, lut: Int16Array): number {
  const index = 256 + (value >> 7);
  const base = lut[index] ?? 0;
  const slope = (lut[index + 1] ?? 0) - base;
  return wrapInt16(base + ((slope * (value & 0x7f) + 64) >> 7));
}

/**
 * LiteRT's `sigmoid_table_uint16` (`kernels/internal/common.h`): sigmoid(i/24) in Q0.16 for
 * i = 0 … 255, shared by the int16 LOGISTIC and TANH kernels (tanh(x) = 2·sigmoid(2x) − 1).
 * NOTE: these are data, not a formula: the entries are within 1.2 of 65536·sigmoid(i/24) but
 * not its rounding (the table was tuned for interpolation), so bit-exactness needs the values
 * themselves; `int16.test.ts` checks them against the formula.
 */
// prettier-ignore
export const SIGMOID_TABLE_Q16: Uint16Array = Uint16Array.from([
  32768, 33451, 34133, 34813, 35493, 36169, 36843, 37513, 38180, 38841, 39498, 40149,
  40794, 41432, 42064, 42688, 43304, 43912, 44511, 45102, 45683, 46255, 46817, 47369,
  47911, 48443, 48964, 49475, 49975, 50464, 50942, 51409, 51865, 52311, 52745, 53169,
  53581, 53983, 54374, 54755, 55125, 55485, 55834, 56174, 56503, 56823, 57133, 57433,
  57724, 58007, 58280, 58544, 58800, 59048, 59288, 59519, 59743, 59959, 60168, 60370,
  60565, 60753, 60935, 61110, 61279, 61441, 61599, 61750, 61896, 62036, 62172, 62302,
  62428, 62549, 62666, 62778, 62886, 62990, 63090, 63186, 63279, 63368, 63454, 63536,
  63615, 63691, 63765, 63835, 63903, 63968, 64030, 64090, 64148, 64204, 64257, 64308,
  64357, 64405, 64450, 64494, 64536, 64576, 64614, 64652, 64687, 64721, 64754, 64786,
  64816, 64845, 64873, 64900, 64926, 64950, 64974, 64997, 65019, 65039, 65060, 65079,
  65097, 65115, 65132, 65149, 65164, 65179, 65194, 65208, 65221, 65234, 65246, 65258,
  65269, 65280, 65291, 65301, 65310, 65319, 65328, 65337, 65345, 65352, 65360, 65367,
  65374, 65381, 65387, 65393, 65399, 65404, 65410, 65415, 65420, 65425, 65429, 65433,
  65438, 65442, 65445, 65449, 65453, 65456, 65459, 65462, 65465, 65468, 65471, 65474,
  65476, 65479, 65481, 65483, 65485, 65488, 65489, 65491, 65493, 65495, 65497, 65498,
  65500, 65501, 65503, 65504, 65505, 65507, 65508, 65509, 65510, 65511, 65512, 65513,
  65514, 65515, 65516, 65517, 65517, 65518, 65519, 65520, 65520, 65521, 65522, 65522,
  65523, 65523, 65524, 65524, 65525, 65525, 65526, 65526, 65526, 65527, 65527, 65528,
  65528, 65528, 65529, 65529, 65529, 65529, 65530, 65530, 65530, 65530, 65531, 65531,
  65531, 65531, 65531, 65532, 65532, 65532, 65532, 65532, 65532, 65533, 65533, 65533,
  65533, 65533, 65533, 65533, 65533, 65534, 65534, 65534, 65534, 65534, 65534, 65534,
  65534, 65534, 65534, 65535,
]);

/**
 * The int16 input rescaling of LOGISTIC and TANH (TFLite `activations.cc` `SigmoidPrepare` /
 * `TanhPrepare`, `kInputIntegerBits = 3`): the kernels want the input in units of 1/(3·4096)
 * (so ±2^17 spans ±10.7) as `(x · multiplier + round) >> leftShift`.
 * - Power-of-two input scale with leftShift = 12 + log2(scale) equal to 0 (LOGISTIC) or 0/1 (TANH):
 *   multiplier 3 · 2^leftShift, leftShift 0.
 * - Otherwise m = s_in · 4096 · 3 in double, doubled (leftShift += 1) while m ≤ 32767/2 and
 *   leftShift ≤ 30; multiplier = ⌊m⌋.
 */
export function int16ActivationRescale(
  inputScale: number,
  allowedPotShifts: readonly number[],
): { multiplier: number; leftShift: number } {
  const { log2, isPowerOfTwo } = checkedLog2(inputScale);
  const potShift = 15 - 3 + log2;
  if (isPowerOfTwo && allowedPotShifts.includes(potShift)) {
    return { multiplier: 3 << potShift, leftShift: 0 };
  }
  let m = inputScale * 4096.0 * 3.0;
  let leftShift = 0;
  while (m <= 32767.0 / 2.0 && leftShift <= 30) {
    leftShift++;
    m *= 2;
  }
  return { multiplier: Math.trunc(m), leftShift };
}

/**
 * TFLite `reference_integer_ops::Logistic` for one int16 value, output in Q0.15:
 * v = (x·multiplier + round) >> leftShift; for |v| the table segment is |v| >> 9 and the
 * interpolation weight |v| & 511: r = (t[h] << 9) + w·(t[h+1] − t[h]) (Q0.25), saturated to
 * 0x7FFF << 10 from segment 255 on; sigmoid(−x) = 1 − sigmoid(x) gives
 * r' = 2^25 − r + 511 for v < 0; y = (r' + 512 or r + 512) >> 10.
 */
export function logisticInt16(x: number, multiplier: number, leftShift: number): number {
  const round = leftShift > 0 ? 1 << (leftShift - 1) : 0;
  const v = ((x * multiplier + round) | 0) >> leftShift;
  const a = v < 0 ? -v : v;
  const h = a >>> 9;
  let r: number;
  if (h >= 255) {
    r = 0x7fff << 10;
  } else {
    const ta = SIGMOID_TABLE_Q16[h] ?? 0;
    const tb = SIGMOID_TABLE_Q16[h + 1] ?? 0;
    r = ta * 512 + (a & 0x1ff) * (tb - ta);
  }
  r = v >= 0 ? r + 512 : 2 ** 25 - r + 512 - 1;
  return wrapInt16(Math.floor(r / 1024));
}

/**
 * TFLite `reference_integer_ops::Tanh` for one int16 value, output in Q0.15, from the same
 * sigmoid table at twice the input resolution (segment |v| >> 8, weight |v| & 255):
 * r = (t[h] << 8) + w·(t[h+1] − t[h]) (saturated to 0xFFFF << 8), then
 * y = (r − 2^23 + 2^7) >> 8 for v ≥ 0 and (−r + 2^23 + 2^7 − 1) >> 8 for v < 0
 * (2·sigmoid − 1, arithmetic shift).
 */
export function tanhInt16(x: number, multiplier: number, leftShift: number): number {
  const round = leftShift > 0 ? 1 << (leftShift - 1) : 0;
  const v = ((x * multiplier + round) | 0) >> leftShift;
  const a = v < 0 ? -v : v;
  const h = a >>> 8;
  let r: number;
  if (h >= 255) {
    r = 0xffff << 8;
  } else {
    const ta = SIGMOID_TABLE_Q16[h] ?? 0;
    const tb = SIGMOID_TABLE_Q16[h + 1] ?? 0;
    r = ta * 256 + (a & 0xff) * (tb - ta);
  }
  r = v >= 0 ? r - 2 ** 23 + 2 ** 7 : -r + 2 ** 23 + 2 ** 7 - 1;
  return wrapInt16(r >> 8);
}

// ---------------------------------------------------------------------------------------------
// L2_NORMALIZATION (int8): 1/√x as a quantized multiplier.

/**
 * TFLite `GetInvSqrtQuantizedMultiplierExp(x, reverseShift)`: 1/√x for an int32 x ≥ 0 as
 * multiplier · 2^(shift) with `shift` returned already multiplied by `reverseShift`. x ≤ 1 gives
 * (INT32_MAX, 0). Otherwise x is divided by 4 (integer division) while ≥ 2^29, each step adding
 * one to a right shift that starts at 11, then shifted left by an even number of bits into
 * [2^27, 2^29) (subtracting the pairs from the shift); in Q3.28, five Newton–Raphson steps
 * y ← 1.5·y − (x/2)·y³ from y = 1 (x taken as raw >> 1 and halved by a rounding shift; y³ as
 * two fixed-point products, Q9 rescaled to Q3; the difference rescaled from Q6 to Q3), then
 * y·√2/2 (a Q0 constant). A negative shift is applied to the multiplier as a plain left shift.
 */
export function invSqrtQuantizedMultiplierExp(
  x: number,
  reverseShift: number,
): { multiplier: number; shift: number } {
  if (x <= 1) return { multiplier: INT32_MAX, shift: 0 };
  let input = x;
  let shift = 11;
  while (input >= 1 << 29) {
    input = Math.trunc(input / 4);
    shift++;
  }
  const maxLeftShiftBits = Math.clz32(input) - 1;
  const leftShiftBitPairs = Math.floor(maxLeftShiftBits / 2) - 1;
  shift -= leftShiftBitPairs;
  input = (input << (2 * leftShiftBitPairs)) | 0;
  const srdhm = saturatingRoundingDoublingHighMul;
  const fixedInput = input >> 1; // Q3.28
  const halfInput = saturatingRoundingMultiplyByPOT(fixedInput, -1);
  const halfThree = (1 << 28) + (1 << 27); // 1.5 in Q3.28
  let y = 1 << 28; // 1 in Q3.28
  for (let i = 0; i < 5; i++) {
    const y3 = rescale(srdhm(srdhm(y, y), y), 9, 3);
    y = rescale((srdhm(halfThree, y) - srdhm(halfInput, y3)) | 0, 6, 3);
  }
  const halfSqrt2 = 1518500250; // √2/2 in Q0.31
  let multiplier = srdhm(y, halfSqrt2);
  if (shift < 0) {
    multiplier = (multiplier << -shift) | 0;
    shift = 0;
  }
  return { multiplier, shift: shift * reverseShift };
}

// ---------------------------------------------------------------------------------------------
// LOG_SOFTMAX (int8): log of a fixed-point value ≥ 1.

/** int32 addition saturated to the int32 range (gemmlowp `SaturatingAdd`). */
function saturatingAdd(a: number, b: number): number {
  const s = a + b;
  return s > INT32_MAX ? INT32_MAX : s < INT32_MIN ? INT32_MIN : s;
}

/**
 * TFLite `log_x_for_x_greater_than_or_equal_to_1<outputBits>` of a raw value in Q`inputBits`,
 * result raw in Q`outputBits`, accumulated with one more integer bit. The input is normalised
 * two ways — shifted to [1/2, 1) then scaled by √½, and scaled by √½ then shifted — giving a
 * mantissa r (the smaller of the two) near √½ and an exponent estimate in quarter-octave steps
 * (the larger); log(r) comes from a rational approximation in q = 2(r − ⁴√½), with
 * p = (r + ⁴√½)/2 (rounding half sum), num = q·r + q·q²·α_n and
 * 1/denom = oneOverOnePlusX(p·(α_i + q + α_d·q²) + α_f·q); result = exponent·log 2 + num/denom.
 * Every product is an SRDHM, sums wrap like int32 except the two exponent adjustments, which
 * saturate. Constants in Q0.31 as in TFLite.
 */
export function logXForXGreaterThanOrEqualTo1(
  x: number,
  inputBits: number,
  outputBits: number,
): number {
  const mul = saturatingRoundingDoublingHighMul;
  const pot = saturatingRoundingMultiplyByPOT;
  const accumBits = outputBits + 1;
  const log2 = 1488522236;
  const sqrtSqrtHalf = 1805811301;
  const sqrtHalf = 1518500250;
  const oneQuarter = 536870912;
  const alphaN = 117049297;
  const alphaD = 127690142;
  const alphaI = 1057819769;
  const alphaF = 638450708;
  const shiftedQuarter = rescale(oneQuarter, 0, accumBits);

  const zA = x;
  const zAHeadroomPlus1 = Math.clz32(zA);
  const rATmp = pot(zA, zAHeadroomPlus1 - 1);
  const rA = pot(mul(rATmp, sqrtHalf), 1);
  const zAPow2Adj = saturatingAdd(pot(inputBits - zAHeadroomPlus1, 31 - accumBits), shiftedQuarter);

  const zB = mul(zA, sqrtHalf);
  const zBHeadroom = Math.clz32(zB) - 1;
  const rB = pot(zA, zBHeadroom);
  const zBPow2Adj = saturatingAdd(pot(inputBits - zBHeadroom, 31 - accumBits), -shiftedQuarter);

  const r = Math.min(rA, rB);
  const zPow2Adj = Math.max(zAPow2Adj, zBPow2Adj);

  const p = roundingHalfSum(r, sqrtSqrtHalf);
  let q = (r - sqrtSqrtHalf) | 0;
  q = (q + q) | 0;
  const commonSq = mul(q, q);
  const num = (mul(q, r) + mul(mul(q, commonSq), alphaN)) | 0;
  const denomMinusOne =
    (mul(p, (((alphaI + q) | 0) + mul(alphaD, commonSq)) | 0) + mul(alphaF, q)) | 0;
  const recipDenom = oneOverOnePlusXForXIn01(denomMinusOne);
  const numScaled = rescale(num, 0, accumBits);
  return rescale((mul(zPow2Adj, log2) + mul(numScaled, recipDenom)) | 0, accumBits, outputBits);
}
