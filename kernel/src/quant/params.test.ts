import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { UsageError } from "../errors";
import { chooseQuantParams, representableRange, toQuantization } from "./params";
import { integerFormat } from "./formats";

const f32 = Math.fround;

describe("integerFormat", () => {
  test("named dtypes and widths 2..16", () => {
    assert.deepEqual(integerFormat({ dtype: "int8" }), {
      bits: 8,
      signed: true,
      qmin: -128,
      qmax: 127,
      narrowRange: false,
    });
    assert.deepEqual(integerFormat({ dtype: "uint8", narrowRange: true }).qmin, 1);
    assert.equal(integerFormat({ dtype: "int4" }).qmin, -8);
    assert.equal(integerFormat({ bits: 2 }).qmax, 1);
    assert.equal(integerFormat({ bits: 16, signed: false }).qmax, 65535);
    assert.equal(integerFormat({ dtype: "int32", narrowRange: true }).qmin, -2147483647);
    assert.equal(integerFormat({ dtype: "int12" }).qmax, 2047);
  });
  test("widths outside 2..16 are a UsageError", () => {
    assert.throws(() => integerFormat({ bits: 1 }), UsageError);
    assert.throws(() => integerFormat({ bits: 17 }), UsageError);
    assert.throws(() => integerFormat({ dtype: "uint32" }), UsageError);
  });
});

describe("chooseQuantParams: activations (asymmetric int8, float32 DownCastScale)", () => {
  test("symmetric-looking range [-1.28, 1.27] gives scale 0.01 (as float32) and zero point 0", () => {
    // scale = f32(f32(1.27) - f32(-1.28)) / 255; zp = f32(-128 + 1.28 / scale) = 2.86e-6 → 0
    const p = chooseQuantParams(-1.28, 1.27);
    assert.equal(p.scale, f32(f32(f32(1.27) - f32(-1.28)) / 255));
    assert.equal(p.zeroPoint, 0);
  });
  test("positive-only range [2, 10] is widened to [0, 10]: zero point on the edge, qmin", () => {
    const p = chooseQuantParams(2, 10);
    assert.equal(p.scale, f32(10 / 255));
    assert.equal(p.zeroPoint, -128);
    assert.equal(representableRange(p).min, 0);
  });
  test("negative-only range [-5, -1] is widened to [-5, 0]: zero point 127", () => {
    // zp = f32(-128 + 5 / f32(5/255)) = 126.99999237 → round → 127
    const p = chooseQuantParams(-5, -1);
    assert.equal(p.scale, f32(5 / 255));
    assert.equal(p.zeroPoint, 127);
  });
  test("constant tensor (min = max = 3) behaves as [0, 3]", () => {
    const p = chooseQuantParams(3, 3);
    assert.equal(p.scale, f32(3 / 255));
    assert.equal(p.zeroPoint, -128);
  });
  test("all-zero tensor: range widened by 1e-6 on both sides, positive scale", () => {
    // [-1e-6, 1e-6]: scale = f32(2·f32(1e-6))/255 = 7.84e-9; zp = f32(-128 + 1e-6/scale) = -0.49999 → 0
    const p = chooseQuantParams(0, 0);
    assert.equal(p.scale, f32(f32(2 * f32(1e-6)) / 255));
    assert.ok(p.scale > 0);
    assert.equal(p.zeroPoint, 0);
  });
  test("2-bit: [-1, 2] with codes [-2, 1] gives scale 1, zero point -1", () => {
    const p = chooseQuantParams(-1, 2, { bits: 2 });
    assert.equal(p.scale, 1);
    assert.equal(p.zeroPoint, -1);
  });
  test("16-bit activations are symmetric (TF 16x8): scale = max|x| / 32767, zero point 0", () => {
    const p = chooseQuantParams(-3, 1, { dtype: "int16" });
    assert.equal(p.scale, f32(3 / 32767));
    assert.equal(p.zeroPoint, 0);
  });
  test("16-bit unsigned asymmetric: [0, 65.535] → scale 0.001 (f32), zero point 0", () => {
    const p = chooseQuantParams(0, 65.535, { dtype: "uint16" });
    assert.equal(p.scale, f32(f32(65.535) / 65535));
    assert.equal(p.zeroPoint, 0);
  });
});

describe("chooseQuantParams: weights (symmetric, narrow range)", () => {
  test("int8 per-channel: scale = max(|min|,|max|)/127, zero point 0", () => {
    const p = chooseQuantParams([-0.5, -0.1, 0], [0.25, 0.3, 0], { role: "weight", axis: 0 });
    assert.deepEqual(p.zeroPoint, [0, 0, 0]);
    assert.equal(p.scale[0], f32(0.5 / 127));
    assert.equal(p.scale[1], f32(f32(0.3) / 127));
    // all-zero channel: ExpandVerySmallRange to ±5e-7 → f32(5e-7)/127
    assert.equal(p.scale[2], f32(f32(5e-7) / 127));
    assert.equal(p.format.qmin, -127);
  });
  test("int4 weights: codes [-7, 7]", () => {
    const p = chooseQuantParams(-0.7, 0.35, { role: "weight", dtype: "int4" });
    assert.equal(p.scale, f32(f32(0.7) / 7));
    assert.equal(p.zeroPoint, 0);
  });
  test("unsigned symmetric narrow range puts zero at the middle code 128", () => {
    // scale = 2/254, zp = 1 + 1/(2/254) = 128
    const p = chooseQuantParams(-1, 1, { role: "weight", dtype: "uint8" });
    assert.equal(p.zeroPoint, 128);
  });
});

describe("chooseQuantParams: float64 (QAT FakeQuant ranges)", () => {
  test("uint8 [-1, 1]: zero point from the end with less error, 127.5 → 128", () => {
    const p = chooseQuantParams(-1, 1, { dtype: "uint8", scalePrecision: "float64" });
    assert.equal(p.scale, f32(2 / 255));
    assert.equal(p.zeroPoint, 128);
  });
});

describe("chooseQuantParams: bad input", () => {
  test("min > max names both", () => {
    assert.throws(
      () => chooseQuantParams(1, -1),
      (e: unknown) => e instanceof UsageError && /min > max.*min 1, max -1/.test(e.message),
    );
  });
  test("NaN and Infinity", () => {
    assert.throws(() => chooseQuantParams(NaN, 1), UsageError);
    assert.throws(() => chooseQuantParams(0, Infinity), UsageError);
    assert.throws(
      () => chooseQuantParams([0, 1], [1, NaN]),
      (e: unknown) => e instanceof UsageError && /slice 1/.test(e.message),
    );
  });
  test("per-axis lengths must match", () => {
    assert.throws(() => chooseQuantParams([0, 1], [1]), UsageError);
  });
});

test("toQuantization writes the IR form", () => {
  const q = toQuantization(chooseQuantParams([-1, -2], [1, 2], { role: "weight", axis: 3 }));
  assert.deepEqual(q.zeroPoint, [0, 0]);
  assert.equal(q.quantizedDimension, 3);
  assert.equal(q.scale?.length, 2);
});
