// The batched float executor used by calibration (kernel/src/converter/batched.ts) against the
// interpreter, its specification: every float tensor of every sample bit-identical, and so every
// calibrated range, scale and zero point equal, on the fixture models and on single ops whose
// geometry exercises the edges (padding taps, strides, dilation, channel counts that are not a
// multiple of the SIMD block, row counts that are not a multiple of 4, fallbacks).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { BuiltinOptions, Model } from "../../kernel/src/ir";
import { calibrate, type CalibrationMethod } from "../../kernel/src/calib/calibrate";
import { BatchedFloatExecutor, copyInto } from "../../kernel/src/calib/batched";
import { SimdArena } from "../../kernel/src/calib/simdGemm";
import { Interpreter } from "../../kernel/src/interpreter/interpreter";
import { buildModel, type TensorSpec } from "../../kernel/src/interpreter/testing";
import { readModel } from "../../kernel/src/tflite/reader";
import { type Family, floatBytes, representative } from "./helpers";

/** Deterministic values in [−1, 1) (a 32-bit LCG), so failures reproduce. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Same float32 bits (so −0 ≠ +0 and NaN = NaN), reporting the first difference. */
function assertSameBits(a: Float32Array, b: Float32Array, what: string): void {
  assert.equal(a.length, b.length, `${what}: length`);
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) {
    if (ua[i] !== ub[i]) assert.fail(`${what}: element ${i} is ${b[i]}, the interpreter's ${a[i]}`);
  }
}

/**
 * Run `samples` (one input each, of `shape` with batch 1) through the interpreter one by one and
 * through the executor stacked, and compare every float32 tensor of every sample bit for bit.
 */
function assertAgrees(model: Model, shape: number[], samples: Float32Array[]): void {
  const it = new Interpreter({ model });
  it.allocateTensors();
  const input = model.subgraphs[0].inputs[0] ?? 0;
  const executor = new BatchedFloatExecutor(model);
  assert.ok(executor.batchSeparable([shape]), "the model's ops keep samples apart");
  executor.prepare([[samples.length, ...shape.slice(1)]]);
  samples.forEach((x, i) => copyInto(executor.tensor(input).data, i * x.length, x));
  executor.run();
  const floats = model.subgraphs[0].tensors.flatMap((t, i) => (t.type === "float32" ? [i] : []));
  samples.forEach((x, s) => {
    it.setTensor(input, x);
    it.invoke();
    for (const index of floats) {
      const expected = it.getTensor(index).data;
      const all = executor.tensor(index).data;
      assert.ok(expected instanceof Float32Array && all instanceof Float32Array);
      const slice = executor.isConstant(index)
        ? all
        : all.subarray(s * expected.length, (s + 1) * expected.length);
      const name = model.subgraphs[0].tensors[index]?.name ?? String(index);
      assertSameBits(expected, slice, `sample ${s}, tensor '${name}'`);
    }
  });
}

/** A one-op model: input [1, …inShape], constants, output; returns it with the input shape. */
function oneOp(
  op: Parameters<typeof buildModel>[1][number]["op"],
  options: BuiltinOptions,
  inShape: number[],
  constants: TensorSpec[],
  outShape: number[],
): Model {
  const tensors: TensorSpec[] = [
    { dtype: "float32", shape: inShape, name: "x" },
    ...constants,
    { dtype: "float32", shape: outShape, name: "y" },
  ];
  return buildModel(tensors, [
    {
      op,
      inputs: tensors.slice(0, -1).map((_, i) => i),
      outputs: [tensors.length - 1],
      options,
    },
  ]);
}

function conv(
  [h, w, inC]: number[],
  [outC, kH, kW]: number[],
  o: {
    padding: "SAME" | "VALID";
    stride: number;
    dilation: number;
    act: "NONE" | "RELU" | "RELU6";
  },
  seed: number,
): Model {
  return oneOp(
    "CONV_2D",
    {
      type: "Conv2DOptions",
      padding: o.padding,
      strideW: o.stride,
      strideH: o.stride,
      fusedActivationFunction: o.act,
      dilationWFactor: o.dilation,
      dilationHFactor: o.dilation,
      quantizedBiasType: 0,
    },
    [1, h, w, inC],
    [
      { dtype: "float32", shape: [outC, kH, kW, inC], data: values(outC * kH * kW * inC, seed) },
      { dtype: "float32", shape: [outC], data: values(outC, seed + 1) },
    ],
    [1, h, w, outC],
  );
}

const samplesOf = (n: number, size: number, seed: number): Float32Array[] =>
  Array.from({ length: n }, (_, i) => values(size, seed + 17 * i));

describe("SIMD gemm", () => {
  test("each entry is the float32 sum in k order, f32(s + f32(a·b)), then clamp(f32(s + bias)), bit for bit", () => {
    const arena = SimdArena.create();
    assert.ok(arena !== null, "Node 20 has WebAssembly SIMD");
    for (const [rows, k, cols, lo, hi] of [
      [4, 1, 8, -Infinity, Infinity],
      [8, 9, 16, 0, Infinity],
      [12, 288, 32, 0, 6],
      [64, 37, 24, -1, 1],
    ] as const) {
      arena.reset();
      const a = arena.alloc(rows * k);
      const b = arena.alloc(k * cols);
      const c = arena.alloc(rows * cols);
      const bias = arena.alloc(cols);
      const A = values(rows * k, rows + k);
      const B = values(k * cols, cols);
      const bs = values(cols, 7).map((v) => v * 2);
      arena.f32(a, rows * k).set(A);
      arena.f32(b, k * cols).set(B);
      arena.f32(bias, cols).set(bs);
      arena.gemm(a, b, c, rows, k, cols, bias, lo, hi);
      const C = arena.f32(c, rows * cols);
      const expected = new Float32Array(rows * cols);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let i = 0; i < k; i++)
            s = Math.fround(s + Math.fround(A[r * k + i] * B[i * cols + j]));
          const v = Math.fround(s + (bs[j] ?? 0));
          expected[r * cols + j] = v < lo ? lo : v > hi ? hi : v;
        }
      }
      assertSameBits(expected, C, `gemm ${rows}x${k}x${cols} clamped to [${lo}, ${hi}]`);
    }
  });

  test("fmac: acc = f32(acc + f32(x·w)) element by element, vector part and scalar rest", () => {
    const arena = SimdArena.create();
    assert.ok(arena !== null);
    for (const n of [1, 3, 4, 7, 256, 259]) {
      arena.reset();
      const acc = arena.alloc(n);
      const x = arena.alloc(n);
      const w = arena.alloc(n);
      const A = values(n, n);
      const X = values(n, n + 1);
      const W = values(n, n + 2);
      arena.f32(acc, n).set(A);
      arena.f32(x, n).set(X);
      arena.f32(w, n).set(W);
      arena.fmac(acc, x, w, n);
      const expected = A.map((v, j) => Math.fround(v + Math.fround((X[j] ?? 0) * (W[j] ?? 0))));
      assertSameBits(expected, arena.f32(acc, n), `fmac of ${n}`);
    }
  });
});

describe("BatchedFloatExecutor equals the interpreter tensor for tensor", () => {
  for (const family of ["cnn", "everyop"] as Family[]) {
    test(`${family} fixture, 7 samples stacked (not a multiple of 4 rows)`, () => {
      const model = readModel(floatBytes(family));
      const data = representative(family, 7).map((s) => {
        const x = s[0];
        assert.ok(x !== undefined && !Array.isArray(x) && !ArrayBuffer.isView(x));
        assert.ok(x.data instanceof Float32Array);
        return x.data;
      });
      assertAgrees(model, family === "cnn" ? [1, 28, 28] : [1, 28, 28, 1], data);
    });
  }

  test("CONV_2D: SAME and VALID padding, strides, dilation, 1–5 input and 3–17 output channels", () => {
    const cases: [number[], number[], Parameters<typeof conv>[2]][] = [
      [[9, 7, 1], [3, 3, 3], { padding: "SAME", stride: 1, dilation: 1, act: "NONE" }],
      [[8, 8, 5], [17, 3, 2], { padding: "SAME", stride: 2, dilation: 1, act: "RELU" }],
      [[11, 10, 3], [8, 3, 3], { padding: "SAME", stride: 1, dilation: 2, act: "RELU6" }],
      [[6, 9, 2], [9, 1, 1], { padding: "VALID", stride: 1, dilation: 1, act: "NONE" }],
      [[10, 10, 4], [5, 5, 5], { padding: "VALID", stride: 3, dilation: 1, act: "RELU" }],
    ];
    cases.forEach(([input, filter, o], i) => {
      const model = conv(input, filter, o, 100 + i);
      // The output shape written in the model does not matter: prepare computes it.
      assertAgrees(
        model,
        [1, ...input],
        samplesOf(
          5,
          input.reduce((p, d) => p * d, 1),
          i,
        ),
      );
    });
  });

  test("FULLY_CONNECTED: 1, 3 and 9 rows per sample (keepNumDims), 1 to 19 units", () => {
    for (const [rows, depth, units] of [
      [1, 5, 1],
      [3, 33, 19],
      [9, 8, 8],
    ] as const) {
      const model = oneOp(
        "FULLY_CONNECTED",
        {
          type: "FullyConnectedOptions",
          fusedActivationFunction: "RELU",
          weightsFormat: 0,
          keepNumDims: true,
          asymmetricQuantizeInputs: false,
          quantizedBiasType: 0,
        },
        [1, rows, depth],
        [
          { dtype: "float32", shape: [units, depth], data: values(units * depth, units) },
          { dtype: "float32", shape: [units], data: values(units, depth) },
        ],
        [1, rows, units],
      );
      assertAgrees(model, [1, rows, depth], samplesOf(6, rows * depth, units));
    }
  });

  test("DEPTHWISE_CONV_2D (multiplier 1, and 2 through the interpreter's kernel), pooling with SAME padding", () => {
    // Multiplier 1 with horizontal stride 1 takes the SIMD row path, the others the JS loop or
    // the interpreter's kernel.
    for (const [multiplier, strideW] of [
      [1, 1],
      [1, 2],
      [2, 1],
    ]) {
      const model = oneOp(
        "DEPTHWISE_CONV_2D",
        {
          type: "DepthwiseConv2DOptions",
          padding: "SAME",
          strideW,
          strideH: 1,
          depthMultiplier: multiplier,
          fusedActivationFunction: "RELU6",
          dilationWFactor: 2,
          dilationHFactor: 2,
        },
        [1, 7, 8, 3],
        [
          { dtype: "float32", shape: [1, 3, 3, 3 * multiplier], data: values(27 * multiplier, 5) },
          { dtype: "float32", shape: [3 * multiplier], data: values(3 * multiplier, 6) },
        ],
        [1, 7, 8, 3 * multiplier],
      );
      assertAgrees(model, [1, 7, 8, 3], samplesOf(3, 7 * 8 * 3, multiplier + strideW));
    }
    for (const op of ["AVERAGE_POOL_2D", "MAX_POOL_2D"] as const) {
      const model = oneOp(
        op,
        {
          type: "Pool2DOptions",
          padding: "SAME",
          strideW: 2,
          strideH: 2,
          filterWidth: 3,
          filterHeight: 2,
          fusedActivationFunction: "NONE",
        },
        [1, 7, 5, 6],
        [],
        [1, 4, 3, 6],
      );
      assertAgrees(model, [1, 7, 5, 6], samplesOf(4, 7 * 5 * 6, 9));
    }
  });

  test("ADD, MUL (equal shapes; broadcasting through the interpreter's kernel), LOGISTIC and TANH over their cut-offs", () => {
    const wide = (n: number, seed: number): Float32Array => values(n, seed).map((v) => v * 40);
    const model = buildModel(
      [
        { dtype: "float32", shape: [1, 4, 6], name: "x" },
        { dtype: "float32", shape: [1, 4, 6], name: "logistic" },
        { dtype: "float32", shape: [1, 4, 6], name: "tanh" },
        { dtype: "float32", shape: [1, 4, 6], name: "sum" },
        { dtype: "float32", shape: [1, 1, 6], data: values(6, 3), name: "row" },
        { dtype: "float32", shape: [1, 4, 6], name: "product" },
      ],
      [
        { op: "LOGISTIC", inputs: [0], outputs: [1] },
        { op: "TANH", inputs: [0], outputs: [2] },
        {
          op: "ADD",
          inputs: [1, 2],
          outputs: [3],
          options: { type: "AddOptions", fusedActivationFunction: "RELU", potScaleInt16: true },
        },
        {
          op: "MUL",
          inputs: [3, 4],
          outputs: [5],
          options: { type: "MulOptions", fusedActivationFunction: "NONE" },
        },
      ],
    );
    assertAgrees(model, [1, 4, 6], [wide(24, 1), wide(24, 2), wide(24, 3)]);
  });
});

describe("calibrate: the batched executor gives the interpreter's results", () => {
  const methods: [CalibrationMethod, number][] = [
    ["minmax", 100],
    ["movingAverage", 40],
    ["histogram", 40],
  ];
  for (const family of ["cnn", "everyop"] as Family[]) {
    for (const [method, n] of methods) {
      test(`${family}, ${method}, ${n} samples: every tensor's min, max, range, qparams, count, shape and histogram`, async () => {
        const model = readModel(floatBytes(family));
        const data = representative(family, n);
        const options = { method, keepHistograms: method !== "minmax" };
        const a = await calibrate(model, data, { ...options, executor: "interpreter" });
        // A chunk size that leaves a remainder (n = 100 or 40, chunks of 13 → 8 and 4 chunks).
        const b = await calibrate(model, data, { ...options, executor: "batched", chunkSize: 13 });
        assert.equal(b.samples, a.samples);
        assert.deepEqual(
          b.tensors.map((t) => t.name),
          a.tensors.map((t) => t.name),
        );
        a.tensors.forEach((t, i) => assert.deepEqual(b.tensors[i], t, `tensor '${t.name}'`));
      });
    }
  }

  test("a model whose op mixes samples (MEAN over axis 0) runs one sample per chunk, same results", async () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [1, 3], name: "x" },
        { dtype: "int32", shape: [1], data: new Int32Array([0]), name: "axis" },
        { dtype: "float32", shape: [3], name: "mean" },
      ],
      [
        {
          op: "MEAN",
          inputs: [0, 1],
          outputs: [2],
          options: { type: "ReducerOptions", keepDims: false },
        },
      ],
    );
    const executor = new BatchedFloatExecutor(model);
    assert.equal(executor.batchSeparable([[1, 3]]), false);
    const data = samplesOf(5, 3, 4).map((x) => [x]);
    const a = await calibrate(model, data, { executor: "interpreter" });
    const b = await calibrate(model, data, { executor: "batched" });
    a.tensors.forEach((t, i) => assert.deepEqual(b.tensors[i], t, `tensor '${t.name}'`));
  });

  test("a RESHAPE to a fixed shape that a larger batch cannot take: one sample per chunk, same results", async () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [1, 8], name: "x" },
        { dtype: "int32", shape: [2], data: new Int32Array([4, 2]), name: "shape" },
        { dtype: "float32", shape: [4, 2], name: "y" },
      ],
      [{ op: "RESHAPE", inputs: [0, 1], outputs: [2] }],
    );
    assert.equal(new BatchedFloatExecutor(model).batchSeparable([[1, 8]]), false);
    const data = samplesOf(3, 8, 2).map((x) => [x]);
    const a = await calibrate(model, data, { executor: "interpreter" });
    const b = await calibrate(model, data, { executor: "batched" });
    a.tensors.forEach((t, i) => assert.deepEqual(b.tensors[i], t, `tensor '${t.name}'`));
  });

  test("a generator that refills one buffer for every sample: each sample is observed as yielded", async () => {
    const model = readModel(floatBytes("cnn"));
    const images = representative("cnn", 9);
    function* refilled(): Generator<[Float32Array]> {
      const buffer = new Float32Array(784);
      for (const [x] of images) {
        assert.ok(x !== undefined && !Array.isArray(x) && !ArrayBuffer.isView(x));
        assert.ok(x.data instanceof Float32Array);
        buffer.set(x.data);
        yield [buffer];
      }
    }
    const a = await calibrate(model, refilled, { executor: "interpreter" });
    const b = await calibrate(model, refilled, { executor: "batched", chunkSize: 4 });
    a.tensors.forEach((t, i) => assert.deepEqual(b.tensors[i], t, `tensor '${t.name}'`));
  });

  test("samples of different shapes (a batch of 2, then batches of 1) chunk apart, same results", async () => {
    const model = readModel(floatBytes("cnn"));
    const one = representative("cnn", 5);
    const first = one[0]?.[0];
    const second = one[1]?.[0];
    assert.ok(first !== undefined && second !== undefined);
    assert.ok(!Array.isArray(first) && !ArrayBuffer.isView(first));
    assert.ok(!Array.isArray(second) && !ArrayBuffer.isView(second));
    assert.ok(first.data instanceof Float32Array && second.data instanceof Float32Array);
    const pair = new Float32Array(2 * 784);
    pair.set(first.data);
    pair.set(second.data, 784);
    const data = [[{ data: pair, shape: [2, 28, 28] }], ...one.slice(2)];
    const a = await calibrate(model, data, { executor: "interpreter" });
    const b = await calibrate(model, data, { executor: "batched" });
    a.tensors.forEach((t, i) => assert.deepEqual(b.tensors[i], t, `tensor '${t.name}'`));
  });
});
