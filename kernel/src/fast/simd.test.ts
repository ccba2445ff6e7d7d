/**
 * The WebAssembly SIMD kernels (./wasm) against tfjs's stock kernels on randomized shapes whose
 * sizes are not multiples of the vector width (4) or of the GEMM tile (4 rows × 8 columns), so
 * every tail path runs; the same cases with SIMD switched off check the TypeScript fallbacks.
 * Also: the committed module equals a fresh build of ./wasm/kernels.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { assertDepthwiseMatchesStock, assertMatchesStock, randomTensor, rng } from "./testing";
import { WASM_BASE64 } from "./wasm/binary";
import { buildModule } from "./wasm/kernels";
import { setSimdEnabled, simd, simdGemm, writeMatrix } from "./wasm/runtime";
import { gemm } from "./gemm";

tf.setBackend("cpu");

const int = (r: () => number, lo: number, hi: number): number =>
  lo + Math.floor(r() * (hi - lo + 1));

test("the committed module (wasm/binary.ts) is a fresh build of wasm/kernels.ts", () => {
  assert.equal(
    WASM_BASE64,
    Buffer.from(buildModule()).toString("base64"),
    "run `npm run wasm -w tsquant`",
  );
  assert.ok(simd() !== null, "WebAssembly SIMD is available in this Node");
});

test("SIMD GEMM (plain and A-transposed) equals the float64-accumulating TypeScript GEMM", () => {
  const r = rng(11);
  for (let c = 0; c < 60; c++) {
    const [m, n, k] = [int(r, 1, 23), int(r, 1, 21), int(r, 0, 40)];
    const A = Float32Array.from({ length: m * k }, () => r(-1, 1));
    const B = Float32Array.from({ length: k * n }, () => r(-1, 1));
    const expected = new Float32Array(m * n);
    gemm(
      m,
      n,
      k,
      { data: A, offset: 0, rowStride: k },
      { data: B, offset: 0, rowStride: n },
      { data: expected, offset: 0, rowStride: n },
    );
    // Aᵀ stored k×m for the transposed variant.
    const At = new Float32Array(m * k);
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) At[p * m + i] = A[i * k + p];
    for (const transposedA of [false, true]) {
      const got = simdGemm(
        m,
        n,
        k,
        (a) => a.set(transposedA ? At : A),
        (b, ld) => writeMatrix(b, ld, B, 0, k, n, false),
        { transposedA },
      );
      assert.ok(got !== null);
      assert.equal(got.length, m * n);
      for (let i = 0; i < m * n; i++) {
        assert.ok(
          Math.abs(got[i] - expected[i]) <= 1e-5 * Math.max(1, k),
          `m=${m} n=${n} k=${k} transposedA=${transposedA}: [${i}] ${got[i]} vs ${expected[i]}`,
        );
      }
    }
  }
});

test("Conv2D on a batch whose patches exceed one SIMD chunk (images in chunks) equals stock", () => {
  const r = rng(16);
  tf.tidy(() =>
    assertMatchesStock(
      "Conv2D",
      { x: randomTensor([21, 60, 61, 8], r), filter: randomTensor([3, 3, 8, 3], r) },
      { strides: 1, pad: "valid", dataFormat: "NHWC", dilations: 1 },
    ),
  );
});

for (const on of [true, false]) {
  describe(`kernels with SIMD ${on ? "on" : "off"} equal stock on large odd shapes`, () => {
    test("Conv2D, Conv2DBackpropFilter/Input (batch-wide GEMMs, patch cache), 25 cases", () => {
      setSimdEnabled(on);
      const r = rng(on ? 12 : 13);
      for (let c = 0; c < 25; c++) {
        const kH = int(r, 1, 4);
        const kW = int(r, 1, 4);
        const dilation = r() < 0.3 ? 2 : 1;
        const stride = dilation > 1 ? 1 : int(r, 1, 2);
        const strides: [number, number] = [stride, stride];
        const pad = (["same", "valid", 1] as const)[int(r, 0, 2)];
        const xShape: [number, number, number, number] = [
          int(r, 1, 5),
          int(r, (kH - 1) * dilation + 1, 15),
          int(r, (kW - 1) * dilation + 1, 15),
          int(r, 1, 7),
        ];
        const filterShape: [number, number, number, number] = [kH, kW, xShape[3], int(r, 1, 13)];
        const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilation, pad);
        tf.tidy(() => {
          const x = randomTensor(xShape, r);
          const filter = randomTensor(filterShape, r);
          const attrs = { strides, pad, dataFormat: "NHWC" as const };
          assertMatchesStock("Conv2D", { x, filter }, { ...attrs, dilations: dilation });
          if (dilation === 1) {
            const dy = randomTensor(info.outShape, r);
            // Twice: the second run takes the patches from the cache.
            for (let rep = 0; rep < 2; rep++) {
              assertMatchesStock("Conv2DBackpropFilter", { x, dy }, { ...attrs, filterShape });
            }
            assertMatchesStock(
              "Conv2DBackpropInput",
              { dy, filter },
              { ...attrs, inputShape: xShape },
            );
          }
        });
      }
      setSimdEnabled(true);
    });

    test("DepthwiseConv2dNative and its gradients, 16 cases: odd channel counts, multipliers 1–4", () => {
      setSimdEnabled(on);
      const r = rng(on ? 22 : 23);
      for (let c = 0; c < 16; c++) {
        const k = int(r, 1, 5);
        const dilation = r() < 0.25 ? 2 : 1;
        const stride = dilation > 1 ? 1 : int(r, 1, 2);
        const strides: [number, number] = [stride, int(r, 1, stride)];
        const pad = (["same", "valid", 1] as const)[int(r, 0, dilation > 1 ? 1 : 2)];
        const xShape: [number, number, number, number] = [
          int(r, 1, 6),
          int(r, (k - 1) * dilation + 1, 21),
          int(r, (k - 1) * dilation + 1, 21),
          int(r, 1, 13),
        ];
        const filterShape: [number, number, number, number] = [k, k, xShape[3], int(r, 1, 4)];
        assertDepthwiseMatchesStock(xShape, filterShape, strides, pad, dilation, r);
      }
      setSimdEnabled(true);
    });

    test("Mean and Sum over [0,1,2], [1,2], [3], [0,2]; Tile; middle-axis broadcasts (BatchNorm and pooling sizes)", () => {
      setSimdEnabled(on);
      const r = rng(on ? 24 : 25);
      for (const shape of [
        [64, 24, 24, 8],
        [9, 13, 11, 7],
      ]) {
        tf.tidy(() => {
          const x = randomTensor(shape, r).add(0.5);
          for (const axis of [[0, 1, 2], [1, 2], [3], [0, 2]]) {
            for (const keepDims of [false, true]) {
              assertMatchesStock("Mean", { x }, { axis, keepDims });
              assertMatchesStock("Sum", { x }, { axis, keepDims });
            }
          }
          const c = shape[3];
          assertMatchesStock(
            "Tile",
            { x: randomTensor([1, 1, 1, c], r) },
            { reps: [...shape.slice(0, 3), 1] },
          );
          assertMatchesStock("Tile", { x }, { reps: [1, 2, 1, 3] });
          const perImage = randomTensor([shape[0], 1, 1, c], r);
          const perRow = randomTensor([shape[0], shape[1], 1, 1], r);
          for (const op of ["Add", "Sub", "Multiply", "RealDiv"]) {
            assertMatchesStock(op, { a: perImage, b: x }, {});
            assertMatchesStock(op, { a: x, b: perRow }, {});
          }
        });
      }
      setSimdEnabled(true);
    });

    test("BatchMatMul/_FusedMatMul with transposes; Relu, Step, binary ops, Sum, MaxPool", () => {
      setSimdEnabled(on);
      const r = rng(on ? 14 : 15);
      for (let c = 0; c < 12; c++) {
        const [m, n, k] = [int(r, 1, 37), int(r, 1, 45), int(r, 1, 70)];
        const transposeA = r() < 0.5;
        const transposeB = r() < 0.5;
        tf.tidy(() => {
          const a = randomTensor(transposeA ? [k, m] : [m, k], r);
          const b = randomTensor(transposeB ? [n, k] : [k, n], r);
          assertMatchesStock("BatchMatMul", { a, b }, { transposeA, transposeB });
          assertMatchesStock(
            "_FusedMatMul",
            { a, b, bias: randomTensor([n], r) },
            { transposeA, transposeB, activation: "relu" },
          );
        });
      }
      for (let c = 0; c < 8; c++) {
        const shape = [int(r, 1, 9), int(r, 5, 31), int(r, 5, 31), int(r, 1, 13)];
        tf.tidy(() => {
          // Some exact zeros, NaN and ±∞ so the branch-free selects see every case.
          const x = randomTensor(shape, r)
            .round()
            .add(randomTensor(shape, r).mul(0.5))
            .where(randomTensor(shape, r).greater(-0.98), tf.scalar(NaN))
            .where(randomTensor(shape, r).greater(-0.98), tf.scalar(-Infinity));
          const y = randomTensor(shape, r);
          assertMatchesStock("Relu", { x }, {});
          assertMatchesStock("Step", { x }, { alpha: 0.3 });
          const last = randomTensor([shape[3]], r);
          const tail = randomTensor(shape.slice(2), r);
          for (const op of ["Add", "Sub", "Multiply", "RealDiv"]) {
            assertMatchesStock(op, { a: x, b: y }, {});
            assertMatchesStock(op, { a: y, b: last }, {});
            assertMatchesStock(op, { a: tail, b: y }, {});
            assertMatchesStock(op, { a: tf.scalar(1.5), b: y }, {});
            assertMatchesStock(op, { a: y, b: tf.scalar(-0.5) }, {});
          }
          assertMatchesStock("Sum", { x: y }, { axis: [0, 1, 2], keepDims: false });
          assertMatchesStock("Sum", { x: y }, { axis: [0], keepDims: true });
          const pool = {
            filterSize: [int(r, 1, 3), int(r, 1, 3)],
            strides: [int(r, 1, 3), int(r, 1, 2)],
          };
          for (const pad of ["same", "valid"] as const) {
            const xr = y.mul(2).round(); // ties
            assertMatchesStock("MaxPool", { x: xr }, { ...pool, pad });
            const out = tf.maxPool(
              xr as tf.Tensor4D,
              pool.filterSize as [number, number],
              pool.strides as [number, number],
              pad,
            );
            assertMatchesStock(
              "MaxPoolGrad",
              { dy: randomTensor(out.shape, r), input: xr, output: out },
              { ...pool, pad },
            );
          }
        });
      }
      setSimdEnabled(true);
    });
  });
}
