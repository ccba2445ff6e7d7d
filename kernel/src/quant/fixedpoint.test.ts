import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  INT32_MAX,
  INT32_MIN,
  calculateInputRadius,
  expOnNegativeValues,
  frexp,
  getReciprocal,
  multiplyByQuantizedMultiplier,
  oneOverOnePlusXForXIn01,
  preprocessSoftmaxScaling,
  quantizeMultiplier,
  quantizeMultiplierSmallerThanOneExp,
  roundHalfAwayFromZero,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from "./fixedpoint";

// BigInt references, written from the definitions (gemmlowp / TFLite), not from the code under
// test: C division truncates toward zero, as BigInt division does.
function srdhmRef(a: number, b: number): number {
  if (a === INT32_MIN && b === INT32_MIN) return INT32_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n));
}

function rdbpRef(x: number, exponent: number): number {
  // Round x / 2^e to nearest, halves away from zero.
  const d = 1n << BigInt(exponent);
  const bx = BigInt(x);
  const q = bx / d; // truncated
  const r = bx - q * d;
  if (2n * (r < 0n ? -r : r) >= d) return Number(bx < 0n ? q - 1n : q + 1n);
  return Number(q);
}

function mbqmRef(x: number, multiplier: number, shift: number): number {
  const left = shift > 0 ? shift : 0;
  const right = shift > 0 ? 0 : -shift;
  const shifted = Number(BigInt.asIntN(32, BigInt(x) << BigInt(left)));
  return rdbpRef(srdhmRef(shifted, multiplier), right);
}

/** Deterministic int32s (xorshift32), biased toward the edges by mixing in small values. */
function* int32s(seed: number, n: number): Generator<number> {
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    const v = s | 0;
    yield i % 4 === 0 ? v >> (s & 31) : v;
  }
}

const EDGES = [
  0,
  1,
  -1,
  2,
  -2,
  INT32_MAX,
  INT32_MIN,
  INT32_MAX - 1,
  INT32_MIN + 1,
  1 << 30,
  -(1 << 30),
  (1 << 30) + 1,
  65535,
  65536,
  -65536,
  12345,
  -12345,
];

describe("saturatingRoundingDoublingHighMul", () => {
  test("equals the BigInt definition on edge pairs", () => {
    for (const a of EDGES)
      for (const b of EDGES)
        assert.equal(saturatingRoundingDoublingHighMul(a, b), srdhmRef(a, b), `${a}·${b}`);
  });
  test("equals the BigInt definition on 20,000 random pairs", () => {
    const as = [...int32s(7, 20000)];
    const bs = [...int32s(99, 20000)];
    as.forEach((a, i) => {
      const b = bs[i] ?? 0;
      assert.equal(saturatingRoundingDoublingHighMul(a, b), srdhmRef(a, b), `${a}·${b}`);
    });
  });
  test("INT32_MIN · INT32_MIN saturates to INT32_MAX (the one overflow)", () => {
    assert.equal(saturatingRoundingDoublingHighMul(INT32_MIN, INT32_MIN), INT32_MAX);
  });
  test("ties: (a·b + nudge) / 2^31 truncates, so positive halves round up, negative halves toward 0", () => {
    // a·b = 2^30 is +0.5 → (2^30 + 2^30) / 2^31 = 1. a·b = −2^30 is −0.5 →
    // (−2^30 + 1 − 2^30) / 2^31 = −0.99… → 0. a·b = 3·2^30 (1.5) → 2; −1.5 → −1.
    assert.equal(saturatingRoundingDoublingHighMul(1, 1 << 30), 1);
    assert.equal(saturatingRoundingDoublingHighMul(-1, 1 << 30), 0);
    assert.equal(saturatingRoundingDoublingHighMul(3, 1 << 30), 2);
    assert.equal(saturatingRoundingDoublingHighMul(-3, 1 << 30), -1);
  });
  test("never returns −0", () => {
    assert.ok(Object.is(saturatingRoundingDoublingHighMul(-1, 1), 0));
  });
});

describe("roundingDivideByPOT", () => {
  test("equals round-half-away-from-zero division on random values and every exponent", () => {
    for (const x of [...EDGES, ...int32s(3, 3000)]) {
      for (let e = 0; e <= 31; e += x % 2 === 0 ? 1 : 5) {
        assert.equal(roundingDivideByPOT(x, e), rdbpRef(x, e), `${x} / 2^${e}`);
      }
    }
  });
  test("ties: 5/2 → 3, −5/2 → −3, 6/4 → 2, −6/4 → −2", () => {
    assert.equal(roundingDivideByPOT(5, 1), 3);
    assert.equal(roundingDivideByPOT(-5, 1), -3);
    assert.equal(roundingDivideByPOT(6, 2), 2);
    assert.equal(roundingDivideByPOT(-6, 2), -2);
    assert.equal(roundingDivideByPOT(-7, 2), -2); // −1.75 → −2
    assert.equal(roundingDivideByPOT(-5, 2), -1); // −1.25 → −1
  });
});

describe("quantizeMultiplier", () => {
  test("powers of two: 0.5 → (2^30, 0), 1 → (2^30, 1), 0.25 → (2^30, −1)", () => {
    assert.deepEqual(quantizeMultiplier(0.5), { multiplier: 1 << 30, shift: 0 });
    assert.deepEqual(quantizeMultiplier(1), { multiplier: 1 << 30, shift: 1 });
    assert.deepEqual(quantizeMultiplier(0.25), { multiplier: 1 << 30, shift: -1 });
  });
  test("0.75 → round(0.75·2^31) = 1610612736, shift 0", () => {
    assert.deepEqual(quantizeMultiplier(0.75), { multiplier: 1610612736, shift: 0 });
  });
  test("a fraction that rounds up to 2^31 is halved and the shift incremented", () => {
    // m = 1 − 2^−33: frexp gives (1 − 2^−33, 0); (1 − 2^−33)·2^31 = 2^31 − 0.25 → round → 2^31.
    assert.deepEqual(quantizeMultiplier(1 - 2 ** -33), { multiplier: 1 << 30, shift: 1 });
  });
  test("degenerate: 0 → (0, 0); below 2^−32 (shift < −31) → (0, 0)", () => {
    assert.deepEqual(quantizeMultiplier(0), { multiplier: 0, shift: 0 });
    assert.deepEqual(quantizeMultiplier(2 ** -40), { multiplier: 0, shift: 0 });
    assert.deepEqual(quantizeMultiplier(2 ** -32), { multiplier: 1 << 30, shift: -31 });
  });
  test("represents m to 31 bits: |multiplier·2^(shift−31) − m| ≤ 2^(shift−32)", () => {
    for (const m of [1e-6, 0.0037, 0.12345, 0.999, 1.5, 3.75e-4, 123.456]) {
      const { multiplier, shift } = quantizeMultiplier(m);
      assert.ok(multiplier >= 2 ** 30 && multiplier < 2 ** 31);
      assert.ok(Math.abs(multiplier * 2 ** (shift - 31) - m) <= 2 ** (shift - 32));
    }
  });
  test("rejects negative and non-finite multipliers", () => {
    assert.throws(() => quantizeMultiplier(-0.5), /finite multiplier >= 0/);
    assert.throws(() => quantizeMultiplier(NaN), /finite multiplier >= 0/);
    assert.throws(() => quantizeMultiplierSmallerThanOneExp(1.5), /0 <= m < 1/);
  });
  test("frexp is exact at and around powers of two", () => {
    assert.deepEqual(frexp(8), { fraction: 0.5, exponent: 4 });
    assert.deepEqual(frexp(8 - 2 ** -40), { fraction: (8 - 2 ** -40) / 8, exponent: 3 });
    assert.deepEqual(frexp(-3), { fraction: -0.75, exponent: 2 });
  });
});

describe("multiplyByQuantizedMultiplier", () => {
  test("equals the BigInt double-rounding definition for random x, multipliers and shifts", () => {
    const xs = [...int32s(11, 4000)].map((v) => v >> 8); // accumulator-sized values
    const ms = [...int32s(5, 4000)];
    xs.forEach((x, i) => {
      const multiplier = ((ms[i] ?? 0) >>> 1) | (1 << 30); // in [2^30, 2^31)
      const shift = (i % 40) - 31; // −31 … 8
      assert.equal(
        multiplyByQuantizedMultiplier(x, multiplier, shift),
        mbqmRef(x, multiplier, shift),
      );
    });
  });
  test("double rounding differs from single rounding on a hand-made case", () => {
    // x = 5, multiplier = 2^30 + 1 (≈ 0.5), shift = −1: x·m·2^−32 = 1.25000000058 → 1 when
    // rounded once; SRDHM first gives round(5·(2^30+1)/2^31) = round(2.5000000023) = 3, then
    // RDBP(3, 1) = round(1.5) = 2. TFLite's default build double-rounds: 2.
    assert.equal(multiplyByQuantizedMultiplier(5, (1 << 30) + 1, -1), 2);
  });
  test("x · 1 (multiplier 2^30, shift 1) is the identity, as used by uint8↔int8 requantize", () => {
    for (const x of [-255, -128, -1, 0, 1, 127, 255])
      assert.equal(multiplyByQuantizedMultiplier(x, 1 << 30, 1), x);
  });
  test("roundHalfAwayFromZero: ±2.5 → ±3, −0.4 → +0", () => {
    assert.equal(roundHalfAwayFromZero(2.5), 3);
    assert.equal(roundHalfAwayFromZero(-2.5), -3);
    assert.ok(Object.is(roundHalfAwayFromZero(-0.4), 0));
  });
});

describe("softmax fixed-point helpers", () => {
  test("expOnNegativeValues(Q5.26) is exp(x) to within 2^-22 on [−31, 0] (gemmlowp's accuracy)", () => {
    for (let x = -31; x <= 0; x += 0.173) {
      const raw = Math.round(x * 2 ** 26);
      const got = expOnNegativeValues(raw, 5) / 2 ** 31;
      assert.ok(Math.abs(got - Math.exp(raw / 2 ** 26)) < 2 ** -22, `exp(${x}) = ${got}`);
    }
  });
  test("expOnNegativeValues(0) is the Q0.31 one, INT32_MAX", () => {
    assert.equal(expOnNegativeValues(0, 5), INT32_MAX);
  });
  test("oneOverOnePlusXForXIn01 is 1/(1+x) to within 2^-28 on [0, 1) (3 Newton steps)", () => {
    for (let x = 0; x < 1; x += 0.0137) {
      const got = oneOverOnePlusXForXIn01(Math.round(x * 2 ** 31)) / 2 ** 31;
      assert.ok(Math.abs(got - 1 / (1 + x)) < 2 ** -28, `1/(1+${x}) = ${got}`);
    }
  });
  test("getReciprocal(3.0 in Q12.19): 3 = 1.5 · 2^1 → reciprocal 1/1.5 in Q0.31, numBitsOverUnit 1", () => {
    // 3 = 1.5 · 2^1: headroom of 3·2^19 is 11 leading zeros → numBitsOverUnit = 12 − 11 = 1;
    // the normalised value is 1.5 → reciprocal 1/1.5 = 0.6667 in Q0.31.
    const { reciprocal, numBitsOverUnit } = getReciprocal(3 * 2 ** 19, 12);
    assert.equal(numBitsOverUnit, 1);
    assert.ok(Math.abs(reciprocal / 2 ** 31 - 2 / 3) < 2 ** -28);
  });
  test("preprocessSoftmaxScaling: β·s·2^26 as multiplier·2^leftShift, capped at 2^31 − 1", () => {
    // β = 1, s = 1/16: 2^22 → multiplier 2^30, leftShift 23 (2^30 · 2^23 / 2^31 = 2^22).
    assert.deepEqual(preprocessSoftmaxScaling(1, 1 / 16, 5), {
      multiplier: 1 << 30,
      leftShift: 23,
    });
    // Huge β·s: capped at 2^31 − 1 → (2^31 − 1) = 0.99999… · 2^31 → multiplier 2^30, shift 32?
    const capped = preprocessSoftmaxScaling(1e9, 1, 5);
    assert.ok(capped.multiplier * 2 ** (capped.leftShift - 31) <= 2 ** 31);
  });
  test("calculateInputRadius(5, 23) = ⌊31 · 2^26 / 2^23⌋ = 248", () => {
    assert.equal(calculateInputRadius(5, 23), 248);
  });
});
