/**
 * The int16 paths that the 16x8 fixture files do not reach (power-of-two ADD, unfused RELU and
 * RELU6, power-of-two LOGISTIC/TANH input scales, SOFTMAX with β ≠ 1, fused RELU on ADD), and
 * those they do at other scales: one-op models on 4,096 pseudo-random int16 values (the full
 * range), run in tsquant's interpreter and in LiteRT's reference kernels (BUILTIN_REF); every
 * output value must be identical.
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
