import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import {
  type ProgressInfo,
  fit,
  formatProgress,
  progressCallback,
  textProgress,
} from "../../kernel/src/train";
import { UsageError } from "../../kernel/src/errors";

tf.setBackend("cpu");

function smallModel(): tf.Sequential {
  const m = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [4], units: 3, kernelInitializer: "ones" })],
  });
  m.compile({ optimizer: tf.train.sgd(0.1), loss: "meanSquaredError", metrics: ["accuracy"] });
  return m;
}

const data = (n: number): { x: tf.Tensor2D; y: tf.Tensor2D } => ({
  x: tf.tensor2d(
    Float32Array.from({ length: n * 4 }, (_, i) => (i % 7) / 7),
    [n, 4],
  ),
  y: tf
    .oneHot(
      tf.tensor1d(
        Array.from({ length: n }, (_, i) => i % 3),
        "int32",
      ),
      3,
    )
    .toFloat() as tf.Tensor2D,
});

describe("progress", () => {
  test("epoch, step, running loss and accuracy, rate and ETA from batch logs (fake clock)", async () => {
    const seen: ProgressInfo[] = [];
    let clock = 0;
    // 10 samples, batch 4: steps of 4, 4, 2 samples; 2 epochs = 20 samples.
    const cb = progressCallback(
      { onProgress: (i) => seen.push(i) },
      {
        epochs: 2,
        steps: 3,
        batchSize: 4,
        lastBatchSize: 2,
        now: () => clock,
      },
    );
    await cb.onTrainBegin?.({});
    await cb.onEpochBegin?.(0, {});
    clock = 1000;
    await cb.onBatchEnd?.(0, { size: 4, loss: 1, acc: 0.5 });
    clock = 2000;
    await cb.onBatchEnd?.(1, { size: 4, loss: 3, acc: 1 });
    const s = seen[1];
    assert.equal(s.epoch, 1);
    assert.equal(s.step, 2);
    assert.equal(s.loss, 2); // (1 + 3) / 2
    assert.equal(s.accuracy, 0.75); // (0.5 + 1) / 2
    assert.equal(s.samplesPerSecond, 4); // 8 samples in 2 s
    assert.equal(s.etaSeconds, 3); // 20 − 8 = 12 samples at 4/s
    await cb.onBatchEnd?.(2, { size: 2, loss: 2 });
    await cb.onEpochEnd?.(0, { loss: 2, val_loss: 0.5, val_acc: 0.9 });
    const end = seen[seen.length - 1];
    assert.ok(end.epochEnd);
    assert.equal(end.valLoss, 0.5);
    assert.equal(end.valAccuracy, 0.9);
    assert.match(
      formatProgress(end),
      /^epoch 1\/2 step 3\/3 loss 2\.0000 acc 0\.7500 val_loss 0\.5000 val_acc 0\.9000 \d+ samples\/s ETA \d+s$/,
    );
  });

  test("textProgress throttles step lines but always writes epoch ends", () => {
    const lines: string[] = [];
    const r = textProgress((l) => lines.push(l), 60_000);
    const base: ProgressInfo = {
      epoch: 1,
      epochs: 1,
      step: 1,
      steps: 3,
      loss: 1,
      samplesPerSecond: 10,
      etaSeconds: 125,
      epochEnd: false,
    };
    r.onProgress(base);
    r.onProgress({ ...base, step: 2 });
    r.onProgress({ ...base, step: 3, epochEnd: true });
    assert.equal(lines.length, 2);
    assert.match(lines[0], /ETA 2m05s$/);
  });
});

describe("fit", () => {
  test("reports every step of every epoch and trains", async () => {
    const { x, y } = data(10);
    const model = smallModel();
    const seen: ProgressInfo[] = [];
    const before = (model.evaluate(x, y) as tf.Scalar[])[0].dataSync()[0];
    const r = await fit(model, x, y, {
      epochs: 2,
      batchSize: 4,
      progress: { onProgress: (i) => seen.push(i) },
    });
    assert.equal(r.interrupted, false);
    assert.deepEqual(
      seen.map((i) => `${i.epoch}:${i.step}${i.epochEnd ? "e" : ""}`),
      ["1:1", "1:2", "1:3", "1:3e", "2:1", "2:2", "2:3", "2:3e"],
    );
    const after = (model.evaluate(x, y) as tf.Scalar[])[0].dataSync()[0];
    assert.ok(after < before, `loss ${before} → ${after}`);
  });

  test("an abort stops between steps; the model still predicts and trains again", async () => {
    const { x, y } = data(40);
    const model = smallModel();
    const controller = new AbortController();
    const seen: ProgressInfo[] = [];
    const r = await fit(model, x, y, {
      epochs: 3,
      batchSize: 4,
      signal: controller.signal,
      progress: {
        onProgress: (i) => {
          seen.push(i);
          if (i.step === 3 && !i.stopped) controller.abort();
        },
      },
    });
    assert.equal(r.interrupted, true);
    // Steps 1–3 of epoch 1 ran (10 per epoch), then the epoch end and the stop record.
    assert.deepEqual(
      seen.map((i) => i.step),
      [1, 2, 3, 3, 3],
    );
    assert.equal(seen[seen.length - 1].stopped, true);
    const w = model.getWeights()[0].dataSync();
    assert.ok(w.every(Number.isFinite));
    const p = model.predict(x) as tf.Tensor;
    assert.deepEqual(p.shape, [40, 3]);
    const again = await fit(model, x, y, { epochs: 1, batchSize: 4, progress: false });
    assert.equal(again.interrupted, false);
    assert.equal(again.history.history["loss"]?.length, 1);
  });

  test("an already aborted signal trains nothing", async () => {
    const { x, y } = data(8);
    const model = smallModel();
    const w0 = model.getWeights()[0].dataSync().slice();
    const r = await fit(model, x, y, { signal: AbortSignal.abort(), progress: false });
    assert.equal(r.interrupted, true);
    assert.deepEqual(model.getWeights()[0].dataSync(), w0);
  });
});

describe("fit with a seed", () => {
  const weights = (m: tf.LayersModel): number[] =>
    m.getWeights().flatMap((w) => Array.from(w.dataSync()));
  const train = async (seed: number | undefined): Promise<{ w: number[]; losses: number[] }> => {
    const { x, y } = data(40);
    const model = smallModel();
    const losses: number[] = [];
    await fit(model, x, y, {
      epochs: 3,
      batchSize: 4,
      seed,
      progress: false,
      callbacks: [{ onBatchEnd: async (_b, logs) => void losses.push(logs?.loss ?? NaN) }],
    });
    return { w: weights(model), losses };
  };

  test("the same seed gives the same batches and weights; another seed, others", async () => {
    const a = await train(7);
    const b = await train(7);
    const c = await train(8);
    assert.deepEqual(b.losses, a.losses);
    assert.deepEqual(b.w, a.w);
    assert.notDeepEqual(c.losses, a.losses);
    assert.notDeepEqual(c.w, a.w);
    // Each epoch gets its own order: the per-batch losses of epochs 1 and 2 differ in order.
    assert.notDeepEqual(a.losses.slice(10, 20), a.losses.slice(0, 10));
  });

  test("tf.util.shuffle is restored (also when training throws); Math.random is untouched", async () => {
    const stock = tf.util.shuffle;
    const random = Math.random;
    await train(1);
    assert.equal(tf.util.shuffle, stock);
    const { x } = data(8);
    const model = smallModel();
    await assert.rejects(fit(model, x, tf.zeros([8, 5]), { seed: 1, progress: false }));
    assert.equal(tf.util.shuffle, stock);
    assert.equal(Math.random, random);
  });

  test("a seed that is not a 32-bit unsigned integer is refused by name", async () => {
    const { x, y } = data(8);
    for (const seed of [-1, 1.5, 2 ** 32, NaN]) {
      await assert.rejects(
        fit(smallModel(), x, y, { seed, progress: false }),
        (e: unknown) => e instanceof UsageError && /seed must be an integer/.test(e.message),
      );
    }
  });
});
