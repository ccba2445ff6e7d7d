/**
 * 16x8 (int16 activations, int8 weights, int64 biases): the fixed-point helpers against their
 * definitions, and one-op models with hand-computed goldens (derivations in the comments). The
 * whole-model bit-exactness with LiteRT is `test/parity/int16.litert.test.ts`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { UnsupportedError } from "../../errors";
import type { BuiltinOpName, BuiltinOptions, DType, TypedArray } from "../../ir";
import {
  checkedLog2,
  int16ActivationRescale,
  int16Lookup,
  int16LookupTable,
  logisticInt16,
  multiplyByQuantizedMultiplierInt64,
  SIGMOID_TABLE_Q16,
  tanhInt16,
} from "../../quant/fixedpoint";
import { runOp, type OperandSpec, type TensorSpec } from "../testing";

/** TFLite's 64-bit MBQM written with BigInt, straight from its definition. */
function mbqm64Definition(x: bigint, multiplier: number, shift: number): number {
  const reduced = BigInt(multiplier < 0x7fff0000 ? (multiplier + 2 ** 15) >> 16 : 0x7fff);
  const total = BigInt(15 - shift);
  return Number(BigInt.asIntN(32, (x * reduced + (1n << (total - 1n))) >> total));
}

/** A deterministic pseudo-random sequence (LCG), so failures reproduce. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe("16x8 fixed point", () => {
  test("MBQM64 on 2^30 (one half), shift 0: one rounding, ties towards +∞", () => {
    // multiplier 2^30 reduces to (2^30 + 2^15) >> 16 = 2^14; (x · 2^14 + 2^14) >> 15 = ⌊(x + 1)/2⌋.
    const half = (x: number): number => multiplyByQuantizedMultiplierInt64(x, 2 ** 30, 0);
    assert.deepEqual([3, -3, 5, -5, 4, -4].map(half), [2, -1, 3, -2, 2, -2]);
  });

  test("MBQM64 equals its BigInt definition, fast path and |x| ≥ 2^38 alike", () => {
    const rand = lcg(16);
    for (let i = 0; i < 20000; i++) {
      const multiplier = 2 ** 30 + Math.floor(rand() * (2 ** 31 - 2 ** 30));
      const shift = -Math.floor(rand() * 25) + (i % 7 === 0 ? 3 : 0);
      const magnitude = 2 ** Math.floor(rand() * 47);
      const x = Math.floor((rand() * 2 - 1) * magnitude);
      assert.equal(
        multiplyByQuantizedMultiplierInt64(x, multiplier, shift),
        mbqm64Definition(BigInt(x), multiplier, shift),
        `x ${x}, multiplier ${multiplier}, shift ${shift}`,
      );
    }
    // The largest multipliers round to 15 bits as 0x7FFF, not 0x8000:
    // (2^20 · 32767 + 2^14) >> 15 = 32767 · 32 = 1048544 (0x8000 would give 2^20).
    assert.equal(multiplyByQuantizedMultiplierInt64(2 ** 20, 0x7fffffff, 0), 1048544);
  });

  test("checkedLog2: powers of two within 1e-3 of an octave", () => {
    assert.deepEqual(checkedLog2(1 / 32768), { log2: -15, isPowerOfTwo: true });
    assert.deepEqual(checkedLog2(2 ** -12), { log2: -12, isPowerOfTwo: true });
    assert.equal(checkedLog2(6.803e-4).isPowerOfTwo, false);
  });

  test("the sigmoid table is sigmoid(i/24) in Q0.16 within 1.2, nondecreasing", () => {
    assert.equal(SIGMOID_TABLE_Q16.length, 256);
    assert.equal(SIGMOID_TABLE_Q16[0], 32768);
    for (let i = 0; i < 256; i++) {
      const exact = 65536 / (1 + Math.exp(-i / 24));
      const v = SIGMOID_TABLE_Q16[i] ?? NaN;
      assert.ok(Math.abs(v - exact) < 1.2, `entry ${i}: ${v} vs ${exact}`);
      if (i > 0) assert.ok(v >= (SIGMOID_TABLE_Q16[i - 1] ?? Infinity), `entry ${i} decreases`);
    }
  });

  test("softmax's interpolated tables follow exp on [−10, 0] and 1/(1 + x) on [0, 1]", () => {
    // Both tables have output step 2/65535, i.e. k = 65536/2 = 32768 units per 1.0, and read
    // value v at x = x_min + (v + 32768)/65536 · (x_max − x_min). Linear interpolation of exp over
    // a segment of 10/512 errs by at most h²/8 · 32768 ≈ 1.6 units, 1/(1 + x) (h = 1/512, |f''| ≤ 2)
    // by less than 0.25; plus the rounding of the entries.
    const range = 65535;
    const exp = int16LookupTable(Math.exp, 10 / range, 32767, 2 / range, 0);
    const reciprocal = int16LookupTable((x) => 1 / (1 + x), 1 / range, -32768, 2 / range, 0);
    for (let v = -32768; v <= 32767; v++) {
      const t = (v + 32768) / 65536;
      const e = int16Lookup(v, exp) - 32768 * Math.exp(-10 + 10 * t);
      const r = int16Lookup(v, reciprocal) - 32768 / (1 + t);
      assert.ok(Math.abs(e) < 2, `exp at ${v}: off by ${e}`);
      assert.ok(Math.abs(r) < 1.5, `1/(1+x) at ${v}: off by ${r}`);
    }
    // The ends clamp to int16: exp(0) and 1/(1 + 0) are 32768 units.
    assert.equal(exp[512], 32767);
    assert.equal(reciprocal[0], 32767);
  });

  test("input rescaling of LOGISTIC/TANH: power-of-two scales and the general doubling", () => {
    // 2^-12: 12 + log2 = 0, a power-of-two shift for both ops: multiplier 3, no shift.
    assert.deepEqual(int16ActivationRescale(2 ** -12, [0]), { multiplier: 3, leftShift: 0 });
    // 2^-11: shift 1 is a power-of-two case for TANH only (3 << 1 = 6) ...
    assert.deepEqual(int16ActivationRescale(2 ** -11, [0, 1]), { multiplier: 6, leftShift: 0 });
    // ... LOGISTIC takes the general path: 2^-11 · 12288 = 6, doubled 12 times to 24576 > 16383.5.
    assert.deepEqual(int16ActivationRescale(2 ** -11, [0]), { multiplier: 24576, leftShift: 12 });
  });

  test("logisticInt16 and tanhInt16 follow sigmoid and tanh within 2.5 units of 2^-15", () => {
    for (const scale of [2 ** -12, 6.803e-4, 1e-5]) {
      const l = int16ActivationRescale(scale, [0]);
      const t = int16ActivationRescale(scale, [0, 1]);
      for (let x = -32768; x <= 32767; x++) {
        const sigmoid = 32768 / (1 + Math.exp(-scale * x));
        const ys = logisticInt16(x, l.multiplier, l.leftShift);
        const yt = tanhInt16(x, t.multiplier, t.leftShift);
        assert.ok(Math.abs(ys - sigmoid) < 1.5, `logistic(${x}·${scale}) = ${ys} vs ${sigmoid}`);
        assert.ok(Math.abs(yt - 32768 * Math.tanh(scale * x)) < 2.5, `tanh(${x}·${scale}) = ${yt}`);
      }
      // Centre: sigmoid(0) = 1/2 exactly ((2^15·2^9 + 2^9) >> 10 = 16384), tanh(0) = 0.
      assert.equal(logisticInt16(0, l.multiplier, l.leftShift), 16384);
      assert.equal(tanhInt16(0, t.multiplier, t.leftShift), 0);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// One-op models.

function typed(dtype: DType, values: number[]): TypedArray {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values);
    case "int8":
      return Int8Array.from(values);
    case "int16":
      return Int16Array.from(values);
    case "int32":
      return Int32Array.from(values);
    case "int64":
      return BigInt64Array.from(values, (v) => BigInt(v));
    default:
      throw new Error(`test helper: no typed array for ${dtype}`);
  }
}

type Quant = TensorSpec["quant"];
const fed = (dtype: DType, shape: number[], values: number[], quant?: Quant): OperandSpec => ({
  dtype,
  shape,
  quant,
  feed: typed(dtype, values),
});
const constant = (dtype: DType, shape: number[], values: number[], quant?: Quant): OperandSpec => ({
  dtype,
  shape,
  quant,
  data: typed(dtype, values),
});
const i16 = (shape: number[], scale: number): TensorSpec => ({
  dtype: "int16",
  shape,
  quant: [scale, 0],
});

function expectOp(
  op: BuiltinOpName,
  options: BuiltinOptions | null,
  inputs: (OperandSpec | null)[],
  output: TensorSpec,
  expected: number[],
): void {
  assert.deepEqual(Array.from(runOp(op, options, inputs, output).data, Number), expected);
}

const conv: BuiltinOptions = {
  type: "Conv2DOptions",
  padding: "VALID",
  strideW: 1,
  strideH: 1,
  fusedActivationFunction: "NONE",
  dilationWFactor: 1,
  dilationHFactor: 1,
  quantizedBiasType: 0,
};
const add = (potScaleInt16: boolean): BuiltinOptions => ({
  type: "AddOptions",
  fusedActivationFunction: "NONE",
  potScaleInt16,
});

describe("16x8 kernels", () => {
  test("CONV_2D: 64-bit accumulator + int64 bias, MBQM64 rounds −500.5 to −500", () => {
    // 1x1 conv, input scale 1, output scale 1, weight scales 0.5 and 2^-20.
    // channel 0: 2·1000 + 1·(−3000) − 1 = −1001, · 1/2 = −500.5 → −500 (ties towards +∞);
    // channel 1: −1·1000 + 3·10^9 (beyond int32) = 2999999000, · 2^-20 = 2860.99… → 2861
    // (multiplier 2^30, shift −19: (2999999000 · 2^14 + 2^33) >> 34).
    expectOp(
      "CONV_2D",
      conv,
      [
        fed("int16", [1, 1, 1, 2], [1000, -3000], [1, 0]),
        constant("int8", [2, 1, 1, 2], [2, 1, -1, 0], {
          scales: [0.5, 2 ** -20],
          zeroPoints: [0, 0],
          axis: 0,
        }),
        constant("int64", [2], [-1, 3e9]),
      ],
      i16([1, 1, 1, 2], 1),
      [-500, 2861],
    );
  });

  test("FULLY_CONNECTED: requantized in double, −49.5 rounds away from zero to −50", () => {
    // 1·300 + 2·(−200) + bias 1 = −99; · (1 · 0.5 / 1) = −49.5 → −50.
    expectOp(
      "FULLY_CONNECTED",
      {
        type: "FullyConnectedOptions",
        fusedActivationFunction: "NONE",
        weightsFormat: 0,
        keepNumDims: false,
        asymmetricQuantizeInputs: false,
        quantizedBiasType: 0,
      },
      [
        fed("int16", [1, 2], [300, -200], [1, 0]),
        constant("int8", [1, 2], [1, 2], [0.5, 0]),
        constant("int64", [1], [1]),
      ],
      i16([1, 1], 1),
      [-50],
    );
  });

  test("ADD general scales (15-bit headroom): 0.5·3 + 1·4 = 5.5 → 6", () => {
    // twiceMax = 2: a' = MBQM(3·2^15, 1/4) = 24576, b' = MBQM(4·2^15, 1/2) = 65536;
    // y = MBQM(90112, 2/2^15) = 90112 / 16384 = 5.5 → 6.
    expectOp(
      "ADD",
      add(false),
      [fed("int16", [1], [3], [0.5, 0]), fed("int16", [1], [4], [1, 0])],
      i16([1], 1),
      [6],
    );
  });

  test("ADD power-of-two scales: the finer input rounds by 2^2, then a saturating add", () => {
    // a at the output's scale 2^-10, b at 2^-12: y = sat16(a + RDBP(b, 2)).
    // 100 + RDBP(6, 2) = 100 + 2 (1.5 away from 0); 100 + RDBP(−6, 2) = 98; 32767 + 100 saturates.
    expectOp(
      "ADD",
      add(true),
      [
        fed("int16", [3], [100, 100, 32767], [2 ** -10, 0]),
        fed("int16", [3], [6, -6, 400], [2 ** -12, 0]),
      ],
      i16([3], 2 ** -10),
      [102, 98, 32767],
    );
  });

  test("MUL: (300/256)·(−200/256) at scale 1/64 = −58.59… → −59", () => {
    // Product −60000, multiplier (1/65536)/(1/64) = 1/1024: −58.59375 → −59.
    expectOp(
      "MUL",
      { type: "MulOptions", fusedActivationFunction: "NONE" },
      [fed("int16", [1], [300], [1 / 256, 0]), fed("int16", [1], [-200], [1 / 256, 0])],
      i16([1], 1 / 64),
      [-59],
    );
  });

  test("LOGISTIC and TANH at 0 and in saturation (input scale 2^-12)", () => {
    // 32767 · 2^-12 ≈ 8: sigmoid(8) = 0.99966 → 32757 in Q0.15; tanh(8) = 1 − 2.3e-7 → 32767.
    const x = fed("int16", [3], [0, 32767, -32768], [2 ** -12, 0]);
    expectOp("LOGISTIC", null, [x], i16([3], 1 / 32768), [16384, 32757, 11]);
    expectOp("TANH", null, [x], i16([3], 1 / 32768), [0, 32767, -32767]);
  });

  test("RELU6: requantize, then clamp to [0, round(6 / s_out)] = [0, 6000]", () => {
    // Same scale in and out (multiplier 1): −5 → 0, 3000 stays, 7000 → 6000.
    expectOp(
      "RELU6",
      null,
      [fed("int16", [3], [-5, 3000, 7000], [1e-3, 0])],
      i16([3], 1e-3),
      [0, 3000, 6000],
    );
  });

  test("SOFTMAX of a constant row of four is one quarter (8192 in Q0.15)", () => {
    expectOp(
      "SOFTMAX",
      { type: "SoftmaxOptions", beta: 1 },
      [fed("int16", [1, 4], [500, 500, 500, 500], [1e-3, 0])],
      i16([1, 4], 1 / 32768),
      [8192, 8192, 8192, 8192],
    );
  });

  test("QUANTIZE float → int16 (round half away, saturate) and int16 → int16 requantize", () => {
    // 1.5/1 → 2, −2.5 → −3, 40000 → 32767.
    expectOp(
      "QUANTIZE",
      null,
      [fed("float32", [3], [1.5, -2.5, 40000])],
      i16([3], 1),
      [2, -3, 32767],
    );
    // Scale 1 → 4: MBQM(x, 1/4): 6 → 1.5 → 2, −6 → −2, 32767 → 8192.
    expectOp(
      "QUANTIZE",
      null,
      [fed("int16", [3], [6, -6, 32767], [1, 0])],
      i16([3], 4),
      [2, -2, 8192],
    );
  });

  test("DEQUANTIZE int16: scale · q in double, stored as float32", () => {
    expectOp(
      "DEQUANTIZE",
      null,
      [fed("int16", [2], [-32768, 3], [0.5, 0])],
      { dtype: "float32", shape: [2] },
      [-16384, 1.5],
    );
  });

  test("MEAN, AVERAGE_POOL_2D, MAX_POOL_2D, PAD on int16 (no rescale; pad with 0)", () => {
    const x = (): OperandSpec => fed("int16", [1, 2, 2, 1], [30000, 30001, -5, 2], [1, 0]);
    // MEAN over H, W: (30000 + 30001 − 5 + 2)/4 = 14999.5 → 15000 (same scale: multiplier 1).
    expectOp(
      "MEAN",
      { type: "ReducerOptions", keepDims: false },
      [x(), constant("int32", [2], [1, 2])],
      i16([1, 1], 1),
      [15000],
    );
    const pool: BuiltinOptions = {
      type: "Pool2DOptions",
      padding: "VALID",
      strideW: 2,
      strideH: 2,
      filterWidth: 2,
      filterHeight: 2,
      fusedActivationFunction: "NONE",
    };
    // Sum 59998 over 4 taps: (59998 + 2)/4 = 15000 (C division after adding count/2).
    expectOp("AVERAGE_POOL_2D", pool, [x()], i16([1, 1, 1, 1], 1), [15000]);
    expectOp("MAX_POOL_2D", pool, [x()], i16([1, 1, 1, 1], 1), [30001]);
    expectOp(
      "PAD",
      null,
      [x(), constant("int32", [4, 2], [0, 0, 0, 1, 0, 0, 0, 0])],
      i16([1, 3, 2, 1], 1),
      [30000, 30001, -5, 2, 0, 0],
    );
  });

  test("int16 with a nonzero zero point, or LOGISTIC not at 1/32768: UnsupportedError", () => {
    assert.throws(
      () =>
        runOp(
          "CONV_2D",
          conv,
          [
            fed("int16", [1, 1, 1, 1], [1], [1, 3]),
            constant("int8", [1, 1, 1, 1], [1], [1, 0]),
            constant("int64", [1], [0]),
          ],
          i16([1, 1, 1, 1], 1),
        ),
      (e: unknown) => e instanceof UnsupportedError && /zero point 0, found 3/.test(e.message),
    );
    assert.throws(
      () => runOp("LOGISTIC", null, [fed("int16", [1], [0], [2 ** -12, 0])], i16([1], 2 ** -14)),
      (e: unknown) => e instanceof UnsupportedError && /1\/32768/.test(e.message),
    );
  });
});
