/**
 * The element-wise kernels on one-op models with hand-derived goldens (derivations beside each
 * case), their refusals, and the round trip of the options tables they read. LiteRT parity on
 * full value ranges is in `test/parity/elementwise.litert.test.ts`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ShapeError, UnsupportedError, UsageError } from "../../errors";
import type { BuiltinOptions, DType, TypedArray } from "../../ir";
import { readModel } from "../../tflite/reader";
import { writeModel } from "../../tflite/writer";
import { buildModel, runOp, type OperandSpec, type TensorSpec } from "../testing";
import { erfc } from "./Gelu";

const f32 = (shape: number[], values: number[]): OperandSpec => ({
  dtype: "float32",
  shape,
  data: Float32Array.from(values),
});
const i8 = (shape: number[], values: number[], scale: number, zeroPoint: number): OperandSpec => ({
  dtype: "int8",
  shape,
  data: Int8Array.from(values),
  quant: [scale, zeroPoint],
});
const out = (dtype: DType, shape: number[], quant?: [number, number]): TensorSpec => ({
  dtype,
  shape,
  quant,
});
const values = (a: TypedArray): (number | bigint)[] => Array.from(a as ArrayLike<number | bigint>);

describe("element-wise kernels: hand-derived goldens", () => {
  test("SUB int8: a' − b' on the common scale 2·max(s) = 1, then ×2^−20 rounded half away", () => {
    // s_a = s_b = 0.5, s_out = 1, zero points 0: multipliers (2^30, 0) for both inputs, the
    // second negated; output (2^30, −19). a − b = 1: a' = SRDHM(2^20, 2^30) = 2^19, y =
    // RDBP(SRDHM(2^19, 2^30), 19) = RDBP(2^18, 19) = round(0.5) = 1. 3 − 0: 3·2^18 / 2^19 = 1.5 → 2;
    // −3 − 0 → −1.5 → −2; 0 − 1: b' = SRDHM(2^20, −2^30) = −2^19 → −0.5 → −1.
    const y = runOp(
      "SUB",
      null,
      [i8([4], [1, 3, -3, 0], 0.5, 0), i8([4], [0, 0, 0, 1], 0.5, 0)],
      out("int8", [4], [1, 0]),
    );
    assert.deepEqual(values(y.data), [1, 2, -2, -1]);
  });

  test("SUB float32 broadcasts [2, 1] against [3] and applies the fused RELU", () => {
    const options: BuiltinOptions = {
      type: "SubOptions",
      fusedActivationFunction: "RELU",
      potScaleInt16: true,
    };
    const y = runOp(
      "SUB",
      options,
      [f32([2, 1], [1, 10]), f32([3], [0, 2, 4])],
      out("float32", [2, 3]),
    );
    assert.deepEqual(y.shape, [2, 3]);
    assert.deepEqual(values(y.data), [1, 0, 0, 10, 8, 6]);
  });

  test("LEAKY_RELU int8: identity multiplier for d ≥ 0, α·s_in/s_out below, halves away from 0", () => {
    // s_in = s_out = 0.5, α = 0.25: identity M = 1; alpha (2^30, −1). −4 → −1; −2 → −0.5 → −1;
    // −1 → −0.25 → 0.
    const y = runOp(
      "LEAKY_RELU",
      { type: "LeakyReluOptions", alpha: 0.25 },
      [i8([5], [4, -4, -2, -1, 0], 0.5, 0)],
      out("int8", [5], [0.5, 0]),
    );
    assert.deepEqual(values(y.data), [4, -1, -1, 0, 0]);
  });

  test("HARD_SWISH float32: x·relu6(x + 3)/6", () => {
    const y = runOp("HARD_SWISH", null, [f32([6], [-4, -1.5, 0, 1, 3, 5])], out("float32", [6]));
    // −4: relu6(−1) = 0 → −0; −1.5·1.5/6 = −0.375; 1·4/6; 3·6/6; 5·6/6.
    assert.deepEqual(values(y.data), [-0, -0.375, 0, Math.fround(4 / 6), 3, 5]);
  });

  test("PRELU int8: M1 = s_in/s_out for d ≥ 0, M2 = s_in·s_α/s_out on d·(α − z_α)", () => {
    // s_in = 0.5, s_α = 0.25 (z_α = 2), s_out = 0.5: d = 4 → 4; d = −4, α = 4 → −4·2·0.25 = −2;
    // d = −3, α = 3 → −3·1·0.25 = −0.75 → −1.
    const y = runOp(
      "PRELU",
      null,
      [i8([3], [4, -4, -3], 0.5, 0), i8([3], [2, 4, 3], 0.25, 2)],
      out("int8", [3], [0.5, 0]),
    );
    assert.deepEqual(values(y.data), [4, -2, -1]);
  });

  test("int8 comparisons compare real values across scales", () => {
    // a: (3 − 1)·0.5 = 1 = 4·0.25; (4 − 1)·0.5 = 1.5 > 5·0.25 = 1.25; (−1 − 1)·0.5 = −1 < 0.
    const a = i8([3], [3, 4, -1], 0.5, 1);
    const b = i8([3], [4, 5, 0], 0.25, 0);
    const run = (op: "EQUAL" | "GREATER" | "LESS_EQUAL") =>
      values(runOp(op, null, [a, b], out("bool", [3])).data);
    assert.deepEqual(run("EQUAL"), [1, 0, 0]);
    assert.deepEqual(run("GREATER"), [0, 1, 0]);
    assert.deepEqual(run("LESS_EQUAL"), [1, 0, 1]);
  });

  test("SELECT_V2 broadcasts condition, x and y together", () => {
    const condition: OperandSpec = { dtype: "bool", shape: [2, 1], data: Uint8Array.from([1, 0]) };
    const y = runOp(
      "SELECT_V2",
      null,
      [condition, f32([3], [1, 2, 3]), f32([1], [9])],
      out("float32", [2, 3]),
    );
    assert.deepEqual(values(y.data), [1, 2, 3, 9, 9, 9]);
  });

  test("CAST truncates floats toward zero and wraps integers", () => {
    const cast = (x: OperandSpec, to: DType): (number | bigint)[] =>
      values(
        runOp(
          "CAST",
          { type: "CastOptions", inDataType: x.dtype, outDataType: to },
          [x],
          out(to, x.shape),
        ).data,
      );
    assert.deepEqual(cast(f32([4], [-1.7, 1.7, 2.5, -0.5]), "int32"), [-1, 1, 2, 0]);
    // 200.5 → 200 → low byte 0xC8 = −56 as int8.
    assert.deepEqual(cast(f32([2], [200.5, -3.9]), "int8"), [-56, -3]);
    assert.deepEqual(
      cast({ dtype: "int32", shape: [2], data: Int32Array.from([-1, 256]) }, "uint8"),
      [255, 0],
    );
    assert.deepEqual(
      cast(
        { dtype: "int64", shape: [2], data: BigInt64Array.from([2n ** 32n + 5n, -1n]) },
        "int32",
      ),
      [5, -1],
    );
    assert.deepEqual(cast(f32([3], [0, -0.25, 2]), "bool"), [0, 1, 1]);
    assert.deepEqual(cast({ dtype: "bool", shape: [2], data: Uint8Array.from([1, 0]) }, "int64"), [
      1n,
      0n,
    ]);
  });

  test("FILL takes its shape from constant dims; ZEROS_LIKE keeps the dtype", () => {
    const dims: OperandSpec = { dtype: "int32", shape: [2], data: Int32Array.from([2, 2]) };
    const value: OperandSpec = { dtype: "int64", shape: [], data: BigInt64Array.from([7n]) };
    const y = runOp("FILL", null, [dims, value], out("int64", [2, 2]));
    assert.deepEqual(y.shape, [2, 2]);
    assert.deepEqual(values(y.data), [7n, 7n, 7n, 7n]);
    const z = runOp(
      "ZEROS_LIKE",
      null,
      [{ dtype: "int32", shape: [3], data: Int32Array.from([1, 2, 3]) }],
      out("int32", [3]),
    );
    assert.deepEqual(values(z.data), [0, 0, 0]);
  });

  test("MAXIMUM / MINIMUM: a NaN in the first operand loses, in the second wins (a > b ? a : b)", () => {
    const a = f32([2], [NaN, 1]);
    const b = f32([2], [1, NaN]);
    assert.deepEqual(values(runOp("MAXIMUM", null, [a, b], out("float32", [2])).data), [1, NaN]);
    assert.deepEqual(values(runOp("MINIMUM", null, [a, b], out("float32", [2])).data), [1, NaN]);
  });

  test("ABS int8 with equal scales adds |x − z_in| to z_out without rescaling", () => {
    const y = runOp("ABS", null, [i8([3], [-128, 3, 10], 0.1, 3)], out("int8", [3], [0.1, -5]));
    // |−131| − 5 = 126; |0| − 5 = −5; |7| − 5 = 2.
    assert.deepEqual(values(y.data), [126, -5, 2]);
  });

  test("LOGICAL_AND / LOGICAL_OR / LOGICAL_NOT", () => {
    const a: OperandSpec = { dtype: "bool", shape: [4], data: Uint8Array.from([0, 0, 1, 1]) };
    const b: OperandSpec = { dtype: "bool", shape: [4], data: Uint8Array.from([0, 1, 0, 1]) };
    assert.deepEqual(
      values(runOp("LOGICAL_AND", null, [a, b], out("bool", [4])).data),
      [0, 0, 0, 1],
    );
    assert.deepEqual(
      values(runOp("LOGICAL_OR", null, [a, b], out("bool", [4])).data),
      [0, 1, 1, 1],
    );
    assert.deepEqual(values(runOp("LOGICAL_NOT", null, [a], out("bool", [4])).data), [1, 1, 0, 0]);
  });
});

test("erfc (GELU's table) agrees with reference values to 1e-13 relative, both branches", () => {
  // erfc(x) for x = 0, ±1 (series), 2, 3, 5 (continued fraction), to 16 digits.
  const cases: [number, number][] = [
    [0, 1],
    [1, 0.15729920705028513],
    [-1, 1.8427007929497148],
    [2, 0.004677734981047266],
    [3, 2.209049699858544e-5],
    [5, 1.537459794428035e-12],
  ];
  for (const [x, expected] of cases) {
    const got = erfc(x);
    assert.ok(
      Math.abs(got - expected) <= 1e-13 * Math.abs(expected),
      `erfc(${x}) = ${got}, expected ${expected}`,
    );
  }
});

describe("element-wise kernels: refusals name the op and the tensor", () => {
  test("RELU_N1_TO_1 on int16 (LiteRT's kernel fails on it)", () => {
    const x: OperandSpec = {
      dtype: "int16",
      shape: [1],
      data: Int16Array.from([1]),
      quant: [1e-3, 0],
      name: "r",
    };
    assert.throws(
      () => runOp("RELU_N1_TO_1", null, [x], out("int16", [1], [1e-3, 0])),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        /^RELU_N1_TO_1 \(op #0\).*input 'r' has type int16/.test(e.message),
    );
  });

  const unsupported = (pattern: RegExp) => (e: unknown) =>
    e instanceof UnsupportedError && pattern.test(e.message);

  test("NEG on int8 (LiteRT has no quantized NEG)", () => {
    assert.throws(
      () =>
        runOp("NEG", null, [{ ...i8([2], [1, 2], 0.1, 0), name: "q" }], out("int8", [2], [0.1, 0])),
      unsupported(/^NEG \(op #0\).*input 'q' has type int8; NEG takes float32, int32, int64/),
    );
  });

  test("SUB with inputs of different types", () => {
    assert.throws(
      () =>
        runOp(
          "SUB",
          null,
          [
            { ...f32([2], [1, 2]), name: "a" },
            { ...i8([2], [1, 2], 0.1, 0), name: "b" },
          ],
          out("float32", [2]),
        ),
      unsupported(/^SUB \(op #0\).*'a' \(float32\) and 'b' \(int8\) must have the same type/),
    );
  });

  test("LOGICAL_AND on float32", () => {
    assert.throws(
      () =>
        runOp(
          "LOGICAL_AND",
          null,
          [{ ...f32([1], [1]), name: "x" }, f32([1], [0])],
          out("bool", [1]),
        ),
      unsupported(/^LOGICAL_AND \(op #0\).*tensor 'x' must be bool, found float32/),
    );
  });

  test("HARD_SWISH on int16", () => {
    const x: OperandSpec = {
      dtype: "int16",
      shape: [1],
      data: Int16Array.from([1]),
      quant: [1e-3, 0],
      name: "h",
    };
    assert.throws(
      () => runOp("HARD_SWISH", null, [x], out("int16", [1], [1e-3, 0])),
      unsupported(
        /^HARD_SWISH \(op #0\).*input 'h' has type int16; HARD_SWISH takes float32, int8, uint8/,
      ),
    );
  });

  test("FILL with dims that are not a constant", () => {
    const dims: OperandSpec = {
      dtype: "int32",
      shape: [2],
      feed: Int32Array.from([2, 2]),
      name: "dims",
    };
    assert.throws(
      () => runOp("FILL", null, [dims, f32([], [1])], out("float32", [2, 2])),
      unsupported(/^FILL \(op #0\).*dims 'dims' must be a constant/),
    );
  });

  test("SELECT_V2 on shapes that do not broadcast", () => {
    const condition: OperandSpec = { dtype: "bool", shape: [2], data: Uint8Array.from([1, 0]) };
    assert.throws(
      () =>
        runOp(
          "SELECT_V2",
          null,
          [condition, f32([3], [1, 2, 3]), f32([1], [0])],
          out("float32", [3]),
        ),
      (e: unknown) =>
        e instanceof ShapeError && /^SELECT_V2 \(op #0\): cannot broadcast/.test(e.message),
    );
  });

  test("DIV int32 by zero", () => {
    const a: OperandSpec = { dtype: "int32", shape: [2], data: Int32Array.from([4, 5]) };
    const b: OperandSpec = { dtype: "int32", shape: [2], data: Int32Array.from([2, 0]), name: "d" };
    assert.throws(
      () => runOp("DIV", null, [a, b], out("int32", [2])),
      (e: unknown) =>
        e instanceof UsageError && /DIV \(op #0\): int32 division by zero in 'd'/.test(e.message),
    );
  });

  test("SUB int16 with broadcasting (TFLite's broadcasting int16 SUB ignores the scales)", () => {
    const a: OperandSpec = {
      dtype: "int16",
      shape: [2, 2],
      data: Int16Array.from([1, 2, 3, 4]),
      quant: [3e-4, 0],
    };
    const b: OperandSpec = {
      dtype: "int16",
      shape: [2],
      data: Int16Array.from([1, 2]),
      quant: [7e-4, 0],
    };
    assert.throws(
      () => runOp("SUB", null, [a, b], out("int16", [2, 2], [9e-4, 0])),
      unsupported(/^SUB \(op #0\).*int16 with broadcasting/),
    );
  });
});

describe("options tables of the element-wise ops round-trip through the writer and reader", () => {
  const tables: BuiltinOptions[] = [
    { type: "SubOptions", fusedActivationFunction: "RELU6", potScaleInt16: false },
    { type: "SubOptions", fusedActivationFunction: "NONE", potScaleInt16: true },
    { type: "DivOptions", fusedActivationFunction: "RELU" },
    { type: "LeakyReluOptions", alpha: 0.125 },
    { type: "GeluOptions", approximate: true },
    { type: "CastOptions", inDataType: "int64", outDataType: "float32" },
  ];
  const opOf = {
    SubOptions: "SUB",
    DivOptions: "DIV",
    LeakyReluOptions: "LEAKY_RELU",
    GeluOptions: "GELU",
    CastOptions: "CAST",
  } as const;
  for (const options of tables) {
    test(JSON.stringify(options), () => {
      assert.ok(options.type in opOf);
      const op = opOf[options.type as keyof typeof opOf];
      const model = buildModel(
        [
          { dtype: "float32", shape: [2] },
          { dtype: "float32", shape: [2] },
        ],
        [{ op, inputs: [0], outputs: [1], options }],
      );
      const read = readModel(writeModel(model));
      assert.deepEqual(read.subgraphs[0]?.operators[0]?.builtinOptions, options);
    });
  }
});
