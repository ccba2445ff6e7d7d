import assert from "node:assert/strict";
import { test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { enableFastKernels } from "../../kernel/src/fast";
import {
  QuantWeighted,
  deployedFloatModel,
  learnedRanges,
  quantizeModel,
} from "../../kernel/src/qat";
import { fakeQuant, fakeQuantPerChannel } from "../../kernel/src/quant/fakequant";
import { tutorialCnn } from "../../kernel/src/train";

tf.setBackend("cpu");
enableFastKernels();

test("deployed float model: folded weights on their int8 grid, learned ranges by the float model's layer names", async () => {
  const float = tutorialCnn(6);
  const q = quantizeModel(float);
  q.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
  const x = tf.randomUniform([32, 28, 28], 0, 1, "float32", 4);
  await q.fit(x, tf.zeros([32, 10]), { epochs: 1, batchSize: 32, verbose: 0 });

  const ranges = learnedRanges(q);
  const [convName, denseName] = [float.layers[1]?.name, float.layers[4]?.name];
  assert.ok(convName !== undefined && denseName !== undefined);
  assert.deepEqual(Object.keys(ranges.layers).sort(), [convName, denseName].sort());
  // tfmot's AllValuesQuantizer: [0, 0] widened by the training data, here [0, max(x)].
  assert.deepEqual(ranges.input, { min: 0, max: tf.max(x).dataSync()[0] });
  const conv = ranges.layers[convName];
  assert.equal(conv?.weights?.perChannel, true);
  assert.equal(conv?.weights?.max.length, 12);
  // One training step moved the relu output range from [-6, 6] by 0.1 %: min −6 → −5.994.
  assert.ok(Math.abs((conv?.output.min ?? 0) - -5.994) < 1e-5, String(conv?.output.min));

  const d = deployedFloatModel(q);
  assert.deepEqual(
    d.layers.map((l) => l.getClassName()),
    ["InputLayer", "Reshape", "Conv2D", "MaxPooling2D", "Flatten", "Dense"],
  );
  const qConv = q.layers.find(
    (l): l is QuantWeighted => l instanceof QuantWeighted && l.kind === "conv2d",
  );
  const qDense = q.layers.find(
    (l): l is QuantWeighted => l instanceof QuantWeighted && l.kind === "dense",
  );
  assert.ok(qConv && qDense);
  const k = qConv.foldedWeights().kernel;
  const r = qConv.weightRange();
  assert.deepEqual(
    Array.from(d.getLayer(convName).getWeights()[0]?.dataSync() ?? []),
    Array.from(fakeQuantPerChannel(k.dataSync(), k.shape, r.min, r.max, { narrowRange: true })),
  );
  const kd = qDense.foldedWeights().kernel;
  const rd = qDense.weightRange();
  assert.deepEqual(
    Array.from(d.getLayer(denseName).getWeights()[0]?.dataSync() ?? []),
    Array.from(fakeQuant(kd.dataSync(), rd.min[0] ?? 0, rd.max[0] ?? 0, { narrowRange: true })),
  );
});
