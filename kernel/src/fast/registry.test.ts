import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  FAST_KERNELS,
  disableFastKernels,
  enableFastKernels,
  fastKernelsEnabled,
} from "./registry";
import type { FastKernel } from "./kernel";
import {
  depthwiseConv2dNativeBackpropFilterKernel,
  depthwiseConv2dNativeBackpropInputKernel,
  depthwiseConv2dNativeKernel,
} from "./kernels/DepthwiseConv2dNative";
import { meanKernel } from "./kernels/Mean";
import { sumKernel } from "./kernels/Sum";
import { tileKernel } from "./kernels/Tile";
import { multiplyKernel } from "./kernels/binary";
import {
  assertClose,
  assertDepthwiseMatchesStock,
  assertMatchesStock,
  randomTensor,
  rng,
} from "./testing";

tf.setBackend("cpu");

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: () => number, lo: number, hi: number): number =>
  lo + Math.floor(r() * (hi - lo + 1));

describe("fast kernels equal tfjs's stock CPU kernels (1e-4 of the tensor's scale)", () => {
  test("Conv2D: 60 random shapes, strides, paddings and dilations", () => {
    const r = rng(1);
    for (let c = 0; c < 60; c++) {
      const kH = int(r, 1, 4);
      const kW = int(r, 1, 4);
      const dilation = pick(r, [1, 1, 2]);
      // tfjs forbids strides > 1 together with dilations > 1.
      const stride = dilation > 1 ? 1 : int(r, 1, 3);
      const inH = int(r, (kH - 1) * dilation + 1, 12);
      const inW = int(r, (kW - 1) * dilation + 1, 12);
      const inC = int(r, 1, 5);
      const outC = int(r, 1, 9);
      tf.tidy(() =>
        assertMatchesStock(
          "Conv2D",
          {
            x: randomTensor([int(r, 1, 3), inH, inW, inC], r),
            filter: randomTensor([kH, kW, inC, outC], r),
          },
          {
            strides: [stride, int(r, 1, stride)],
            pad: pick(r, ["same", "valid", 1] as const),
            dataFormat: "NHWC",
            dilations: [dilation, dilation],
          },
        ),
      );
    }
  });

  test("FusedConv2D (bias + linear/relu/relu6): 30 random cases", () => {
    const r = rng(12);
    for (let c = 0; c < 30; c++) {
      const k = int(r, 1, 3);
      const inC = int(r, 1, 4);
      const outC = int(r, 1, 9);
      tf.tidy(() =>
        assertMatchesStock(
          "FusedConv2D",
          {
            x: randomTensor([int(r, 1, 3), int(r, k, 10), int(r, k, 10), inC], r).mul(4),
            filter: randomTensor([k, k, inC, outC], r),
            bias: randomTensor(r() < 0.8 ? [outC] : [1], r),
          },
          {
            strides: [int(r, 1, 2), int(r, 1, 2)],
            pad: pick(r, ["same", "valid"] as const),
            dataFormat: "NHWC",
            dilations: [1, 1],
            activation: pick(r, ["linear", "relu", "relu6"]),
          },
        ),
      );
    }
  });

  test("Conv2DBackpropFilter and Conv2DBackpropInput: 60 random shapes, strides and paddings", () => {
    const r = rng(2);
    for (let c = 0; c < 60; c++) {
      const kH = int(r, 1, 4);
      const kW = int(r, 1, 4);
      const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
      const pad = pick(r, ["same", "valid", 0, 2] as const);
      const xShape: [number, number, number, number] = [
        int(r, 1, 3),
        int(r, kH, 11),
        int(r, kW, 11),
        int(r, 1, 5),
      ];
      const filterShape: [number, number, number, number] = [kH, kW, xShape[3], int(r, 1, 9)];
      const yShape = tf.backend_util.computeConv2DInfo(
        xShape,
        filterShape,
        strides,
        1,
        pad,
      ).outShape;
      tf.tidy(() => {
        const x = randomTensor(xShape, r);
        const dy = randomTensor(yShape, r);
        const filter = randomTensor(filterShape, r);
        assertMatchesStock(
          "Conv2DBackpropFilter",
          { x, dy },
          { strides, pad, dataFormat: "NHWC", filterShape },
        );
        assertMatchesStock(
          "Conv2DBackpropInput",
          { dy, filter },
          { strides, pad, dataFormat: "NHWC", inputShape: xShape },
        );
      });
    }
  });

  test("MaxPool and MaxPoolGrad: 40 random windows, strides and paddings, with ties", () => {
    const r = rng(3);
    for (let c = 0; c < 40; c++) {
      const filterSize: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
      const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
      const pad = pick(r, ["same", "valid"] as const);
      const xShape: [number, number, number, number] = [
        int(r, 1, 3),
        int(r, 3, 10),
        int(r, 3, 10),
        int(r, 1, 6),
      ];
      tf.tidy(() => {
        // Values on a coarse grid so windows hold ties: the gradient must go to the same element.
        const x = randomTensor(xShape, r).mul(2).round();
        const attrs = { filterSize, strides, pad };
        assertMatchesStock("MaxPool", { x }, attrs);
        const y = tf.maxPool(x as tf.Tensor4D, filterSize, strides, pad);
        assertMatchesStock(
          "MaxPoolGrad",
          { dy: randomTensor(y.shape, r), input: x, output: y },
          attrs,
        );
      });
    }
  });

  test("DepthwiseConv2dNative and its gradients: 50 random shapes, multipliers, strides, paddings, dilations", () => {
    const r = rng(9);
    for (let c = 0; c < 50; c++) {
      const kH = int(r, 1, 4);
      const kW = int(r, 1, 4);
      const dilation = pick(r, [1, 1, 2]);
      const stride = dilation > 1 ? 1 : int(r, 1, 3);
      const strides: [number, number] = [stride, int(r, 1, stride)];
      // tfjs sizes numeric padding with the undilated filter: only names with dilations.
      const pad = pick(
        r,
        dilation > 1 ? (["same", "valid"] as const) : (["same", "valid", 1] as const),
      );
      const xShape: [number, number, number, number] = [
        int(r, 1, 3),
        int(r, (kH - 1) * dilation + 1, 12),
        int(r, (kW - 1) * dilation + 1, 12),
        int(r, 1, 6),
      ];
      const filterShape: [number, number, number, number] = [kH, kW, xShape[3], int(r, 1, 3)];
      assertDepthwiseMatchesStock(xShape, filterShape, strides, pad, dilation, r);
    }
  });

  test("AvgPool and AvgPoolGrad: 40 random windows, strides and paddings (border windows)", () => {
    const r = rng(10);
    for (let c = 0; c < 40; c++) {
      const filterSize: [number, number] = [int(r, 1, 4), int(r, 1, 4)];
      const strides: [number, number] = [int(r, 1, 3), int(r, 1, 3)];
      const pad = pick(r, ["same", "valid", 1] as const);
      const xShape: [number, number, number, number] = [
        int(r, 1, 3),
        int(r, 4, 11),
        int(r, 4, 11),
        int(r, 1, 6),
      ];
      tf.tidy(() => {
        const x = randomTensor(xShape, r);
        const attrs = { filterSize, strides, pad };
        assertMatchesStock("AvgPool", { x }, attrs);
        const y = tf.avgPool(x as tf.Tensor4D, filterSize, strides, pad);
        assertMatchesStock("AvgPoolGrad", { dy: randomTensor(y.shape, r), input: x }, attrs);
      });
    }
  });

  test("BatchMatMul and _FusedMatMul: transposes, batch broadcast, bias, relu", () => {
    const r = rng(4);
    for (let c = 0; c < 40; c++) {
      const [m, n, k] = [int(r, 1, 9), int(r, 1, 9), int(r, 0, 9)];
      const transposeA = r() < 0.5;
      const transposeB = r() < 0.5;
      const batch = pick(r, [[], [1], [3], [2, 2]]);
      const bBatch = r() < 0.3 ? batch.map(() => 1) : batch;
      tf.tidy(() => {
        const a = randomTensor([...batch, ...(transposeA ? [k, m] : [m, k])], r);
        const b = randomTensor([...bBatch, ...(transposeB ? [n, k] : [k, n])], r);
        assertMatchesStock("BatchMatMul", { a, b }, { transposeA, transposeB });
        const bias = randomTensor([n], r);
        const activation = pick(r, ["linear", "relu"]);
        assertMatchesStock("_FusedMatMul", { a, b, bias }, { transposeA, transposeB, activation });
      });
    }
  });

  test("Add, Sub, Multiply, RealDiv: equal shapes, trailing broadcast either side, scalars", () => {
    const r = rng(5);
    const cases: [number[], number[]][] = [
      [
        [4, 5, 6],
        [4, 5, 6],
      ],
      [[2, 3, 3, 4], [4]],
      [[4], [2, 3, 3, 4]],
      [[3, 7], []],
      [[], [3, 7]],
      [
        [2, 3, 4],
        [1, 3, 4],
      ],
      [[0, 4], [4]],
    ];
    for (const op of ["Add", "Sub", "Multiply", "RealDiv"]) {
      for (const [sa, sb] of cases) {
        tf.tidy(() =>
          assertMatchesStock(op, { a: randomTensor(sa, r), b: randomTensor(sb, r) }, {}),
        );
      }
    }
  });

  test("Sum over leading and trailing axes (keepDims either way); Relu; Step", () => {
    const r = rng(6);
    const x = randomTensor([3, 4, 5, 2], r);
    for (const axis of [0, [0, 1], [0, 1, 2], 3, [2, 3], [-1], [0, 1, 2, 3]]) {
      for (const keepDims of [false, true]) assertMatchesStock("Sum", { x }, { axis, keepDims });
    }
    assertMatchesStock("Relu", { x }, {});
    assertMatchesStock("Step", { x }, { alpha: 0 });
    assertMatchesStock("Step", { x }, { alpha: 0.25 });
    x.dispose();
  });

  test("Sum and Mean over 60 random axis sets (leading, middle, trailing, alternating, negative, size-1 and size-0 axes)", () => {
    const r = rng(17);
    for (let c = 0; c < 60; c++) {
      const rank = int(r, 1, 5);
      const shape = Array.from({ length: rank }, () => pick(r, [1, 2, 3, 4, 5, 7]));
      if (c % 15 === 14) shape[int(r, 0, rank - 1)] = 0;
      const axes = shape.map((_, i) => i).filter(() => r() < 0.5);
      const axis = axes.length === 1 && r() < 0.5 ? axes[0] - rank : axes.length ? axes : [0];
      const keepDims = r() < 0.5;
      tf.tidy(() => {
        const x = randomTensor(shape, r).mul(10);
        assertMatchesStock("Sum", { x }, { axis, keepDims });
        assertMatchesStock("Mean", { x }, { axis, keepDims });
      });
    }
  });

  test("Tile: 40 random shapes and reps (reps 0 and 1 included), float32 and int32", () => {
    const r = rng(18);
    for (let c = 0; c < 40; c++) {
      const rank = int(r, 1, 4);
      const shape = Array.from({ length: rank }, () => int(r, 1, 4));
      const reps = shape.map(() => pick(r, [1, 1, 2, 3, 5]));
      if (c % 10 === 9) reps[0] = 0;
      tf.tidy(() => {
        const x = randomTensor(shape, r);
        assertMatchesStock("Tile", { x }, { reps });
        assertMatchesStock("Tile", { x: x.mul(100).round().cast("int32") }, { reps });
      });
    }
  });

  test("Add, Sub, Multiply, RealDiv: 40 random broadcasts of size-1 axes on either side", () => {
    const r = rng(19);
    for (let c = 0; c < 40; c++) {
      const rank = int(r, 1, 5);
      const shape = Array.from({ length: rank }, () => int(r, 1, 5));
      const sa = shape.map((d) => (r() < 0.35 ? 1 : d)).slice(r() < 0.3 ? 1 : 0);
      const sb = shape.map((d) => (r() < 0.35 ? 1 : d)).slice(r() < 0.3 ? int(r, 0, rank) : 0);
      const op = pick(r, ["Add", "Sub", "Multiply", "RealDiv"]);
      tf.tidy(() => assertMatchesStock(op, { a: randomTensor(sa, r), b: randomTensor(sb, r) }, {}));
    }
  });

  test("moments over [0, 1, 2] and GlobalAveragePooling's mean, and their gradients, equal stock", () => {
    const r = rng(20);
    const x = randomTensor([5, 6, 7, 3], r);
    const w = randomTensor([3], r);
    const loss = (t: tf.Tensor): tf.Scalar => {
      const { mean, variance } = tf.moments(t, [0, 1, 2]);
      return tf.mean(t, [1, 2]).mul(w).sum().add(variance.mul(w).sum()).add(mean.sum());
    };
    const run = (): Float32Array => tf.tidy(() => tf.grad(loss)(x).dataSync() as Float32Array);
    disableFastKernels();
    const expected = run();
    const expectedLoss = tf.tidy(() => loss(x).dataSync());
    enableFastKernels();
    assertClose(run(), expected, "gradient of moments + mean");
    assertClose(
      tf.tidy(() => loss(x).dataSync()),
      expectedLoss,
      "moments + mean",
    );
    disableFastKernels();
    tf.dispose([x, w]);
  });

  test("GatherV2 along axis 0 (float32 and int32 rows, repeated indices)", () => {
    const r = rng(7);
    const x = randomTensor([6, 3, 2], r);
    const xi = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], "int32");
    const indices = tf.tensor1d([5, 0, 0, 3], "int32");
    assertMatchesStock("GatherV2", { x, indices }, { axis: 0, batchDims: 0 });
    assertMatchesStock(
      "GatherV2",
      { x: xi, indices: tf.tensor2d([2, 0, 1, 1], [2, 2], "int32") },
      { axis: 0, batchDims: 0 },
    );
    tf.dispose([x, xi, indices]);
  });
});

describe("registry", () => {
  test("enable is idempotent and disable restores the stock kernels", () => {
    disableFastKernels();
    const stockConv = tf.getKernel("Conv2D", "cpu")?.kernelFunc;
    enableFastKernels();
    const fastConv = tf.getKernel("Conv2D", "cpu")?.kernelFunc;
    enableFastKernels();
    assert.equal(tf.getKernel("Conv2D", "cpu")?.kernelFunc, fastConv);
    assert.notEqual(fastConv, stockConv);
    assert.ok(fastKernelsEnabled());
    disableFastKernels();
    assert.equal(tf.getKernel("Conv2D", "cpu")?.kernelFunc, stockConv);
    assert.ok(!fastKernelsEnabled());
    assert.equal(new Set(FAST_KERNELS.map((k) => k.kernelName)).size, FAST_KERNELS.length);
  });

  test("cases a fast kernel declines run the stock kernel (int32 add and sum)", () => {
    enableFastKernels();
    tf.tidy(() => {
      assertMatchesStock("Sum", { x: tf.tensor2d([1, 2, 3, 4], [2, 2], "int32") }, { axis: [1] });
      assertMatchesStock(
        "Add",
        { a: tf.tensor1d([1, 2], "int32"), b: tf.tensor1d([3, 4], "int32") },
        {},
      );
    });
    disableFastKernels();
  });

  test("depthwise, Mean, Tile and broadcast declines: NCHW, explicit padding, non-float32, gradient dilations > 1, empty mean", () => {
    const r = rng(21);
    /** The fast kernel returns null (stock runs) and the registered kernel still equals stock. */
    const declines = (
      k: FastKernel,
      inputs: tf.NamedTensorMap,
      attrs: tf.NamedAttrMap,
      stockRuns = true,
    ): void => {
      assert.equal(
        k.run({ inputs, backend: tf.backend(), attrs }),
        null,
        `${k.kernelName} declines`,
      );
      if (stockRuns) assertMatchesStock(k.kernelName, inputs, attrs);
    };
    tf.tidy(() => {
      const x = randomTensor([2, 6, 6, 3], r);
      const filter = randomTensor([3, 3, 3, 2], r);
      const dy = randomTensor([2, 4, 4, 6], r);
      const base = { strides: [1, 1], pad: "valid", dilations: [1, 1] };
      const explicit = {
        ...base,
        pad: [
          [0, 0],
          [1, 1],
          [1, 1],
          [0, 0],
        ],
      };
      const dyExplicit = randomTensor([2, 6, 6, 6], r);
      const dilated = { ...base, dilations: [2, 2] };
      const dyDilated = randomTensor([2, 2, 2, 6], r);
      const filterShape = [3, 3, 3, 2];
      const inputShape = [2, 6, 6, 3];
      declines(depthwiseConv2dNativeKernel, { x, filter }, { ...base, dataFormat: "NCHW" }, false);
      declines(depthwiseConv2dNativeKernel, { x, filter }, explicit);
      declines(depthwiseConv2dNativeKernel, { x: x.cast("int32"), filter }, base);
      declines(
        depthwiseConv2dNativeBackpropFilterKernel,
        { x, dy: dyExplicit },
        { ...explicit, filterShape },
      );
      declines(
        depthwiseConv2dNativeBackpropFilterKernel,
        { x, dy: dyDilated },
        { ...dilated, filterShape },
        false,
      );
      declines(
        depthwiseConv2dNativeBackpropInputKernel,
        { dy: dyExplicit, filter },
        { ...explicit, inputShape },
      );
      declines(
        depthwiseConv2dNativeBackpropInputKernel,
        { dy: dyDilated, filter },
        { ...dilated, inputShape },
        false,
      );
      declines(
        depthwiseConv2dNativeBackpropInputKernel,
        { dy, filter },
        { ...base, dataFormat: "NCHW", inputShape },
        false,
      );
      declines(meanKernel, { x: x.cast("int32") }, { axis: [1, 2], keepDims: false });
      declines(meanKernel, { x: tf.zeros([0, 3]) }, { axis: [0], keepDims: false });
      declines(sumKernel, { x: x.cast("int32") }, { axis: [0], keepDims: false });
      declines(tileKernel, { x: tf.tensor1d([true, false], "bool") }, { reps: [3] });
      declines(multiplyKernel, { a: x.cast("int32"), b: tf.tensor1d([2, 3, 4], "int32") }, {});
      declines(multiplyKernel, { a: randomTensor([2, 3], r), b: randomTensor([4], r) }, {}, false);
    });
    disableFastKernels();
  });

  test("GatherV2 with an index out of range names the op and the index", () => {
    enableFastKernels();
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    assert.throws(
      () => tf.gather(x, tf.tensor1d([0, 2], "int32")),
      /GatherV2: index 2 at position 1 is not in \[0, 1\]/,
    );
    x.dispose();
    disableFastKernels();
  });
});
