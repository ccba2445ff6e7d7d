import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { ADAM, disableFastAdam, enableFastAdam } from "./adam";
import { disableFastKernels, enableFastKernels } from "./registry";
import { randomTensor, rng } from "./testing";

tf.setBackend("cpu");

/** Weights and optimizer moments after `steps` Adam steps on a small least-squares problem. */
async function train(
  fast: boolean,
  steps: number,
): Promise<{ weights: Float32Array[]; names: string[]; kernels: string[] }> {
  // Only the optimizer differs (fast matmul kernels would change the gradients' rounding).
  disableFastKernels();
  if (fast) enableFastAdam();
  const r = rng(31);
  // 37×9 = 333 elements: the SIMD path with a 1-element tail; the bias (9) the TypeScript loop.
  const w = tf.variable(randomTensor([37, 9], r));
  const b = tf.variable(randomTensor([9], r));
  const x = randomTensor([16, 37], r);
  const y = randomTensor([16, 9], r);
  const opt = tf.train.adam(0.01, 0.8, 0.95);
  const loss = (): tf.Scalar => tf.losses.meanSquaredError(y, x.matMul(w).add(b));
  let kernels: string[] = [];
  for (let s = 0; s < steps; s++) {
    const info = await tf.profile(() => {
      opt.minimize(loss);
    });
    kernels = info.kernels.map((k) => k.name);
  }
  const saved = await opt.getWeights();
  const weights = [w, b, ...saved.slice(1).map((n) => n.tensor)].map(
    (t) => t.dataSync() as Float32Array,
  );
  // Variable names are numbered per process; compare their form.
  const names = saved.map((n) => n.name.replace(/^\d+/, "#"));
  opt.dispose();
  tf.dispose([w, b, x, y]);
  return { weights, names, kernels };
}

test("fused Adam gives bit-identical weights and moments to tfjs's AdamOptimizer over 7 steps", async () => {
  const stock = await train(false, 7);
  const fast = await train(true, 7);
  assert.ok(fast.kernels.includes(ADAM), "the fused kernel ran");
  assert.ok(!stock.kernels.includes(ADAM));
  assert.deepEqual(fast.names, stock.names, "getWeights names (iter, …/m, …/v)");
  assert.equal(fast.weights.length, stock.weights.length);
  fast.weights.forEach((a, t) => {
    const e = stock.weights[t];
    for (let i = 0; i < e.length; i++)
      assert.ok(Object.is(a[i], e[i]), `tensor ${t} [${i}]: ${a[i]} vs ${e[i]}`);
  });
  disableFastAdam();
  assert.equal(tf.getKernel(ADAM, "cpu"), undefined, "disable restores the stock optimizer");
  enableFastKernels();
  assert.notEqual(tf.getKernel(ADAM, "cpu"), undefined, "enableFastKernels installs it");
  disableFastKernels();
  assert.equal(tf.getKernel(ADAM, "cpu"), undefined);
});
