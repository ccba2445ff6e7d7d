import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ARGMAX_MATCH, SOFTMAX_CE, SOFTMAX_CE_GRAD, argmaxMatch } from "./loss";
import { disableFastKernels, enableFastKernels } from "./registry";
import { assertClose, randomTensor, rng } from "./testing";

tf.setBackend("cpu");

/** Loss value and its gradients with respect to labels and logits. */
function lossAndGrads(labels: tf.Tensor, logits: tf.Tensor, dyScale: number): Float32Array[] {
  return tf.tidy(() => {
    const f = (l: tf.Tensor, z: tf.Tensor): tf.Scalar =>
      tf.losses.softmaxCrossEntropy(l, z).mul(dyScale) as tf.Scalar;
    const { value, grads } = tf.valueAndGrads(f)([labels, logits]);
    return [value, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

test("fused softmax cross-entropy: value and both gradients equal stock (1e-5) on 30 random cases, wide logit ranges", () => {
  const r = rng(51);
  for (let c = 0; c < 30; c++) {
    const n = 1 + Math.floor(r() * 40);
    const k = 2 + Math.floor(r() * 12);
    tf.tidy(() => {
      const range = [1, 10, 80][c % 3];
      const logits = randomTensor([n, k], r).mul(range);
      // One-hot rows, and (every 4th case) soft labels that need not sum to one.
      const labels =
        c % 4 === 3
          ? randomTensor([n, k], r).abs()
          : tf
              .oneHot(
                tf.tensor1d(
                  Array.from({ length: n }, () => Math.floor(r() * k)),
                  "int32",
                ),
                k,
              )
              .toFloat();
      const dyScale = r() * 3 - 1;
      disableFastKernels();
      const stock = lossAndGrads(labels, logits, dyScale);
      enableFastKernels();
      const fast = lossAndGrads(labels, logits, dyScale);
      // Stock float32 loses the logits' absolute precision when it subtracts logsumexp
      // (ulp(80) ≈ 8e-6); the kernel's float64 sums do not: allow a few of those ulps.
      const ulps = (4 * range * Math.abs(dyScale)) / 2 ** 23;
      ["loss", "dlabels", "dlogits"].forEach((name, i) =>
        assertClose(fast[i], stock[i], `case ${c} [${n}, ${k}] ${name}`, 1e-5, ulps),
      );
    });
  }
});

test("the fused loss runs two kernels (forward, logits gradient); weights, smoothing or another reduction run stock", async () => {
  enableFastKernels();
  const r = rng(52);
  const logits = tf.variable(randomTensor([8, 5], r));
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2], "int32"), 5).toFloat();
  const profile = async (f: () => tf.Scalar): Promise<string[]> =>
    (
      await tf.profile(() => {
        const { value, grads } = tf.variableGrads(f);
        return [value, ...Object.values(grads)];
      })
    ).kernels
      .map((k) => k.name)
      .filter((name) => name !== "Identity"); // the engine's clones of saved tensors
  const fused = await profile(() => tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar);
  assert.deepEqual(fused, [SOFTMAX_CE, SOFTMAX_CE_GRAD], fused.join(", "));
  const others: [string, () => tf.Scalar][] = [
    ["weights", () => tf.losses.softmaxCrossEntropy(labels, logits, tf.ones([8])) as tf.Scalar],
    ["smoothing", () => tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0.1) as tf.Scalar],
    [
      "sum reduction",
      () =>
        tf.losses.softmaxCrossEntropy(labels, logits, undefined, 0, tf.Reduction.SUM) as tf.Scalar,
    ],
  ];
  for (const [label, f] of others) {
    const names = await profile(f);
    assert.ok(!names.includes(SOFTMAX_CE), `${label}: ${names.join(", ")}`);
    const fast = tf.tidy(() => f().dataSync()[0]);
    disableFastKernels();
    const stock = tf.tidy(() => f().dataSync()[0]);
    enableFastKernels();
    assert.equal(fast, stock, label);
  }
  tf.dispose([logits, labels]);
});

test("argmaxMatch equals argMax/equal/cast: ties take the first maximum, NaN never wins", async () => {
  const a = tf.tensor2d([
    [0, 1, 1],
    [2, 2, 0],
    [NaN, 1, 0],
    [1, NaN, 3],
    [NaN, NaN, NaN],
    [-1, -1, -1],
  ]);
  const b = tf.tensor2d([
    [0, 3, 0],
    [0, 5, 0],
    [0, 9, 1],
    [0, 0, 7],
    [4, 0, 0],
    [0, 0, 2],
  ]);
  const stock = tf.tidy(() => [
    ...tf.cast(tf.equal(tf.argMax(a, -1), tf.argMax(b, -1)), "float32").dataSync(),
  ]);
  enableFastKernels();
  const names = (await tf.profile(() => argmaxMatch(a, b))).kernels.map((k) => k.name);
  assert.deepEqual(names, [ARGMAX_MATCH]);
  const fast = tf.tidy(() => [...argmaxMatch(a, b).dataSync()]);
  assert.deepEqual(fast, stock);
  disableFastKernels();
  assert.deepEqual(
    tf.tidy(() => [...argmaxMatch(a, b).dataSync()]),
    stock,
    "stock path when disabled",
  );
  enableFastKernels();
  tf.dispose([a, b]);
});
