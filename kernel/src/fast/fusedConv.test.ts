import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { BIAS_GRAD, CONV, FILTER_GRAD } from "./fusedConv";
import { disableFastKernels, enableFastKernels } from "./registry";
import { assertClose, randomTensor, rng } from "./testing";
import { setSimdEnabled } from "./wasm/runtime";

tf.setBackend("cpu");

const int = (r: () => number, lo: number, hi: number): number =>
  lo + Math.floor(r() * (hi - lo + 1));

type ConvArgs = Parameters<typeof tf.fused.conv2d>[0];

/** y = fused.conv2d(args) and the gradients of Σ y·w with respect to `wrt`, as plain arrays. */
function forwardAndGrads(
  args: ConvArgs,
  w: tf.Tensor,
  wrt: ("x" | "filter" | "bias")[],
): { y: Float32Array; grads: Float32Array[] } {
  return tf.tidy(() => {
    const y = tf.fused.conv2d(args);
    const f = (...xs: tf.Tensor[]): tf.Scalar => {
      const a: ConvArgs = { ...args };
      wrt.forEach((name, i) => (a[name] = xs[i] as tf.Tensor4D & tf.Tensor1D));
      return tf.fused.conv2d(a).mul(w).sum();
    };
    const inputs = wrt.map((name) => args[name] as tf.Tensor);
    const grads = tf.grads(f)(inputs);
    return {
      y: y.dataSync() as Float32Array,
      grads: grads.map((g) => g.dataSync() as Float32Array),
    };
  });
}

async function kernelNames(f: () => tf.TensorContainer): Promise<string[]> {
  return (await tf.profile(() => f())).kernels.map((k) => k.name);
}

for (const on of [true, false]) {
  describe(`fused conv + bias + relu while training (SIMD ${on ? "on" : "off"}) equals stock tfjs`, () => {
    test("forward and x/filter/bias gradients (every subset): 40 random shapes, strides, paddings, relu/linear, with and without bias", () => {
      setSimdEnabled(on);
      const r = rng(on ? 31 : 32);
      for (let c = 0; c < 40; c++) {
        const k = int(r, 1, 4);
        const inC = int(r, 1, 5);
        const outC = int(r, 1, 13);
        const xShape = [int(r, 1, 4), int(r, k, 14), int(r, k, 14), inC];
        tf.tidy(() => {
          const x = randomTensor(xShape, r).mul(3) as tf.Tensor4D;
          const filter = randomTensor([k, k, inC, outC], r) as tf.Tensor4D;
          const withBias = r() < 0.8;
          const args: ConvArgs = {
            x,
            filter,
            strides: [int(r, 1, 3), int(r, 1, 2)],
            pad: (["same", "valid", 1] as const)[int(r, 0, 2)],
            activation: r() < 0.75 ? "relu" : "linear",
            ...(withBias ? { bias: randomTensor([outC], r) as tf.Tensor1D } : {}),
          };
          const outShape = tf.backend_util.computeConv2DInfo(
            xShape as [number, number, number, number],
            [k, k, inC, outC],
            args.strides,
            1,
            args.pad as "same",
          ).outShape;
          const w = randomTensor(outShape, r);
          // Every subset the engine may ask for: bias alone misses the filter pass's stash.
          const subsets: ("x" | "filter" | "bias")[][] = withBias
            ? [["x", "filter", "bias"], ["filter", "bias"], ["bias"], ["x"], ["bias", "x"]]
            : [["x", "filter"], ["filter"], ["x"]];
          const wrt = subsets[c % subsets.length];
          disableFastKernels();
          const stock = forwardAndGrads(args, w, wrt);
          enableFastKernels();
          const fast = forwardAndGrads(args, w, wrt);
          const label = `case ${c} x[${xShape}] k${k} outC ${outC} ${JSON.stringify({ ...args, x: 0, filter: 0, bias: withBias })}`;
          assertClose(fast.y, stock.y, `${label} y`);
          fast.grads.forEach((g, i) => assertClose(g, stock.grads[i], `${label} d${wrt[i]}`));
        });
      }
      setSimdEnabled(true);
    });
  });
}

test("the fused path runs one forward kernel and no Add/Relu/Step/Sum; the bias gradient reuses the filter pass", async () => {
  enableFastKernels();
  const r = rng(41);
  const x = randomTensor([4, 9, 9, 2], r) as tf.Tensor4D;
  const filter = tf.variable(randomTensor([3, 3, 2, 5], r)) as tf.Variable<tf.Rank.R4>;
  const bias = tf.variable(randomTensor([5], r)) as tf.Variable<tf.Rank.R1>;
  const loss = (): tf.Scalar =>
    tf.fused
      .conv2d({ x, filter, bias, strides: 1, pad: "valid", activation: "relu" })
      .square()
      .sum();
  const names = await kernelNames(() => {
    const { value, grads } = tf.variableGrads(loss);
    return [value, ...Object.values(grads)];
  });
  assert.deepEqual(
    names.filter((n) => n.startsWith("Tsquant")),
    [CONV, FILTER_GRAD, BIAS_GRAD],
    names.join(", "),
  );
  for (const stock of [
    "Conv2D",
    "Add",
    "Relu",
    "Step",
    "Conv2DBackpropFilter",
    "Conv2DBackpropInput",
  ]) {
    assert.ok(!names.includes(stock), `${stock} ran: ${names.join(", ")}`);
  }
  tf.dispose([x, filter, bias]);
});

test("cases outside the fused path (relu6, elu, dilations 2, rank-3 input, [1] bias) run stock ops with stock values", async () => {
  enableFastKernels();
  const r = rng(42);
  const x4 = randomTensor([2, 8, 8, 3], r) as tf.Tensor4D;
  const filter = randomTensor([3, 3, 3, 4], r) as tf.Tensor4D;
  const cases: [string, ConvArgs][] = [
    ["relu6", { x: x4, filter, strides: 1, pad: "same", activation: "relu6" }],
    ["elu", { x: x4, filter, strides: 1, pad: "same", activation: "elu" }],
    ["dilations 2", { x: x4, filter, strides: 1, pad: "same", dilations: 2 }],
    [
      "rank 3",
      { x: x4.slice([0], [1]).squeeze([0]) as tf.Tensor3D, filter, strides: 1, pad: "valid" },
    ],
    ["bias [1]", { x: x4, filter, strides: 1, pad: "valid", bias: tf.tensor1d([0.5]) }],
  ];
  for (const [label, args] of cases) {
    const names = await kernelNames(() => tf.fused.conv2d(args));
    assert.ok(!names.includes(CONV), `${label}: ${names.join(", ")}`);
    const fast = tf.tidy(() => tf.fused.conv2d(args).dataSync() as Float32Array);
    disableFastKernels();
    const stock = tf.tidy(() => tf.fused.conv2d(args).dataSync() as Float32Array);
    enableFastKernels();
    assertClose(fast, stock, label);
  }
  tf.dispose([x4, filter]);
});

test("NaN and zero pre-activations route the gradient as stock's step(y) mask", () => {
  const x = tf.tensor4d([1, NaN, -2, 0, 3, 1, -1, 2, 0.5], [1, 3, 3, 1]);
  const filter = tf.tensor4d([1, -1, 0.5, 2], [2, 2, 1, 1]);
  const bias = tf.tensor1d([0.25]);
  const grads = (): Float32Array[] =>
    tf.tidy(() =>
      tf
        .grads((f: tf.Tensor, b: tf.Tensor) =>
          tf.fused
            .conv2d({
              x,
              filter: f as tf.Tensor4D,
              bias: b as tf.Tensor1D,
              strides: 1,
              pad: "valid",
              activation: "relu",
            })
            .sum(),
        )([filter, bias])
        .map((g) => g.dataSync() as Float32Array),
    );
  disableFastKernels();
  const stock = grads();
  enableFastKernels();
  const fast = grads();
  stock.forEach((s, i) => assert.deepEqual([...fast[i]], [...s], `gradient ${i}`));
  tf.dispose([x, filter, bias]);
});

test("disable restores tf.fused.conv2d and removes the kernels", () => {
  enableFastKernels();
  const fused = tf.fused.conv2d;
  disableFastKernels();
  assert.notEqual(tf.fused.conv2d, fused);
  for (const name of [CONV, FILTER_GRAD, BIAS_GRAD])
    assert.equal(tf.getKernel(name, "cpu"), undefined);
  enableFastKernels();
});
