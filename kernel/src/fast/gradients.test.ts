import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { RELU_GRAD } from "./gradients";
import { disableFastKernels, enableFastKernels } from "./registry";
import { randomTensor, rng } from "./testing";

tf.setBackend("cpu");

/** d/dx Σ relu(x)·w, the relu gradient on a random upstream gradient w. */
function reluGradient(x: tf.Tensor, w: tf.Tensor): Float32Array {
  return tf.tidy(
    () =>
      tf
        .grad((v: tf.Tensor) => tf.relu(v).mul(w).sum())(x)
        .dataSync() as Float32Array,
  );
}

test("fused relu gradient equals the stock dy·step(x) exactly (zeros, NaN, ±∞, small and large)", async () => {
  const r = rng(21);
  for (const shape of [[7], [3, 5, 5, 4], [2, 13, 11, 7]]) {
    tf.tidy(() => {
      const x = randomTensor(shape, r)
        .round()
        .where(randomTensor(shape, r).greater(-0.95), tf.scalar(NaN))
        .where(randomTensor(shape, r).greater(-0.95), tf.scalar(-Infinity));
      const w = randomTensor(shape, r).where(
        randomTensor(shape, r).greater(-0.95),
        tf.scalar(Infinity),
      );
      disableFastKernels();
      const stock = reluGradient(x, w);
      enableFastKernels();
      const fast = reluGradient(x, w);
      assert.equal(fast.length, stock.length);
      for (let i = 0; i < stock.length; i++) {
        assert.ok(Object.is(fast[i], stock[i]), `shape ${shape}: [${i}] ${fast[i]} vs ${stock[i]}`);
      }
    });
  }
  enableFastKernels();
  const x = tf.tensor1d([-1, 0, 2]);
  const w = tf.tensor1d([1, 1, 1]);
  const kernels = (await tf.profile(() => reluGradient(x, w))).kernels.map((k) => k.name);
  assert.ok(kernels.includes(RELU_GRAD), `fused kernel ran: ${kernels.join(", ")}`);
  assert.ok(!kernels.includes("Step"), "no Step mask");
  tf.dispose([x, w]);
  disableFastKernels();
  assert.equal(tf.getKernel(RELU_GRAD, "cpu"), undefined, "disable removes the fused kernel");
});
