/**
 * The int16 paths that the 16x8 fixture files do not reach (power-of-two ADD, unfused RELU and
 * RELU6, power-of-two LOGISTIC/TANH input scales, SOFTMAX with β ≠ 1, fused RELU on ADD), and
 * those they do at other scales: one-op models on 4,096 pseudo-random int16 values (the full
 * range), run in tsquant's interpreter and in LiteRT's reference kernels (BUILTIN_REF); every
 * output value must be identical. Also CONV_2D and FULLY_CONNECTED with an int32 bias and
 * `quantized_bias_type` INT32 (TFLite's int32-accumulator overloads, 32-bit MBQM) next to the
 * default int64 bias, on random weights and biases large enough to reach the rounding edges.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Interpreter } from "../../kernel/src/interpreter";
import { buildModel, type TensorSpec } from "../../kernel/src/interpreter/testing";
import type { BuiltinOpName, BuiltinOptions, NDArray } from "../../kernel/src/ir";
import { writeModel } from "../../kernel/src/tflite/writer";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";
import { diff } from "./parity";

interface Case {
  op: BuiltinOpName;
  options: BuiltinOptions | null;
  inputScales: number[];
  outputScale: number;
}

const add = (potScaleInt16: boolean, fusedActivationFunction: "NONE" | "RELU"): BuiltinOptions => ({
  type: "AddOptions",
  fusedActivationFunction,
  potScaleInt16,
});

const CASES: Case[] = [
  {
    op: "ADD",
    options: add(true, "NONE"),
    inputScales: [2 ** -10, 2 ** -12],
    outputScale: 2 ** -10,
  },
  {
    op: "ADD",
    options: add(true, "RELU"),
    inputScales: [2 ** -13, 2 ** -11],
    outputScale: 2 ** -11,
  },
  { op: "ADD", options: add(false, "RELU"), inputScales: [3e-4, 7e-4], outputScale: 9e-4 },
  { op: "ADD", options: add(true, "NONE"), inputScales: [3e-4, 7e-4], outputScale: 9e-4 },
  {
    op: "MUL",
    options: { type: "MulOptions", fusedActivationFunction: "NONE" },
    inputScales: [3e-4, 7e-4],
    outputScale: 1e-4,
  },
  { op: "RELU", options: null, inputScales: [1e-3], outputScale: 2e-3 },
  { op: "RELU6", options: null, inputScales: [1e-3], outputScale: 7e-4 },
  { op: "LOGISTIC", options: null, inputScales: [2 ** -12], outputScale: 2 ** -15 },
  { op: "LOGISTIC", options: null, inputScales: [3e-4], outputScale: 2 ** -15 },
  { op: "TANH", options: null, inputScales: [2 ** -11], outputScale: 2 ** -15 },
  { op: "TANH", options: null, inputScales: [2 ** -12], outputScale: 2 ** -15 },
  { op: "TANH", options: null, inputScales: [1e-3], outputScale: 2 ** -15 },
  {
    op: "SOFTMAX",
    options: { type: "SoftmaxOptions", beta: 1 },
    inputScales: [2e-4],
    outputScale: 2 ** -15,
  },
  {
    op: "SOFTMAX",
    options: { type: "SoftmaxOptions", beta: 0.5 },
    inputScales: [3e-3],
    outputScale: 2 ** -15,
  },
];

/** 16 rows of 256 (softmax reduces over rows of 256). */
const SHAPE = [16, 256];
const SIZE = 16 * 256;

/** Input k: a multiplicative-hash walk over the whole int16 range. */
function values(k: number): Int16Array {
  return Int16Array.from(
    { length: SIZE },
    (_, i) => (((i * 2654435761 + k * 97) >>> 0) % 65536) - 32768,
  );
}

describe("int16 one-op models vs LiteRT BUILTIN_REF", { skip: !liteRTAvailable() }, () => {
  for (const c of CASES) {
    const label = `${c.op} ${JSON.stringify(c.options ?? {})} scales ${c.inputScales.join(", ")} → ${c.outputScale}`;
    test(label, async () => {
      const tensors: TensorSpec[] = [
        ...c.inputScales.map((s): TensorSpec => ({ dtype: "int16", shape: SHAPE, quant: [s, 0] })),
        { dtype: "int16", shape: SHAPE, quant: [c.outputScale, 0] },
      ];
      const inputs = c.inputScales.map((_, k) => k);
      const bytes = writeModel(
        buildModel(tensors, [{ op: c.op, inputs, outputs: [inputs.length], options: c.options }]),
      );
      const feeds: NDArray[] = inputs.map((k) => ({
        data: values(k),
        shape: SHAPE,
        dtype: "int16",
      }));
      const it = new Interpreter({ modelContent: bytes });
      it.allocateTensors();
      feeds.forEach((x, k) => it.setTensor(k, x.data));
      it.invoke();
      const ours = it.getTensor(inputs.length);
      const theirs = (await runLiteRT(bytes, feeds, { resolver: "ref" })).outputs[0];
      assert.ok(theirs !== undefined);
      const d = diff(ours, theirs);
      assert.equal(d.count, 0, `${d.count} of ${SIZE} values differ, max |Δ| ${d.maxAbs}`);
    });
  }
});

/** Deterministic pseudo-random integers in [lo, hi]. */
function randomInts(n: number, lo: number, hi: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: n }, () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return lo + (state % (hi - lo + 1));
  });
}

/** TensorType codes of the schema. */
const INT32 = 2;
const INT64 = 4;

describe(
  "int16 CONV_2D / FULLY_CONNECTED with int32 and int64 biases vs LiteRT BUILTIN_REF",
  { skip: !liteRTAvailable() },
  () => {
    for (const biasType of [INT32, INT64]) {
      const bias = (n: number, seed: number): TensorSpec => {
        const values = randomInts(n, -200000, 200000, seed);
        return {
          dtype: biasType === INT32 ? "int32" : "int64",
          shape: [n],
          data: biasType === INT32 ? Int32Array.from(values) : BigInt64Array.from(values, BigInt),
        };
      };
      const label = biasType === INT32 ? "int32 bias (quantized_bias_type INT32)" : "int64 bias";

      test(`CONV_2D 3x3 SAME, stride 2, fused RELU, ${label}`, async () => {
        const inShape = [2, 9, 9, 4];
        const outC = 6;
        const tensors: TensorSpec[] = [
          { dtype: "int16", shape: inShape, quant: [3e-4, 0] },
          {
            dtype: "int8",
            shape: [outC, 3, 3, 4],
            data: Int8Array.from(randomInts(outC * 36, -127, 127, 7)),
            quant: {
              scales: [0.01, 0.02, 0.005, 0.013, 0.03, 0.008],
              zeroPoints: Array(outC).fill(0),
              axis: 0,
            },
          },
          bias(outC, 11),
          { dtype: "int16", shape: [2, 5, 5, outC], quant: [2.5e-3, 0] },
        ];
        const options: BuiltinOptions = {
          type: "Conv2DOptions",
          padding: "SAME",
          strideW: 2,
          strideH: 2,
          fusedActivationFunction: "RELU",
          dilationWFactor: 1,
          dilationHFactor: 1,
          quantizedBiasType: biasType,
        };
        await expectSameAsLiteRT(tensors, "CONV_2D", options, inShape, 3);
      });

      test(`FULLY_CONNECTED per-channel, ${label}`, async () => {
        const inShape = [8, 64];
        const units = 10;
        const tensors: TensorSpec[] = [
          { dtype: "int16", shape: inShape, quant: [3e-4, 0] },
          {
            dtype: "int8",
            shape: [units, 64],
            data: Int8Array.from(randomInts(units * 64, -127, 127, 5)),
            quant: {
              scales: randomInts(units, 1, 40, 3).map((v) => v / 1000),
              zeroPoints: Array(units).fill(0),
              axis: 0,
            },
          },
          bias(units, 13),
          { dtype: "int16", shape: [8, units], quant: [2e-3, 0] },
        ];
        const options: BuiltinOptions = {
          type: "FullyConnectedOptions",
          fusedActivationFunction: "NONE",
          weightsFormat: 0,
          keepNumDims: false,
          asymmetricQuantizeInputs: false,
          quantizedBiasType: biasType,
        };
        await expectSameAsLiteRT(tensors, "FULLY_CONNECTED", options, inShape, 3);
      });
    }
  },
);

/** One op over tensors [input, weights, bias, output]; input 0 fed random int16 values. */
async function expectSameAsLiteRT(
  tensors: TensorSpec[],
  op: BuiltinOpName,
  options: BuiltinOptions,
  inShape: number[],
  outIndex: number,
): Promise<void> {
  const bytes = writeModel(
    buildModel(tensors, [{ op, inputs: [0, 1, 2], outputs: [outIndex], options }]),
  );
  const size = inShape.reduce((a, b) => a * b, 1);
  const x: NDArray = {
    data: Int16Array.from(randomInts(size, -32768, 32767, 1)),
    shape: inShape,
    dtype: "int16",
  };
  const it = new Interpreter({ modelContent: bytes });
  it.allocateTensors();
  it.setTensor(0, x.data);
  it.invoke();
  const ours = it.getTensor(outIndex);
  const theirs = (await runLiteRT(bytes, [x], { resolver: "ref" })).outputs[0];
  assert.ok(theirs !== undefined);
  const d = diff(ours, theirs);
  assert.equal(d.count, 0, `${d.count} of ${ours.data.length} values differ, max |Δ| ${d.maxAbs}`);
  // Not a degenerate check: the outputs spread over many values.
  assert.ok(
    new Set(Array.from(ours.data as ArrayLike<number | bigint>)).size > 20,
    "outputs barely vary",
  );
}
