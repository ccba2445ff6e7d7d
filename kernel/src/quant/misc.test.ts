import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ShapeError } from "../errors";
import { quantizeBias, quantizeBias64 } from "./bias";
import { errorMetrics, quantizationError } from "./metrics";
import { dequantizeMultiplier } from "./multiplier";
import { quantizeMultiplier } from "./fixedpoint";
import { chooseQuantParams } from "./params";

const f32 = Math.fround;

describe("quantizeBias", () => {
  test("per-channel scale = input_scale · weight_scale[c], zero point 0, halves away from zero", () => {
    // scales 0.5·0.25 = 0.125 and 0.5·0.5 = 0.25: 1/0.125 → 8; 0.0625/0.25 = 0.25 → 0;
    const b = quantizeBias([1, 0.0625], 0.5, [0.25, 0.5]);
    assert.deepEqual([...b.values], [8, 0]);
    assert.deepEqual(b.params.scale, [0.125, 0.25]);
    assert.deepEqual(b.params.zeroPoint, [0, 0]);
    // per-tensor: 0.0625/0.125 = 0.5 → 1; −0.5 → −1
    const t = quantizeBias([0.0625, -0.0625], 0.5, 0.25);
    assert.deepEqual([...t.values], [1, -1]);
    assert.equal(t.params.scale, 0.125);
  });
  test("scale is the float32 of the double product", () => {
    const b = quantizeBias([0], 0.1, [0.3]);
    assert.ok(Array.isArray(b.params.scale));
    assert.equal(b.params.scale[0], f32(0.1 * 0.3));
  });
  test("clamps to ±INT32_MAX (not INT32_MIN)", () => {
    assert.deepEqual([...quantizeBias([1e10, -1e10], 1, 1).values], [2147483647, -2147483647]);
  });
  test("one weight scale per bias channel, else ShapeError", () => {
    assert.throws(() => quantizeBias([1, 2, 3], 1, [1, 2]), ShapeError);
  });
});

describe("quantizeBias64 (16x8 mode)", () => {
  test("int64 codes beyond the int32 range: 1e10 / 0.125 = 8e10 exactly; NaN → 0", () => {
    const b = quantizeBias64([1e10, -0.0625, NaN], 0.5, 0.25);
    assert.deepEqual([...b.values], [80000000000n, -1n, 0n]);
    assert.equal(b.scale, 0.125);
  });
});

describe("errorMetrics", () => {
  test("hand-computed: x = [1,2,3,4], x̂ = [1,2,3,5]", () => {
    const m = errorMetrics([1, 2, 3, 4], [1, 2, 3, 5], { min: 0, max: 3.5 });
    assert.equal(m.mse, 0.25); // 1² / 4
    assert.equal(m.sqnrDb, 10 * Math.log10(30)); // Σx² = 30, Σd² = 1
    assert.equal(m.maxAbsError, 1);
    assert.equal(m.cosineSimilarity, 34 / Math.sqrt(30 * 39)); // x·x̂ = 34, |x̂|² = 39
    assert.equal(m.clippedFraction, 0.25); // 4 > 3.5
  });
  test("degenerate: exact → SQNR +∞; all-zero reference and approx → cosine 1", () => {
    assert.equal(errorMetrics([1, 2], [1, 2]).sqnrDb, Infinity);
    const z = errorMetrics([0, 0], [0, 0]);
    assert.equal(z.cosineSimilarity, 1);
    assert.equal(z.mse, 0);
    assert.equal(errorMetrics([0, 0], [1, 0]).sqnrDb, -Infinity);
  });
  test("quantizationError of a range that clips half the values", () => {
    const p = chooseQuantParams(0, 2.55);
    const m = quantizationError([1, 2, 10, -10], p);
    assert.equal(m.clippedFraction, 0.5);
    assert.ok(m.maxAbsError >= 10 - 2.55 - 1e-6);
  });
});

describe("quantized multiplier, both directions", () => {
  test("0.75 → (0.75·2^31, 0) → 0.75; 3 → (0.75·2^31, 2)", () => {
    assert.deepEqual(quantizeMultiplier(0.75), { multiplier: 1610612736, shift: 0 });
    assert.equal(dequantizeMultiplier({ multiplier: 1610612736, shift: 0 }), 0.75);
    assert.equal(dequantizeMultiplier(quantizeMultiplier(3)), 3);
  });
  test("round trip within 2^-31 relative error", () => {
    for (const m of [1e-5, 0.0123, 0.3333333, 1, 1.7, 123.456]) {
      const back = dequantizeMultiplier(quantizeMultiplier(m));
      assert.ok(Math.abs(back - m) / m <= 2 ** -31, `${m} → ${back}`);
    }
  });
});
