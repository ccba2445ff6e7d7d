/**
 * TRANSPOSE_CONV, BATCH_MATMUL, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, L2_NORMALIZATION and
 * LOG_SOFTMAX without Python: small hand-computed goldens (derivations in comments), the
 * fixed-point 1/√x and log helpers against Math, the options tables through writer and reader,
 * and the typed errors for bad operands. Bit-exactness against LiteRT is checked in
 * `test/parity/heavy-ops.litert.test.ts`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ShapeError, UnsupportedError } from "../../errors";
import type { BuiltinOptions } from "../../ir";
import {
  invSqrtQuantizedMultiplierExp,
  logXForXGreaterThanOrEqualTo1,
} from "../../quant/fixedpoint";
import { readModel } from "../../tflite/reader";
import { writeModel } from "../../tflite/writer";
import { buildModel, runOp, type OperandSpec, type TensorSpec } from "../testing";

const f32 = (shape: number[], values: number[]): OperandSpec => ({
  dtype: "float32",
  shape,
  feed: Float32Array.from(values),
});
const out = (dtype: TensorSpec["dtype"], shape: number[], quant?: [number, number]): TensorSpec =>
  quant === undefined ? { dtype, shape } : { dtype, shape, quant };

const transposeConvOptions = (padding: "SAME" | "VALID", stride: number): BuiltinOptions => ({
  type: "TransposeConvOptions",
  padding,
  strideW: stride,
  strideH: stride,
  fusedActivationFunction: "NONE",
  quantizedBiasType: 0,
});
const matmul = (adjX: boolean, adjY: boolean): BuiltinOptions => ({
  type: "BatchMatMulOptions",
  adjX,
  adjY,
  asymmetricQuantizeInputs: false,
});
const bilinear = (alignCorners: boolean, halfPixelCenters: boolean): BuiltinOptions => ({
  type: "ResizeBilinearOptions",
  alignCorners,
  halfPixelCenters,
});
const shape4 = (values: number[]): OperandSpec => ({
  dtype: "int32",
  shape: [4],
  data: Int32Array.from(values),
});
const size2 = (h: number, w: number): OperandSpec => ({
  dtype: "int32",
  shape: [2],
  data: Int32Array.from([h, w]),
});

describe("TRANSPOSE_CONV", () => {
  test("stride 2, VALID: each input pixel scatters the 2x2 kernel, scaled, into its own block", () => {
    // Input 2x1 pixels [1, 10], one channel; kernel [[1, 2], [3, 4]], one output channel.
    // Output 4x2 (VALID: (2 − 1)·2 + 2 = 4 rows): rows 0–1 = 1·kernel, rows 2–3 = 10·kernel;
    // bias 0.5 added everywhere.
    const y = runOp(
      "TRANSPOSE_CONV",
      transposeConvOptions("VALID", 2),
      [
        shape4([1, 4, 2, 1]),
        { dtype: "float32", shape: [1, 2, 2, 1], data: Float32Array.from([1, 2, 3, 4]) },
        f32([1, 2, 1, 1], [1, 10]),
        { dtype: "float32", shape: [1], data: Float32Array.from([0.5]) },
      ],
      out("float32", [1, 4, 2, 1]),
    );
    assert.deepEqual(Array.from(y.data, Number), [1.5, 2.5, 3.5, 4.5, 10.5, 20.5, 30.5, 40.5]);
  });

  test("stride 1, SAME: overlapping taps add up", () => {
    // 1-D along x: input [1, 2, 3], kernel [1, 1, 1], SAME → padding 1 before; output x gets
    // Σ of input pixels whose window covers it: [1+2, 1+2+3, 2+3].
    const y = runOp(
      "TRANSPOSE_CONV",
      transposeConvOptions("SAME", 1),
      [
        shape4([1, 1, 3, 1]),
        { dtype: "float32", shape: [1, 1, 3, 1], data: Float32Array.from([1, 1, 1]) },
        f32([1, 1, 3, 1], [1, 2, 3]),
        null,
      ],
      out("float32", [1, 1, 3, 1]),
    );
    assert.deepEqual(Array.from(y.data, Number), [3, 6, 5]);
  });

  test("int8: (x − z_in)·w requantized, + z_out", () => {
    // x = 3 with z_in = 1 → 2; w = 5 (scale 0.5); input scale 1, output scale 2:
    // acc = 10, M = 1·0.5/2 = 0.25 → 2.5 → rounds to 3 (half away), + z_out 4 = 7.
    const y = runOp(
      "TRANSPOSE_CONV",
      transposeConvOptions("VALID", 1),
      [
        shape4([1, 1, 1, 1]),
        { dtype: "int8", shape: [1, 1, 1, 1], data: Int8Array.from([5]), quant: [0.5, 0] },
        { dtype: "int8", shape: [1, 1, 1, 1], feed: Int8Array.from([3]), quant: [1, 1] },
        null,
      ],
      out("int8", [1, 1, 1, 1], [2, 4]),
    );
    assert.deepEqual(Array.from(y.data, Number), [7]);
  });

  test("an output_shape that the input cannot come from is a ShapeError", () => {
    // A 3x3 VALID window with stride 1 maps a 5x5 output back to 3x3, not 2x2.
    assert.throws(
      () =>
        runOp(
          "TRANSPOSE_CONV",
          transposeConvOptions("VALID", 1),
          [
            shape4([1, 5, 5, 1]),
            { dtype: "float32", shape: [1, 3, 3, 1], data: new Float32Array(9) },
            f32([1, 2, 2, 1], [0, 0, 0, 0]),
            null,
          ],
          out("float32", [1, 5, 5, 1]),
        ),
      (e: unknown) => e instanceof ShapeError && /TRANSPOSE_CONV.*3x3.*2x2/.test(e.message),
    );
  });

  test("a computed output_shape is refused", () => {
    assert.throws(
      () =>
        runOp(
          "TRANSPOSE_CONV",
          transposeConvOptions("VALID", 1),
          [
            { dtype: "int32", shape: [4], feed: Int32Array.from([1, 1, 1, 1]) },
            { dtype: "float32", shape: [1, 1, 1, 1], data: new Float32Array(1) },
            f32([1, 1, 1, 1], [0]),
            null,
          ],
          out("float32", [1, 1, 1, 1]),
        ),
      (e: unknown) => e instanceof UnsupportedError && /output_shape.*constant/.test(e.message),
    );
  });

  test("16x8 with an int32 bias but no quantized_bias_type INT32 is refused", () => {
    assert.throws(
      () =>
        runOp(
          "TRANSPOSE_CONV",
          transposeConvOptions("VALID", 1),
          [
            shape4([1, 1, 1, 1]),
            { dtype: "int8", shape: [1, 1, 1, 1], data: Int8Array.from([1]), quant: [0.5, 0] },
            { dtype: "int16", shape: [1, 1, 1, 1], feed: Int16Array.from([1]), quant: [1, 0] },
            { dtype: "int32", shape: [1], data: Int32Array.from([1]) },
          ],
          out("int16", [1, 1, 1, 1], [1, 0]),
        ),
      (e: unknown) => e instanceof UnsupportedError && /int64 bias/.test(e.message),
    );
  });
});

describe("BATCH_MATMUL", () => {
  test("float: adj_x reads lhs transposed; the rhs batch of 1 broadcasts", () => {
    // lhs [2, 2, 1] read as [2, 1, 2] (adj_x): batch 0 row [1, 2], batch 1 row [3, 4];
    // rhs [2, 2] = [[1, 0], [1, 1]] for both batches: [1+2, 2] and [3+4, 4].
    const y = runOp(
      "BATCH_MATMUL",
      matmul(true, false),
      [f32([2, 2, 1], [1, 2, 3, 4]), f32([2, 2], [1, 0, 1, 1])],
      out("float32", [2, 1, 2]),
    );
    assert.deepEqual(y.shape, [2, 1, 2]);
    assert.deepEqual(Array.from(y.data, Number), [3, 2, 7, 4]);
  });

  test("int8: zero points subtracted from both operands", () => {
    // (5 − 1)·(7 − 3) + (2 − 1)·(−1 − 3) = 16 − 4 = 12; M = 0.5·0.5/1 = 0.25 → 3, + z_out −2 = 1.
    const y = runOp(
      "BATCH_MATMUL",
      matmul(false, false),
      [
        { dtype: "int8", shape: [1, 2], feed: Int8Array.from([5, 2]), quant: [0.5, 1] },
        { dtype: "int8", shape: [2, 1], data: Int8Array.from([7, -1]), quant: [0.5, 3] },
      ],
      out("int8", [1, 1], [1, -2]),
    );
    assert.deepEqual(Array.from(y.data, Number), [1]);
  });

  test("mismatched depths and non-broadcasting batches are ShapeErrors", () => {
    assert.throws(
      () =>
        runOp(
          "BATCH_MATMUL",
          matmul(false, false),
          [f32([2, 3], [0, 0, 0, 0, 0, 0]), f32([2, 2], [0, 0, 0, 0])],
          out("float32", [2, 2]),
        ),
      (e: unknown) => e instanceof ShapeError && /depth of lhs/.test(e.message),
    );
    assert.throws(
      () =>
        runOp(
          "BATCH_MATMUL",
          matmul(false, false),
          [f32([2, 1, 1], [0, 0]), f32([3, 1, 1], [0, 0, 0])],
          out("float32", [3, 1, 1]),
        ),
      (e: unknown) => e instanceof ShapeError && /do not broadcast/.test(e.message),
    );
  });

  test("int16 with a non-zero zero point is refused", () => {
    assert.throws(
      () =>
        runOp(
          "BATCH_MATMUL",
          matmul(false, false),
          [
            { dtype: "int16", shape: [1, 1], feed: Int16Array.from([1]), quant: [1, 3] },
            { dtype: "int16", shape: [1, 1], data: Int16Array.from([1]), quant: [1, 0] },
          ],
          out("int16", [1, 1], [1, 0]),
        ),
      (e: unknown) => e instanceof UnsupportedError && /zero point 0/.test(e.message),
    );
  });
});

describe("RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR", () => {
  test("bilinear 1x2 → 1x4 float: source x = i·(2/4)", () => {
    // x' = 0, 0.5, 1, 1.5 over [10, 20]: 10, 15, 20, and 1.5 → lo 1, hi min(2, 1) = 1 → 20.
    const y = runOp(
      "RESIZE_BILINEAR",
      bilinear(false, false),
      [f32([1, 1, 2, 1], [10, 20]), size2(1, 4)],
      out("float32", [1, 1, 4, 1]),
    );
    assert.deepEqual(Array.from(y.data, Number), [10, 15, 20, 20]);
  });

  test("bilinear int8 rounds the 20-bit fixed-point sum half away from zero", () => {
    // 1x2 → 1x4 with scale10 = (1024·2 + 2)/4 = 512: weights 0, 1/2, 0, 1/2 of the next pixel.
    // [−3, 0]: −3, (−3·512)/1024 = −1.5 → −2 (away from zero), 0, 0.
    const y = runOp(
      "RESIZE_BILINEAR",
      bilinear(false, false),
      [
        { dtype: "int8", shape: [1, 1, 2, 1], feed: Int8Array.from([-3, 0]), quant: [0.1, 0] },
        size2(1, 4),
      ],
      out("int8", [1, 1, 4, 1], [0.1, 0]),
    );
    assert.deepEqual(Array.from(y.data, Number), [-3, -2, 0, 0]);
  });

  test("nearest neighbour with align_corners rounds the scaled index", () => {
    // 3 → 5 pixels, scale (3 − 1)/(5 − 1) = 0.5: round(0, 0.5, 1, 1.5, 2) = 0, 1, 1, 2, 2.
    const y = runOp(
      "RESIZE_NEAREST_NEIGHBOR",
      { type: "ResizeNearestNeighborOptions", alignCorners: true, halfPixelCenters: false },
      [f32([1, 1, 3, 1], [7, 8, 9]), size2(1, 5)],
      out("float32", [1, 1, 5, 1]),
    );
    assert.deepEqual(Array.from(y.data, Number), [7, 8, 8, 9, 9]);
  });

  test("both align_corners and half_pixel_centers, or a rescaling output, are refused", () => {
    assert.throws(
      () =>
        runOp(
          "RESIZE_BILINEAR",
          bilinear(true, true),
          [f32([1, 1, 1, 1], [0]), size2(2, 2)],
          out("float32", [1, 2, 2, 1]),
        ),
      (e: unknown) => e instanceof UnsupportedError && /RESIZE_BILINEAR.*both/.test(e.message),
    );
    assert.throws(
      () =>
        runOp(
          "RESIZE_NEAREST_NEIGHBOR",
          { type: "ResizeNearestNeighborOptions", alignCorners: false, halfPixelCenters: false },
          [
            { dtype: "int8", shape: [1, 1, 1, 1], feed: Int8Array.from([0]), quant: [0.1, 0] },
            size2(2, 2),
          ],
          out("int8", [1, 2, 2, 1], [0.2, 0]),
        ),
      (e: unknown) => e instanceof UnsupportedError && /scale and zero point/.test(e.message),
    );
  });
});

describe("L2_NORMALIZATION and LOG_SOFTMAX", () => {
  test("float L2: [3, 4] / 5", () => {
    const y = runOp(
      "L2_NORMALIZATION",
      { type: "L2NormOptions", fusedActivationFunction: "NONE" },
      [f32([1, 2], [3, 4])],
      out("float32", [1, 2]),
    );
    assert.deepEqual(Array.from(y.data, Number), [Math.fround(0.6), Math.fround(0.8)]);
  });

  test("int8 L2: [30, 40] → round(128 · [0.6, 0.8]) clamped to 127", () => {
    // 76.8 → 77; 102.4 → 102.
    const y = runOp(
      "L2_NORMALIZATION",
      { type: "L2NormOptions", fusedActivationFunction: "NONE" },
      [{ dtype: "int8", shape: [1, 2], feed: Int8Array.from([30, 40]), quant: [0.1, 0] }],
      out("int8", [1, 2], [1 / 128, 0]),
    );
    assert.deepEqual(Array.from(y.data, Number), [77, 102]);
  });

  test("int8 LOG_SOFTMAX of equal values is −log n", () => {
    // Four equal inputs: log(1/4) = −1.386; at scale 1/16 that is −22.2 → 127 − 22 = 105.
    const y = runOp(
      "LOG_SOFTMAX",
      { type: "LogSoftmaxOptions" },
      [{ dtype: "int8", shape: [1, 4], feed: Int8Array.from([9, 9, 9, 9]), quant: [0.05, 0] }],
      out("int8", [1, 4], [16 / 256, 127]),
    );
    assert.deepEqual(Array.from(y.data, Number), [105, 105, 105, 105]);
  });

  test("fixed output parameters are required", () => {
    assert.throws(
      () =>
        runOp(
          "L2_NORMALIZATION",
          { type: "L2NormOptions", fusedActivationFunction: "NONE" },
          [{ dtype: "int8", shape: [1, 2], feed: Int8Array.from([1, 1]), quant: [0.1, 0] }],
          out("int8", [1, 2], [1 / 100, 0]),
        ),
      (e: unknown) => e instanceof UnsupportedError && /1\/128/.test(e.message),
    );
    assert.throws(
      () =>
        runOp(
          "LOG_SOFTMAX",
          { type: "LogSoftmaxOptions" },
          [{ dtype: "int8", shape: [1, 2], feed: Int8Array.from([1, 1]), quant: [0.1, 0] }],
          out("int8", [1, 2], [16 / 256, 0]),
        ),
      (e: unknown) => e instanceof UnsupportedError && /zero point 127/.test(e.message),
    );
    assert.throws(
      () =>
        runOp(
          "L2_NORMALIZATION",
          { type: "L2NormOptions", fusedActivationFunction: "RELU" },
          [f32([1, 2], [1, 1])],
          out("float32", [1, 2]),
        ),
      (e: unknown) => e instanceof UnsupportedError && /fused activation RELU/.test(e.message),
    );
  });
});

describe("fixed-point helpers", () => {
  test("invSqrtQuantizedMultiplierExp(x, −1) is 1/√x within 1e-5 relative (five Newton steps from 1)", () => {
    for (const x of [2, 3, 7, 100, 12345, 2 ** 20 + 17, 2 ** 29, 2 ** 31 - 1]) {
      const { multiplier, shift } = invSqrtQuantizedMultiplierExp(x, -1);
      const value = (multiplier / 2 ** 31) * 2 ** shift;
      const expected = 1 / Math.sqrt(x);
      assert.ok(Math.abs(value - expected) / expected < 1e-5, `x = ${x}: ${value} vs ${expected}`);
    }
    assert.deepEqual(invSqrtQuantizedMultiplierExp(1, -1), { multiplier: 2 ** 31 - 1, shift: 0 });
  });

  test("logXForXGreaterThanOrEqualTo1 (Q12 in, Q5 out) is within 2^-20 of log", () => {
    for (const v of [1, 1.5, 2, Math.E, 10, 100, 1000, 4095]) {
      const raw = Math.round(v * 2 ** 19);
      const result = logXForXGreaterThanOrEqualTo1(raw, 12, 5) / 2 ** 26;
      assert.ok(Math.abs(result - Math.log(raw / 2 ** 19)) < 2 ** -20, `log(${v}): ${result}`);
    }
  });
});

describe("options tables", () => {
  test("the six tables survive writeModel → readModel", () => {
    const tables: [Parameters<typeof runOp>[0], BuiltinOptions][] = [
      [
        "TRANSPOSE_CONV",
        {
          type: "TransposeConvOptions",
          padding: "SAME",
          strideW: 2,
          strideH: 3,
          fusedActivationFunction: "RELU6",
          quantizedBiasType: 4,
        },
      ],
      [
        "BATCH_MATMUL",
        { type: "BatchMatMulOptions", adjX: true, adjY: false, asymmetricQuantizeInputs: true },
      ],
      ["RESIZE_BILINEAR", bilinear(false, true)],
      [
        "RESIZE_NEAREST_NEIGHBOR",
        { type: "ResizeNearestNeighborOptions", alignCorners: true, halfPixelCenters: false },
      ],
      ["L2_NORMALIZATION", { type: "L2NormOptions", fusedActivationFunction: "RELU" }],
      ["LOG_SOFTMAX", { type: "LogSoftmaxOptions" }],
    ];
    for (const [op, options] of tables) {
      const model = buildModel(
        [
          { dtype: "float32", shape: [1] },
          { dtype: "float32", shape: [1] },
        ],
        [{ op, inputs: [0], outputs: [1], options }],
      );
      const back = readModel(writeModel(model));
      assert.deepEqual(back.subgraphs[0]?.operators[0]?.builtinOptions, options, op);
    }
  });
});
