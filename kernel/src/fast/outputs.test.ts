import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { RECYCLE_MIN, disableRecycling, enableRecycling, recycling } from "./outputs";
import { disableFastKernels, enableFastKernels } from "./registry";

tf.setBackend("cpu");

/** A relu output big enough to be recycled (the fast Relu copies out through `copyOf`). */
const N = RECYCLE_MIN * 2;
const big = (v: number): tf.Tensor => tf.fill([N], v);

test("a disposed output's array is reused by the next output of its length", () => {
  enableFastKernels();
  const x = big(3);
  const y = tf.relu(x);
  y.dispose();
  const before = recycling.reused;
  const z = tf.relu(x);
  assert.equal(recycling.reused, before + 1, "reused once");
  assert.equal(z.dataSync()[0], 3);
  tf.dispose([x, z]);
});

test("an array the user read (dataSync, data, array) is never recycled", async () => {
  enableFastKernels();
  const x = big(1);
  for (const read of [
    (t: tf.Tensor) => t.dataSync(),
    async (t: tf.Tensor) => t.data(),
    async (t: tf.Tensor) => (await t.array()) as number[],
  ]) {
    const y = tf.relu(x);
    const seen = await read(y);
    y.dispose();
    // The next outputs of this length must not land in `seen`.
    const others = [tf.relu(tf.neg(x)), tf.relu(x.mul(7))];
    if (seen instanceof Float32Array) {
      assert.ok(
        seen.every((v) => v === 1),
        "read values intact after later kernels",
      );
    }
    tf.dispose(others);
  }
  x.dispose();
});

test("a stock kernel's view over an output (contiguous Slice) keeps its values after the output is disposed", () => {
  enableFastKernels();
  const x = tf.range(0, N, 1, "float32");
  const y = tf.relu(x);
  const view = tf.slice(y, [RECYCLE_MIN], [16]); // stock Slice: a subarray of y's values
  y.dispose();
  const later = [tf.relu(tf.neg(x)), tf.relu(x.mul(-2))];
  assert.deepEqual(
    [...view.dataSync()],
    Array.from({ length: 16 }, (_, i) => RECYCLE_MIN + i),
  );
  tf.dispose([x, view, ...later]);
});

test("tf.tensor(values) over an output's array and a clone keep it alive", () => {
  enableFastKernels();
  const x = big(2);
  const y = tf.relu(x);
  const clone = y.clone(); // same data, reference counted
  y.dispose();
  const other = tf.relu(x.mul(5));
  assert.ok(
    clone.dataSync().every((v) => v === 2),
    "clone intact",
  );
  tf.dispose([x, clone, other]);
});

test("disabling forgets every array it handed out; re-enabling does not recycle them", () => {
  enableFastKernels();
  const x = big(4);
  const y = tf.relu(x);
  disableRecycling();
  const seen = y.dataSync(); // not tracked while disabled
  enableRecycling();
  y.dispose();
  const other = tf.relu(x.mul(9));
  assert.ok(
    seen.every((v) => v === 4),
    "array read while disabled was not recycled",
  );
  tf.dispose([x, other]);
  disableFastKernels();
  enableFastKernels();
});

test("training with recycling gives the same weights as without (3 fit steps)", async () => {
  const train = async (recycle: boolean): Promise<Float32Array[]> => {
    enableFastKernels();
    if (!recycle) disableRecycling();
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [12, 12, 1],
          filters: 8,
          kernelSize: 3,
          activation: "relu",
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({
          units: 4,
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(0.01), loss: tf.losses.softmaxCrossEntropy });
    const xs = tf.tidy(() => tf.sin(tf.range(0, 96 * 144).reshape([96, 12, 12, 1])));
    const ys = tf.tidy(() =>
      tf.oneHot(tf.range(0, 96, 1, "int32").mod(tf.scalar(4, "int32")), 4).toFloat(),
    );
    await model.fit(xs, ys, { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 });
    const w = model.getWeights().map((t) => Float32Array.from(t.dataSync()));
    tf.dispose([xs, ys]);
    model.dispose();
    disableFastKernels();
    return w;
  };
  const plain = await train(false);
  const recycled = await train(true);
  assert.deepEqual(recycled, plain);
  enableFastKernels();
});

test("MaxPool's argmax positions go back with its output; a live output's gradient is unaffected", () => {
  enableFastKernels();
  const shape: [number, number, number, number] = [4, 64, 32, 8]; // outputs of 16,384 floats
  const xs = [1, 2, 3].map((s) => tf.randomUniform(shape, -1, 1, "float32", s) as tf.Tensor4D);
  const [y1, y2orig] = xs.slice(0, 2).map((x) => tf.maxPool(x, 2, 2, "valid"));
  // A clone shares y2's data: disposing the original must not release its positions.
  const y2 = y2orig.clone();
  y2orig.dispose();
  const dy = tf.randomUniform(y2.shape, -1, 1, "float32", 7);
  const attrs = { filterSize: 2, strides: 2, pad: "valid" } as const;
  const grad = (): Float32Array =>
    tf.tidy(
      () =>
        (
          tf.engine().runKernel("MaxPoolGrad", { dy, input: xs[1], output: y2 }, attrs) as tf.Tensor
        ).dataSync() as Float32Array,
    );
  const before = recycling.reused;
  y1.dispose();
  const y3 = tf.maxPool(xs[2], 2, 2, "valid"); // takes y1's output array and argmax positions
  assert.ok(recycling.reused >= before + 2, `reused ${recycling.reused - before}`);
  const fast = grad();
  disableFastKernels();
  const stock = grad();
  enableFastKernels();
  assert.deepEqual([...fast], [...stock]);
  tf.dispose([...xs, y2, y3, dy]);
});
