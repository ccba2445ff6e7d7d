import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ShapeError } from "../errors";
import { dequantize, minMaxPerAxis, quantize, quantizeWeights, requantize } from "./affine";
import { integerFormat } from "./formats";
import type { PerAxisQuantParams, QuantParams } from "./params";

const int8 = integerFormat({ dtype: "int8" });
const uint8 = integerFormat({ dtype: "uint8" });
const half: QuantParams = { scale: 0.5, zeroPoint: 0, format: int8 };

describe("quantize", () => {
  test("q = round(x / scale) + zp, halves away from zero (TFLite QUANTIZE)", () => {
    // x/0.5: 0.25 → 0.5 → 1; -0.25 → -0.5 → -1; 0.75 → 1.5 → 2; 1.2 → 2.4 → 2
    assert.deepEqual([...quantize([0.25, -0.25, 0.75, 1.2], half)], [1, -1, 2, 2]);
  });
  test("other rounding modes: half to even, half up", () => {
    assert.deepEqual(
      [...quantize([0.25, -0.25, 0.75], half, { rounding: "halfToEven" })],
      [0, 0, 2],
    );
    assert.deepEqual([...quantize([0.25, -0.25, 0.75], half, { rounding: "halfUp" })], [1, 0, 2]);
  });
  test("zero point is added after rounding and codes clamp to [qmin, qmax]", () => {
    const p: QuantParams = { scale: 1, zeroPoint: -128, format: int8 };
    assert.deepEqual([...quantize([0, 1.5, 300, -5], p)], [-128, -126, 127, -128]);
  });
  test("per-axis along axis 1 of [2, 3]", () => {
    const p: PerAxisQuantParams = { scale: [1, 2, 4], zeroPoint: [0, 0, 0], axis: 1, format: int8 };
    assert.deepEqual(
      [...quantize([1, 2, 4, 10, 10, 10], p, { shape: [2, 3] })],
      [1, 1, 1, 10, 5, 3],
    );
  });
  test("per-axis without a matching shape is a ShapeError naming the dimension", () => {
    const p: PerAxisQuantParams = { scale: [1, 2], zeroPoint: [0, 0], axis: 0, format: int8 };
    assert.throws(() => quantize([1, 2, 3], p), ShapeError);
    assert.throws(() => quantize([1, 2, 3], p, { shape: [3] }), /expected 3 \(dimension 0/);
  });
});

describe("quantize: other widths", () => {
  test("int4 codes clamp to [-8, 7] in an Int8Array; uint16 to [0, 65535] in a Uint16Array", () => {
    const int4: QuantParams = {
      scale: 0.5,
      zeroPoint: 0,
      format: integerFormat({ dtype: "int4" }),
    };
    const q4 = quantize([-10, -4, 3.4, 3.6, 10], int4);
    assert.ok(q4 instanceof Int8Array);
    assert.deepEqual([...q4], [-8, -8, 7, 7, 7]); // 3.4/0.5 = 6.8 → 7; −4/0.5 = −8
    const u16: QuantParams = {
      scale: 1,
      zeroPoint: 32768,
      format: integerFormat({ dtype: "uint16" }),
    };
    const q16 = quantize([-40000, -1, 0, 40000], u16);
    assert.ok(q16 instanceof Uint16Array);
    assert.deepEqual([...q16], [0, 32767, 32768, 65535]);
  });
  test("per-axis along the last axis of an OHWI-like [2, 1, 1, 3] shape (negative axis)", () => {
    const p: PerAxisQuantParams = {
      scale: [1, 0.5, 0.25],
      zeroPoint: [0, 0, 0],
      axis: 3,
      format: int8,
    };
    assert.deepEqual(
      [...quantize([1, 1, 1, 2, 2, 2], p, { shape: [2, 1, 1, 3] })],
      [1, 2, 4, 2, 4, 8],
    );
    assert.deepEqual([...dequantize([1, 2, 4], { ...p, axis: -1 }, { shape: [1, 3] })], [1, 1, 1]);
  });
});

describe("dequantize", () => {
  test("x = scale · (q − zp)", () => {
    const p: QuantParams = { scale: 0.25, zeroPoint: 10, format: int8 };
    assert.deepEqual([...dequantize([10, 14, -128], p)], [0, 1, -34.5]);
  });
  test("zero is exact: quantize then dequantize of 0 is 0 for any chosen zero point", () => {
    const p: QuantParams = { scale: 0.0123, zeroPoint: -37, format: int8 };
    assert.equal(dequantize(quantize([0], p), p)[0], 0);
  });
});

describe("requantize (TFLite integer arithmetic)", () => {
  test("int8 → uint8 with equal scales shifts codes by 128", () => {
    const to: QuantParams = { scale: 0.1, zeroPoint: 0, format: uint8 };
    const from: QuantParams = { scale: 0.1, zeroPoint: -128, format: int8 };
    assert.deepEqual([...requantize([-128, 0, 127], from, to)], [0, 128, 255]);
  });
  test("halving the resolution: SRDHM rounds to nearest, a negative half toward +∞", () => {
    // scale 0.5 → 1: multiplier 2^30, shift 0. SRDHM(3, 2^30) = (3·2^30 + 2^30) / 2^31 = 2;
    // SRDHM(−3, 2^30) = trunc((−3·2^30 + 1 − 2^30) / 2^31) = trunc(−1.99…) = −1; 1 → 0.5 → 1;
    // −56 → −28 exactly.
    const to: QuantParams = { scale: 1, zeroPoint: 0, format: int8 };
    assert.deepEqual([...requantize([3, -3, 1, -56], half, to)], [2, -1, 1, -28]);
  });
});

describe("quantizeWeights (TF converter weight quantization)", () => {
  test("per-channel along axis 0: symmetric, zp 0, codes ±127 at each channel's max |w|", () => {
    const w = quantizeWeights([-1, 0.5, 0.25, 0, 0, 0], [3, 2], { axis: 0 });
    // channel 0: max|w| = 1 → −127, 0.5·127 = 63.5 → 64 (half away); channel 1: 0.25 → 127, 0 → 0
    assert.deepEqual([...w.values], [-127, 64, 127, 0, 0, 0]);
    assert.ok(Array.isArray(w.params.scale));
    assert.deepEqual(w.params.zeroPoint, [0, 0, 0]);
  });
  test("per-tensor: scale max|w|/127; all-zero weights quantize to zeros", () => {
    const w = quantizeWeights([0.5, -0.25, 0.127], [3]);
    assert.deepEqual([...w.values], [127, -64, 32]);
    assert.deepEqual([...quantizeWeights([0, 0], [2]).values], [0, 0]);
  });
  test("per-tensor: the range is the whole tensor's, not its first element's", () => {
    // max|w| = 2 is the last element: scale = 2·2/254 = 2/127; 0.1·127/2 = 6.35 → 6, −1 → −63.5
    // → −64 (half away from zero), 2 → 127. A range from the first element alone (0.1) would
    // clip −1 and 2 to ±127.
    const w = quantizeWeights([0.1, -1, 2], [3]);
    assert.deepEqual([...w.values], [6, -64, 127]);
    assert.ok(!Array.isArray(w.params.scale));
    assert.equal(w.params.scale, Math.fround(4 / 254)); // DownCastScale: f32(2·max)/254 in float32
  });
});

test("minMaxPerAxis", () => {
  const { min, max } = minMaxPerAxis([1, -2, 3, 4, 5, -6], [3, 2], 1);
  assert.deepEqual([...min], [1, -6]);
  assert.deepEqual([...max], [5, 4]);
});
