/**
 * One-op tests with hand-computed goldens (derivations in the comments). Every test goes through
 * `expectOp`: build a one-op IR model, run it in the Interpreter, compare the output exactly
 * (or to `tol` for transcendental float ops).
 *
 * Fixed-point reminders used below: MBQM(x, 2^30, s) = x · 2^(s−1) rounded by SRDHM (halves
 * up for positive, toward zero for negative) and then by RoundingDivideByPOT (halves away from
 * zero).
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ShapeError, UnsupportedError } from "../../errors";
import type {
  Activation,
  BuiltinOpName,
  BuiltinOptions,
  DType,
  NDArray,
  Padding,
  TypedArray,
} from "../../ir";
import { runOp, type OperandSpec, type TensorSpec } from "../testing";

type Quant = TensorSpec["quant"];

/** A model input of `dtype`, fed `values`. */
function fed(dtype: DType, shape: number[], values: number[], quant?: Quant): OperandSpec {
  return { dtype, shape, quant, feed: typed(dtype, values) };
}

/** A constant operand. */
function constant(dtype: DType, shape: number[], values: number[], quant?: Quant): OperandSpec {
  return { dtype, shape, quant, data: typed(dtype, values) };
}

function out(dtype: DType, shape: number[], quant?: Quant): TensorSpec {
  return { dtype, shape, quant };
}

function typed(dtype: DType, values: number[]): TypedArray {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values);
    case "int8":
      return Int8Array.from(values);
    case "uint8":
      return Uint8Array.from(values);
    case "int32":
      return Int32Array.from(values);
    case "float16":
      return Uint16Array.from(values);
    default:
      throw new Error(`test helper: no typed array for ${dtype}`);
  }
}

/** The one comparison helper: run `op` and compare its output values (and shape). */
function expectOp(
  op: BuiltinOpName,
  options: BuiltinOptions | null,
  inputs: (OperandSpec | null)[],
  output: TensorSpec,
  expected: number[],
  check: { shape?: number[]; tol?: number } = {},
): void {
  const y = runOp(op, options, inputs, output);
  const got = Array.from(y.data, Number);
  if (check.tol === undefined) {
    assert.deepEqual(got, expected);
  } else {
    assert.equal(got.length, expected.length);
    got.forEach((g, i) =>
      assert.ok(
        Math.abs(g - (expected[i] ?? NaN)) <= (check.tol ?? 0),
        `[${i}] ${g} vs ${expected[i]}`,
      ),
    );
  }
  if (check.shape !== undefined) assert.deepEqual(y.shape, check.shape);
}

const conv = (
  padding: Padding,
  stride = 1,
  act: Activation = "NONE",
  dilation = 1,
): BuiltinOptions => ({
  type: "Conv2DOptions",
  padding,
  strideW: stride,
  strideH: stride,
  fusedActivationFunction: act,
  dilationWFactor: dilation,
  dilationHFactor: dilation,
  quantizedBiasType: 0,
});
const depthwise = (
  multiplier: number,
  act: Activation = "NONE",
  padding: Padding = "VALID",
  dilation = 1,
): BuiltinOptions => ({
  type: "DepthwiseConv2DOptions",
  padding,
  strideW: 1,
  strideH: 1,
  depthMultiplier: multiplier,
  fusedActivationFunction: act,
  dilationWFactor: dilation,
  dilationHFactor: dilation,
});
const fc = (act: Activation = "NONE", asymmetricQuantizeInputs = false): BuiltinOptions => ({
  type: "FullyConnectedOptions",
  fusedActivationFunction: act,
  weightsFormat: 0,
  keepNumDims: false,
  asymmetricQuantizeInputs,
  quantizedBiasType: 0,
});
const pool = (padding: Padding, size: number, stride: number): BuiltinOptions => ({
  type: "Pool2DOptions",
  padding,
  strideW: stride,
  strideH: stride,
  filterWidth: size,
  filterHeight: size,
  fusedActivationFunction: "NONE",
});
const add: BuiltinOptions = {
  type: "AddOptions",
  fusedActivationFunction: "NONE",
  potScaleInt16: true,
};
const mul: BuiltinOptions = { type: "MulOptions", fusedActivationFunction: "NONE" };
const NINE = [1, 2, 3, 4, 5, 6, 7, 8, 9];

describe("CONV_2D", () => {
  test("float VALID: diagonal 2x2 filter sums x[i,j] + x[i+1,j+1], plus bias 1", () => {
    // [1+5, 2+6, 4+8, 5+9] + 1 = [7, 9, 13, 15]
    expectOp(
      "CONV_2D",
      conv("VALID"),
      [
        fed("float32", [1, 3, 3, 1], NINE),
        constant("float32", [1, 2, 2, 1], [1, 0, 0, 1]),
        constant("float32", [1], [1]),
      ],
      out("float32", [1, 2, 2, 1]),
      [7, 9, 13, 15],
      { shape: [1, 2, 2, 1] },
    );
  });
  test("float SAME stride 2: padding 1 on top/left is skipped, windows see 4, 4, 4, 4 taps", () => {
    // out = ceil(3/2) = 2; total pad = (2−1)·2 + 3 − 3 = 2 → padTop = 1.
    // (0,0): 1+2+4+5 = 12; (0,1): 2+3+5+6 = 16; (1,0): 4+5+7+8 = 24; (1,1): 5+6+8+9 = 28.
    expectOp(
      "CONV_2D",
      conv("SAME", 2),
      [
        fed("float32", [1, 3, 3, 1], NINE),
        constant("float32", [1, 3, 3, 1], new Array<number>(9).fill(1)),
        null,
      ],
      out("float32", [1, 2, 2, 1]),
      [12, 16, 24, 28],
    );
  });
  test("float dilation 2: a 2x2 filter reads the four corners 1 + 3 + 7 + 9 = 20", () => {
    expectOp(
      "CONV_2D",
      conv("VALID", 1, "NONE", 2),
      [fed("float32", [1, 3, 3, 1], NINE), constant("float32", [1, 2, 2, 1], [1, 1, 1, 1]), null],
      out("float32", [1, 1, 1, 1]),
      [20],
    );
  });
  test("float fused RELU6 clamps to [0, 6]: 1x1 filter −1 and 2 on x = [1, 2, 3, 4]", () => {
    // channel 0: −x → [−1, −2, −3, −4] → 0; channel 1: 2x → [2, 4, 6, 8] → [2, 4, 6, 6]
    expectOp(
      "CONV_2D",
      conv("VALID", 1, "RELU6"),
      [
        fed("float32", [1, 2, 2, 1], [1, 2, 3, 4]),
        constant("float32", [2, 1, 1, 1], [-1, 2]),
        null,
      ],
      out("float32", [1, 2, 2, 2]),
      [0, 2, 0, 4, 0, 6, 0, 6],
    );
  });
  test("int8 per-channel: acc → + bias → MBQM per channel → + output zero point", () => {
    // x − zp_in = [0, 1, 6, 127] (q = [−1, 0, 5, 126], zp −1); multipliers 0.5·0.25/1 = 2^−3 and
    // 0.5·0.5/1 = 2^−2; out zp 3.
    // c0: 2·[0,1,6,127] + 4 = [4, 6, 16, 258] · 2^−3 = [0.5, 0.75, 2, 32.25] → [1, 1, 2, 32] + 3.
    // c1: −3·[0,1,6,127] − 2 = [−2, −5, −20, −383] · 2^−2 = [−0.5, −1.25, −5, −95.75]
    //     → [−1, −1, −5, −96] + 3 (−0.5: SRDHM −1, then RDBP(−1, 1) = −1, half away from zero).
    expectOp(
      "CONV_2D",
      conv("VALID"),
      [
        fed("int8", [1, 2, 2, 1], [-1, 0, 5, 126], [0.5, -1]),
        constant("int8", [2, 1, 1, 1], [2, -3], {
          scales: [0.25, 0.5],
          zeroPoints: [0, 0],
          axis: 0,
        }),
        constant("int32", [2], [4, -2]),
      ],
      out("int8", [1, 2, 2, 2], [1, 3]),
      [4, 2, 4, 2, 5, -2, 35, -93],
    );
  });
  test("int8 fused RELU: the clamp's lower bound is the output zero point", () => {
    // multiplier 1·1/1 = 1; acc = −5·x: x = [1, −1] → [−5, 5] + zp 10 → [5, 15]; RELU min = 10.
    expectOp(
      "CONV_2D",
      conv("VALID", 1, "RELU"),
      [
        fed("int8", [1, 1, 2, 1], [1, -1], [1, 0]),
        constant("int8", [1, 1, 1, 1], [-5], [1, 0]),
        null,
      ],
      out("int8", [1, 1, 2, 1], [1, 10]),
      [10, 15],
    );
  });
  test("int8 saturation: outputs beyond [−128, 127] clamp", () => {
    // acc = 127·127 = 16129, multiplier 1 → 16129 → 127; −16129 → −128.
    expectOp(
      "CONV_2D",
      conv("VALID"),
      [
        fed("int8", [1, 1, 2, 1], [127, -127], [1, 0]),
        constant("int8", [1, 1, 1, 1], [127], [1, 0]),
        null,
      ],
      out("int8", [1, 1, 2, 1], [1, 0]),
      [127, -128],
    );
  });
  test("hybrid per-tensor: symmetric run-time quantization, y = acc · (s_b · w_scale) + bias", () => {
    // x = [1, −0.5]: range 1, s_b = 1/127, q = [127, round(−63.5) = −64]; w = [2] (scale 0.5)
    // per pixel: acc = [254, −128]; y = acc · fround(fround(1/127) · 0.5) + 0.25.
    const s = Math.fround(Math.fround(1 / 127) * 0.5);
    const y = [Math.fround(Math.fround(254 * s) + 0.25), Math.fround(Math.fround(-128 * s) + 0.25)];
    expectOp(
      "CONV_2D",
      conv("VALID"),
      [
        fed("float32", [1, 1, 2, 1], [1, -0.5]),
        constant("int8", [1, 1, 1, 1], [2], [0.5, 0]),
        constant("float32", [1], [0.25]),
      ],
      out("float32", [1, 1, 2, 1]),
      y,
    );
  });
  test("unsupported type combination names the op, its index and the tensor types", () => {
    assert.throws(
      () =>
        runOp(
          "CONV_2D",
          conv("VALID"),
          [fed("float32", [1, 1, 1, 1], [1]), constant("int32", [1, 1, 1, 1], [1]), null],
          out("float32", [1, 1, 1, 1]),
        ),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        /CONV_2D \(op #0\) with input types \[float32, int32, -\]/.test(e.message),
    );
  });
});

describe("DEPTHWISE_CONV_2D", () => {
  test("float multiplier 2: channel ic·2 + m filters input channel ic only", () => {
    // x channel 0 = [1, 3, 5, 7], channel 1 = [2, 4, 6, 8]; per tap w = [1, 2, δ, −1], δ = 1 at (0,0)
    // oc0 = 1+3+5+7 = 16, oc1 = 2·16 = 32, oc2 = 2 (first tap of channel 1), oc3 = −(2+4+6+8) = −20
    const w = [1, 2, 1, -1, 1, 2, 0, -1, 1, 2, 0, -1, 1, 2, 0, -1];
    expectOp(
      "DEPTHWISE_CONV_2D",
      depthwise(2),
      [
        fed("float32", [1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]),
        constant("float32", [1, 2, 2, 4], w),
        null,
      ],
      out("float32", [1, 1, 1, 4]),
      [16, 32, 2, -20],
    );
  });
  test("float SAME with dilation 2: each output sums the in-image taps of a 5x5 footprint", () => {
    // effective filter 5, out 3, total pad (3−1)·1 + 5 − 3 = 4 → padTop = padLeft = 2. Rows seen
    // by oy = 0, 1, 2: {0, 2}, {1}, {0, 2}; same for columns. x[r][c] = 3r + c + 1:
    // (0,0) = 1+3+7+9 = 20, (0,1) = 2+8 = 10, (1,0) = 4+6 = 10, (1,1) = 5.
    expectOp(
      "DEPTHWISE_CONV_2D",
      depthwise(1, "NONE", "SAME", 2),
      [
        fed("float32", [1, 3, 3, 1], NINE),
        constant("float32", [1, 3, 3, 1], new Array<number>(9).fill(1)),
        null,
      ],
      out("float32", [1, 3, 3, 1]),
      [20, 10, 20, 10, 5, 10, 20, 10, 20],
    );
  });
  test("int8 per-channel (axis 3): 10·3·(1/2) = 15 and −10·5·(0.5/2) = −12.5 → −13", () => {
    expectOp(
      "DEPTHWISE_CONV_2D",
      depthwise(1),
      [
        fed("int8", [1, 1, 1, 2], [10, -10], [1, 0]),
        constant("int8", [1, 1, 1, 2], [3, 5], { scales: [1, 0.5], zeroPoints: [0, 0], axis: 3 }),
        null,
      ],
      out("int8", [1, 1, 1, 2], [2, 0]),
      [15, -13],
    );
  });
  test("hybrid: asymmetric row quantization, y = f32(acc) · f32(w_scale_c · s_row)", () => {
    // row [1, −0.5]: rmin −0.5, rmax 1, s = 1.5/255, zp = round(−128 + 0.5/s) = −43;
    // q = round(x / s) + zp = [170 − 43, −85 − 43] = [127, −128]; acc = [2·170, 4·(−85)] = [340, −340].
    const s = Math.fround(1.5 / 255);
    const y = [Math.fround(340 * Math.fround(0.5 * s)), Math.fround(-340 * Math.fround(0.25 * s))];
    expectOp(
      "DEPTHWISE_CONV_2D",
      depthwise(1),
      [
        fed("float32", [1, 1, 1, 2], [1, -0.5]),
        constant("int8", [1, 1, 1, 2], [2, 4], {
          scales: [0.5, 0.25],
          zeroPoints: [0, 0],
          axis: 3,
        }),
        null,
      ],
      out("float32", [1, 1, 1, 2]),
      y,
    );
  });
});

describe("FULLY_CONNECTED", () => {
  test("float with bias and RELU: [[1,2,3],[4,5,6]] · [[1,0,−1],[.5,.5,.5]]ᵀ + [0, 1]", () => {
    // row 0: [1 − 3, 3 + 1] = [−2, 4] → [0, 4]; row 1: [4 − 6, 7.5 + 1] = [−2, 8.5] → [0, 8.5]
    expectOp(
      "FULLY_CONNECTED",
      fc("RELU"),
      [
        fed("float32", [2, 3], [1, 2, 3, 4, 5, 6]),
        constant("float32", [2, 3], [1, 0, -1, 0.5, 0.5, 0.5]),
        constant("float32", [2], [0, 1]),
      ],
      out("float32", [2, 2]),
      [0, 4, 0, 8.5],
      { shape: [2, 2] },
    );
  });
  test("int8 requantizes in double like LiteRT's reference FC: −5 · 0.5 = −2.5 → −3", () => {
    // x − zp = [3, 1, 2] − 2 = [1, −1, 0]; acc = −2 − 3 + 0 = −5; scale 0.5·0.25/0.25 = 0.5.
    // round(−2.5) half away = −3 (MBQM would give −2: SRDHM rounds negative halves toward 0).
    expectOp(
      "FULLY_CONNECTED",
      fc(),
      [
        fed("int8", [1, 3], [3, 1, 2], [0.5, 2]),
        constant("int8", [1, 3], [-2, 3, 7], [0.25, 0]),
        null,
      ],
      out("int8", [1, 1], [0.25, 0]),
      [-3],
    );
  });
  test("hybrid per-channel symmetric: scale per unit f32(s_row · w_scale_u)", () => {
    // q = [127, round(−63.5) = −64], s_row = 1/127; acc = [2·127 − 4·64, 127 − 64] = [−2, 63]
    const s = Math.fround(1 / 127);
    const y = [Math.fround(-2 * Math.fround(s * 0.5)), Math.fround(63 * Math.fround(s * 0.25))];
    expectOp(
      "FULLY_CONNECTED",
      fc(),
      [
        fed("float32", [1, 2], [1, -0.5]),
        constant("int8", [2, 2], [2, 4, 1, 1], {
          scales: [0.5, 0.25],
          zeroPoints: [0, 0],
          axis: 0,
        }),
        null,
      ],
      out("float32", [1, 2]),
      y,
    );
  });
  test("hybrid asymmetric: row [0, 1, 2, 3] quantizes to zero point −128, scale 3/255", () => {
    // rmin = 0, rmax = 3: scale = 3/255, zp = −128 − 0 = −128; q − zp = round(x · 85) = [0, 85, 170, 255]
    // w = [1, 1, 1, 1] (scale 2): acc = 510; y = fround(510 · fround(fround(3/255) · 2)).
    const s = Math.fround(Math.fround(3 / 255) * 2);
    expectOp(
      "FULLY_CONNECTED",
      fc("NONE", true),
      [fed("float32", [1, 4], [0, 1, 2, 3]), constant("int8", [1, 4], [1, 1, 1, 1], [2, 0]), null],
      out("float32", [1, 1]),
      [Math.fround(510 * s)],
    );
  });
});

describe("pooling", () => {
  test("MAX_POOL_2D float 2x2 stride 2: [[1,5,2,0],[3,4,8,−1]] → [5, 8]", () => {
    expectOp(
      "MAX_POOL_2D",
      pool("VALID", 2, 2),
      [fed("float32", [1, 2, 4, 1], [1, 5, 2, 0, 3, 4, 8, -1])],
      out("float32", [1, 1, 2, 1]),
      [5, 8],
    );
  });
  test("AVERAGE_POOL_2D float SAME: edge windows divide by their in-image tap count", () => {
    // padTop = padLeft = 0 (total pad 1 goes after): (1+2+4+5)/4 = 3, (3+6)/2 = 4.5, (7+8)/2 = 7.5, 9/1
    expectOp(
      "AVERAGE_POOL_2D",
      pool("SAME", 2, 2),
      [fed("float32", [1, 3, 3, 1], NINE)],
      out("float32", [1, 2, 2, 1]),
      [3, 4.5, 7.5, 9],
    );
  });
  test("AVERAGE_POOL_2D int8 rounds ties away from zero: 2/4 → 1, −2/4 → −1", () => {
    expectOp(
      "AVERAGE_POOL_2D",
      pool("VALID", 2, 2),
      [fed("int8", [1, 2, 4, 1], [1, 1, -1, -1, 0, 0, 0, 0], [1, 0])],
      out("int8", [1, 1, 2, 1], [1, 0]),
      [1, -1],
    );
  });
});

describe("element-wise", () => {
  test("ADD float 4D broadcast [1,2,1,2] + [1,1,3,1]", () => {
    // out[0,i,j,k] = a[i,k] + b[j]
    expectOp(
      "ADD",
      add,
      [fed("float32", [1, 2, 1, 2], [1, 2, 3, 4]), fed("float32", [1, 1, 3, 1], [10, 20, 30])],
      out("float32", [1, 2, 3, 2]),
      [11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34],
      { shape: [1, 2, 3, 2] },
    );
  });
  test("ADD int8: 0.5 → 1, 2.5 → 3, −0.5 → −1 (scales 0.5, 0.5 → 1; 20-bit headroom)", () => {
    // twiceMax = 1: a' = MBQM(x·2^20, 2^30, 0) = x·2^19; out multiplier 2^−20 → RDBP(…/2, 19).
    expectOp(
      "ADD",
      add,
      [fed("int8", [3], [1, 3, -1], [0.5, 0]), fed("int8", [3], [0, 2, 0], [0.5, 0])],
      out("int8", [3], [1, 0]),
      [1, 3, -1],
    );
  });
  test("MUL int8: 3·1·(0.5·0.5/0.5) = 1.5 → 2 but −1.5 → −1 (SRDHM's negative tie)", () => {
    expectOp(
      "MUL",
      mul,
      [fed("int8", [2], [3, -3], [0.5, 0]), fed("int8", [2], [1, 1], [0.5, 0])],
      out("int8", [2], [0.5, 0]),
      [2, -1],
    );
  });
  test("MUL float broadcasts a [1] operand", () => {
    expectOp(
      "MUL",
      mul,
      [fed("float32", [2, 2], [1, 2, 3, 4]), constant("float32", [1], [-2])],
      out("float32", [2, 2]),
      [-2, -4, -6, -8],
    );
  });
  test("RELU int8 requantizes (s_in/s_out = 2) and clamps at the output zero point", () => {
    // q = [−20, −10, 0, 117], zp −10 → x − zp = [−10, 0, 10, 127] · 2 = [−20, 0, 20, 254] − 128
    // → [−148, −128, −108, 126] → clamp at −128.
    expectOp(
      "RELU",
      null,
      [fed("int8", [4], [-20, -10, 0, 117], [0.5, -10])],
      out("int8", [4], [0.25, -128]),
      [-128, -128, -108, 126],
    );
  });
  test("RELU6 int8 upper bound is zp + round(6 / scale) = 12", () => {
    expectOp(
      "RELU6",
      null,
      [fed("int8", [3], [20, -3, 11], [0.5, 0])],
      out("int8", [3], [0.5, 0]),
      [12, 0, 11],
    );
  });
  test("RELU6 float", () => {
    expectOp("RELU6", null, [fed("float32", [3], [-1, 3, 7])], out("float32", [3]), [0, 3, 6]);
  });
  test("LOGISTIC int8 table: σ(0)=.5 → 0, σ(1)·256 = 187.1 → 59, ends saturate", () => {
    // input scale 0.1: q = 10 is x = 1; σ(1) = 0.731059 → round(187.15) − 128 = 59.
    expectOp(
      "LOGISTIC",
      null,
      [fed("int8", [4], [0, 127, -128, 10], [0.1, 0])],
      out("int8", [4], [1 / 256, -128]),
      [0, 127, -128, 59],
    );
  });
  test("LOGISTIC int8 rejects an output scale other than 1/256", () => {
    assert.throws(
      () =>
        runOp("LOGISTIC", null, [fed("int8", [1], [0], [0.1, 0])], out("int8", [1], [1 / 128, 0])),
      UnsupportedError,
    );
  });
  test("TANH int8 table: tanh(1)·128 = 97.48 → 97, symmetric, 6.35 saturates", () => {
    expectOp(
      "TANH",
      null,
      [fed("int8", [4], [0, 20, -20, 127], [0.05, 0])],
      out("int8", [4], [1 / 128, 0]),
      [0, 97, -97, 127],
    );
  });
  test("LOGISTIC and TANH float", () => {
    expectOp(
      "LOGISTIC",
      null,
      [fed("float32", [2], [0, Math.log(3)])],
      out("float32", [2]),
      [0.5, 0.75],
      { tol: 1e-7 },
    );
    expectOp("TANH", null, [fed("float32", [1], [Math.log(2)])], out("float32", [1]), [0.6], {
      tol: 1e-7,
    }); // (4−1)/(4+1)
  });
});

describe("SOFTMAX", () => {
  test("float: [0, ln 3] → [1/4, 3/4]", () => {
    expectOp(
      "SOFTMAX",
      { type: "SoftmaxOptions", beta: 1 },
      [fed("float32", [1, 2], [0, Math.log(3)])],
      out("float32", [1, 2]),
      [0.25, 0.75],
      { tol: 1e-7 },
    );
  });
  test("int8 fixed point: four equal inputs → 1/4 = 64/256 → 64 − 128 = −64", () => {
    expectOp(
      "SOFTMAX",
      { type: "SoftmaxOptions", beta: 1 },
      [fed("int8", [1, 4], [5, 5, 5, 5], [0.1, 0])],
      out("int8", [1, 4], [1 / 256, -128]),
      [-64, -64, -64, -64],
    );
  });
  test("int8: the maximum saturates at 127 (1.0 → 256 − 128), far inputs are −128", () => {
    expectOp(
      "SOFTMAX",
      { type: "SoftmaxOptions", beta: 1 },
      [fed("int8", [1, 2], [127, -128], [1, 0])],
      out("int8", [1, 2], [1 / 256, -128]),
      [127, -128],
    );
  });
});

describe("QUANTIZE / DEQUANTIZE", () => {
  test("float → int8: round(x / 0.5) half away from zero, + zp −1, clamped", () => {
    // x/s = [0.5, −0.5, 1.5, 200, −200] → [1, −1, 2, 200, −200] − 1 → [0, −2, 1, 127, −128]
    expectOp(
      "QUANTIZE",
      null,
      [fed("float32", [5], [0.25, -0.25, 0.75, 100, -100])],
      out("int8", [5], [0.5, -1]),
      [0, -2, 1, 127, -128],
    );
  });
  test("uint8 → int8 with equal scales and zero points 128 apart flips the sign bit", () => {
    expectOp(
      "QUANTIZE",
      null,
      [fed("uint8", [3], [0, 128, 255], [0.1, 128])],
      out("int8", [3], [0.1, 0]),
      [-128, 0, 127],
    );
  });
  test("int8 → int8 requantize by 1/2: 1.5 → 2, −1.5 → −1, 2.5 → 3", () => {
    expectOp(
      "QUANTIZE",
      null,
      [fed("int8", [3], [3, -3, 5], [1, 0])],
      out("int8", [3], [2, 0]),
      [2, -1, 3],
    );
  });
  test("int8 → uint8 at the output edge: zero point −5 → 123, same scale", () => {
    expectOp(
      "QUANTIZE",
      null,
      [fed("int8", [3], [-128, -5, 127], [0.25, -5])],
      out("uint8", [3], [0.25, 123]),
      [0, 123, 255],
    );
  });
  test("DEQUANTIZE uint8: 0.25 · (q − 128)", () => {
    expectOp(
      "DEQUANTIZE",
      null,
      [fed("uint8", [3], [0, 128, 255], [0.25, 128])],
      out("float32", [3]),
      [-32, 0, 31.75],
    );
  });
  test("DEQUANTIZE int8 per tensor: 0.5 · (q − 3)", () => {
    expectOp(
      "DEQUANTIZE",
      null,
      [fed("int8", [3], [3, 5, -128], [0.5, 3])],
      out("float32", [3]),
      [0, 1, -65.5],
    );
  });
  test("DEQUANTIZE int8 per channel along axis 1", () => {
    expectOp(
      "DEQUANTIZE",
      null,
      [fed("int8", [2, 2], [2, 2, -4, -4], { scales: [1, 0.5], zeroPoints: [0, 0], axis: 1 })],
      out("float32", [2, 2]),
      [2, 1, -4, -2],
    );
  });
  test("DEQUANTIZE float16 bits: 1, −2, 0x3555, max half, smallest subnormal", () => {
    // 0x3555 = 2^−2 · (1 + 341/1024) = 0.333251953125; 0x7BFF = 65504; 0x0001 = 2^−24
    expectOp(
      "DEQUANTIZE",
      null,
      [constant("float16", [5], [0x3c00, 0xc000, 0x3555, 0x7bff, 0x0001])],
      out("float32", [5]),
      [1, -2, 0.333251953125, 65504, 2 ** -24],
    );
  });
});

describe("shape ops", () => {
  test("RESHAPE from a constant 2nd input with −1 inferred", () => {
    expectOp(
      "RESHAPE",
      null,
      [fed("float32", [2, 3], [1, 2, 3, 4, 5, 6]), constant("int32", [2], [3, -1])],
      out("float32", [3, 2]),
      [1, 2, 3, 4, 5, 6],
      { shape: [3, 2] },
    );
  });
  test("RESHAPE from ReshapeOptions.newShape keeps int8 bytes", () => {
    expectOp(
      "RESHAPE",
      { type: "ReshapeOptions", newShape: [4] },
      [fed("int8", [2, 2], [-1, 2, -3, 4], [1, 0])],
      out("int8", [4], [1, 0]),
      [-1, 2, -3, 4],
      { shape: [4] },
    );
  });
  test("CONCATENATION on axis −1", () => {
    expectOp(
      "CONCATENATION",
      { type: "ConcatenationOptions", axis: -1, fusedActivationFunction: "NONE" },
      [fed("float32", [2, 2], [1, 2, 3, 4]), fed("float32", [2, 1], [9, 8])],
      out("float32", [2, 3]),
      [1, 2, 9, 3, 4, 8],
      { shape: [2, 3] },
    );
  });
  test("CONCATENATION int8 refuses inputs whose scale differs from the output's", () => {
    assert.throws(
      () =>
        runOp(
          "CONCATENATION",
          { type: "ConcatenationOptions", axis: 0, fusedActivationFunction: "NONE" },
          [fed("int8", [1], [1], [0.5, 0]), fed("int8", [1], [1], [0.25, 0])],
          out("int8", [2], [0.5, 0]),
        ),
      /must share the output's scale/,
    );
  });
  test("PAD int8 pads with the output zero point (real 0)", () => {
    expectOp(
      "PAD",
      { type: "PadOptions" },
      [fed("int8", [1, 2], [5, 6], [1, -3]), constant("int32", [2, 2], [0, 0, 1, 2])],
      out("int8", [1, 5], [1, -3]),
      [-3, 5, 6, -3, -3],
      { shape: [1, 5] },
    );
  });
  test("PAD float pads with 0 on every side", () => {
    expectOp(
      "PAD",
      { type: "PadOptions" },
      [fed("float32", [1, 1], [7]), constant("int32", [2, 2], [1, 0, 0, 1])],
      out("float32", [2, 2]),
      [0, 0, 7, 0],
    );
  });
  test("MEAN float over axes [1, 2], keepDims false", () => {
    expectOp(
      "MEAN",
      { type: "ReducerOptions", keepDims: false },
      [fed("float32", [1, 2, 2, 1], [1, 2, 3, 4]), constant("int32", [2], [1, 2])],
      out("float32", [1, 1]),
      [2.5],
      { shape: [1, 1] },
    );
  });
  test("MEAN int8: 1/n folded into the multiplier; 11/4 → 3 and 2/3 → 1", () => {
    // n = 4: M = 2^30, shift 1; k = 2 → M' = 2^32/4 = 2^30, shift' = −1: SRDHM(11, 2^30) = 6, RDBP(6, 1) = 3.
    expectOp(
      "MEAN",
      { type: "ReducerOptions", keepDims: true },
      [fed("int8", [1, 2, 2, 1], [1, 2, 3, 5], [1, 0]), constant("int32", [2], [1, 2])],
      out("int8", [1, 1, 1, 1], [1, 0]),
      [3],
      { shape: [1, 1, 1, 1] },
    );
    // n = 3: k = 1 → M' = ⌊2^31/3⌋ = 715827882, shift' = 0: SRDHM(2, M') = round(0.667) = 1.
    expectOp(
      "MEAN",
      { type: "ReducerOptions", keepDims: true },
      [fed("int8", [1, 1, 3, 1], [1, 1, 0], [1, 0]), constant("int32", [2], [1, 2])],
      out("int8", [1, 1, 1, 1], [1, 0]),
      [1],
    );
  });

  test("MEAN int8 of an empty batch is empty; over an empty axis it is a ShapeError", () => {
    const mean = (shape: number[], outShape: number[]): NDArray =>
      runOp(
        "MEAN",
        { type: "ReducerOptions", keepDims: true },
        [
          { dtype: "int8", shape, quant: [1, 0] },
          { dtype: "int32", shape: [2], data: Int32Array.from([1, 2]) },
        ],
        { dtype: "int8", shape: outShape, quant: [1, 0] },
      );
    assert.deepEqual(mean([0, 2, 2, 1], [0, 1, 1, 1]).shape, [0, 1, 1, 1]);
    assert.throws(() => mean([1, 0, 2, 1], [1, 1, 1, 1]), ShapeError);
  });
});
