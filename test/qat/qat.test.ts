import assert from "node:assert/strict";
import { describe, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { TFLiteConverter } from "../../kernel/src/converter";
import { opLabel } from "../../kernel/src/converter/graph";
import { UnsupportedError, UsageError } from "../../kernel/src/errors";
import { Interpreter } from "../../kernel/src/interpreter";
import { chooseQuantParams } from "../../kernel/src/quant/params";
import { enableFastKernels } from "../../kernel/src/fast";
import {
  ActivationQuantizer,
  QuantPool,
  QuantWeighted,
  QuantizeInput,
  fakeQuantOp,
  fakeQuantPerChannelOp,
  deployedFloatModel,
  lastValueSymmetricRange,
  learnedRanges,
  quantizeAnnotateLayer,
  quantizeApply,
  quantizeModel,
} from "../../kernel/src/qat";
import { fakeQuant, fakeQuantPerChannel, nudge } from "../../kernel/src/quant/fakequant";
import { tutorialCnn } from "../../kernel/src/train";

tf.setBackend("cpu");
enableFastKernels();

const xs = Float32Array.from([-2, -1.2, -1, -0.5, 0, 0.004, 0.3, 0.99, 1.002, 1.5]);

describe("fake-quant ops", () => {
  test("forward equals quantize-dequantize with the nudged params (and the fakeQuant primitive)", () => {
    // [-1, 1], 8 bits: scale = f32(2/255); 1/scale in float32 is 127.49999, which rounds to a
    // zero point of 127, so the nudged range is [-127·scale, 128·scale] = [-0.99608, 1.00392];
    // q = clamp(floor(x/scale + 0.5) + 127, 0, 255) and x' = (q − 127)·scale.
    const r = nudge(-1, 1);
    assert.equal(r.zeroPoint, 127);
    const y = fakeQuantOp(tf.tensor1d(xs), -1, 1).dataSync();
    const qdq = Array.from(xs, (x) => {
      const q = Math.min(255, Math.max(0, Math.floor(x / r.scale + 0.5) + 127));
      return Math.fround((q - 127) * r.scale);
    });
    xs.forEach((x, i) =>
      assert.ok(Math.abs(y[i] - qdq[i]) <= 1e-7, `x = ${x}: ${y[i]} vs ${qdq[i]}`),
    );
    assert.deepEqual(Array.from(y), Array.from(fakeQuant(xs, -1, 1)));
    assert.equal(y[0], r.nudgedMin); // clamped below
    assert.equal(y[9], r.nudgedMax); // clamped above
  });

  test("gradient is straight-through inside the nudged range and zero outside", () => {
    const dy = tf.tensor1d(Array.from(xs, (_, i) => i + 1));
    const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(fakeQuantOp(x, -1, 1), dy)))(tf.tensor1d(xs));
    // Outside [-0.99608, 1.00392]: -2, -1.2, -1 (below) and 1.5 (above) → 0; inside → dy.
    assert.deepEqual(Array.from(g.dataSync()), [0, 0, 0, 4, 5, 6, 7, 8, 9, 0]);
  });

  test("per-channel op equals fakeQuantPerChannel along the last axis, gradient too", () => {
    const x = tf.tensor2d(Array.from(xs), [5, 2]);
    const min = [-1, -0.5];
    const max = [1, 2];
    const y = fakeQuantPerChannelOp(x, min, max, { narrowRange: true });
    assert.deepEqual(
      Array.from(y.dataSync()),
      Array.from(fakeQuantPerChannel(xs, [5, 2], min, max, { narrowRange: true })),
    );
    const g = tf
      .grad((t: tf.Tensor) => tf.sum(fakeQuantPerChannelOp(t, min, max)))(x)
      .dataSync();
    // Channel 0 holds -2, -1, 0, 0.3, 1; channel 1 holds -1.2, -0.5, 0.004, 0.99, 1.5.
    const n0 = nudge(-1, 1);
    const n1 = nudge(-0.5, 2);
    xs.forEach((v, i) => {
      const r = i % 2 === 0 ? n0 : n1;
      assert.equal(g[i], v >= r.nudgedMin && v <= r.nudgedMax ? 1 : 0, `element ${i}`);
    });
  });

  test("last-value symmetric weight range, per channel and per tensor (all-zero channel → [0, 0])", () => {
    const r = lastValueSymmetricRange([1, -3, 0, 2, 0.5, 0], [3, 2], true);
    // channel 0: 1, 0, 0.5 → [-1, 1]; channel 1: -3, 2, 0 → [-3, 3]
    assert.deepEqual(Array.from(r.min), [-1, -3]);
    assert.deepEqual(Array.from(r.max), [1, 3]);
    const t = lastValueSymmetricRange([1, -3, 0, 2], [4], false);
    assert.deepEqual([t.min[0], t.max[0]], [-3, 3]);
    const z = lastValueSymmetricRange([0, 0], [1, 2], true);
    assert.deepEqual(Array.from(z.max), [0, 0]);
  });

  test("activation range: moving average from [-6, 6] with decay 0.999 (tfmot)", () => {
    const q = ActivationQuantizer.movingAverage();
    q.apply(tf.tensor1d([0, 2, 3]), true, true);
    // min: -6 − (−6 − 0)·0.001 = −5.994;  max: 6 − (6 − 3)·0.001 = 5.997 (float32)
    const r = q.range();
    assert.ok(Math.abs(r.min - -5.994) < 1e-6, String(r.min));
    assert.ok(Math.abs(r.max - 5.997) < 1e-6, String(r.max));
    q.apply(tf.tensor1d([5]), false, true); // inference does not move the range
    assert.deepEqual(q.range(), r);
  });
});

function floatLayers(m: tf.LayersModel): string[] {
  return m.layers.map((l) => l.getClassName());
}

describe("quantizeModel / quantizeApply", () => {
  test("tutorial CNN: quantize after the input, conv per-channel, dense per-tensor, pass-through pooling", () => {
    const q = quantizeModel(tutorialCnn(3));
    assert.deepEqual(floatLayers(q), [
      "InputLayer",
      "Reshape",
      "TsquantQuantizeInput",
      "TsquantQuantWeighted",
      "MaxPooling2D",
      "Flatten",
      "TsquantQuantWeighted",
    ]);
    const [conv, dense] = q.layers.filter((l): l is QuantWeighted => l instanceof QuantWeighted);
    assert.equal(conv?.perChannel, true);
    assert.equal(dense?.perChannel, false);
    assert.equal(conv?.weightRange().max.length, 12);
  });

  test("QAT model starts at the float model's function (fake-quant error only) and trains", async () => {
    const float = tutorialCnn(4);
    const x = tf.randomUniform([64, 28, 28], 0, 1, "float32", 1);
    const yf = float.predict(x) as tf.Tensor;
    const q = quantizeModel(float);
    // Inference never widens the input range; before the first training batch it is empty
    // and the input passes through (tfmot would fake-quantize with a degenerate [0, 0]).
    const fresh = q.layers.find((l): l is QuantizeInput => l instanceof QuantizeInput);
    const yq = q.predict(x) as tf.Tensor;
    assert.equal(fresh?.quantizer.isEmpty(), true);
    assert.deepEqual(fresh?.quantizer.range(), { min: 0, max: 0 });
    const probe = tf.tensor1d([0.25, 0.5]);
    assert.deepEqual(fresh?.quantizer.apply(probe, false, true).dataSync(), probe.dataSync());
    const err = tf.max(tf.abs(tf.sub(yf, yq))).dataSync()[0];
    const scale = tf.max(tf.abs(yf)).dataSync()[0];
    assert.ok(err < 0.1 * scale + 0.05, `max |float − QAT| = ${err} (logit scale ${scale})`);
    q.compile({ optimizer: tf.train.adam(1e-3), loss: "meanSquaredError" });
    const target = tf.zeros([64, 10]);
    const before = (q.evaluate(x, target) as tf.Scalar).dataSync()[0];
    await q.fit(x, target, { epochs: 3, batchSize: 32, verbose: 0 });
    const after = (q.evaluate(x, target) as tf.Scalar).dataSync()[0];
    assert.ok(after < before, `loss ${before} → ${after}`);
    const input = q.layers.find((l): l is QuantizeInput => l instanceof QuantizeInput);
    // tfmot's AllValuesQuantizer: the running min/max of everything trained on, from [0, 0].
    const seen = tf.max(x).dataSync()[0];
    assert.deepEqual(input?.quantizer.range(), { min: 0, max: seen });
    input?.quantizer.apply(tf.tensor1d([-1, 0.5]), true, true);
    assert.deepEqual(input?.quantizer.range(), { min: -1, max: seen });
    input?.quantizer.apply(tf.tensor1d([7.5]), true, true);
    assert.deepEqual(input?.quantizer.range(), { min: -1, max: 7.5 });
  });

  test("quantDelay: the first N training steps run float math", () => {
    const q = new QuantWeighted({
      kind: "dense",
      kernel: tf.tensor2d([[0.123456, -0.7]]),
      bias: null,
      activation: "linear",
      quantDelay: 2,
    });
    const x = tf.tensor2d([[1]]);
    const run = (): number[] =>
      Array.from((q.apply(x, { training: true }) as tf.Tensor).dataSync());
    assert.deepEqual(run(), [Math.fround(0.123456), Math.fround(-0.7)]);
    assert.deepEqual(run(), [Math.fround(0.123456), Math.fround(-0.7)]);
    const third = run();
    // Step 3 fake-quantizes: weight 0.123456 on the symmetric [-0.7, 0.7] grid (scale 1.4/254) moves.
    assert.notEqual(third[0], Math.fround(0.123456));
  });

  test("BatchNormalization after a conv folds in: folded conv = conv then BN (moving statistics)", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, useBias: true }),
        tf.layers.batchNormalization({ epsilon: 0.001 }),
        tf.layers.activation({ activation: "relu" }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    const bn = model.layers[1];
    bn?.setWeights([
      tf.tensor1d([1.5, 0.5, -1]),
      tf.tensor1d([0.1, -0.2, 0.3]),
      tf.tensor1d([0.05, -0.1, 0.2]),
      tf.tensor1d([2, 0.5, 1.2]),
    ]);
    const q = quantizeModel(model);
    assert.deepEqual(floatLayers(q), [
      "InputLayer",
      "TsquantQuantizeInput",
      "TsquantQuantWeighted",
      "Flatten",
      "TsquantQuantWeighted",
    ]);
    const conv = q.layers[2];
    assert.ok(conv instanceof QuantWeighted);
    assert.equal(conv.activation, "relu");
    const x = tf.randomNormal([4, 6, 6, 2], 0, 1, "float32", 2) as tf.Tensor4D;
    const { kernel, bias } = conv.foldedWeights();
    const folded = tf.add(tf.conv2d(x, kernel as tf.Tensor4D, 1, "valid"), bias);
    const sub = tf.model({ inputs: model.inputs, outputs: bn?.output as tf.SymbolicTensor });
    const reference = sub.predict(x) as tf.Tensor;
    const diff = tf.max(tf.abs(tf.sub(folded, reference))).dataSync()[0];
    assert.ok(diff < 1e-5, `folded vs conv+BN: ${diff}`);
  });

  test("quantizeApply with only the Dense annotated keeps the conv float and quantizes the Dense's input", () => {
    const m = tutorialCnn(5);
    const denseLayer = m.layers[4];
    assert.ok(denseLayer !== undefined);
    quantizeAnnotateLayer(denseLayer);
    const q = quantizeApply(m);
    assert.deepEqual(floatLayers(q), [
      "InputLayer",
      "Reshape",
      "TsquantQuantWeighted",
      "MaxPooling2D",
      "Flatten",
      "TsquantQuantizeInput",
      "TsquantQuantWeighted",
    ]);
    const x = tf.randomUniform([2, 28, 28], 0, 1, "float32", 3);
    const convF = tf.model({ inputs: m.inputs, outputs: m.layers[1]?.output as tf.SymbolicTensor });
    const convQ = tf.model({ inputs: q.inputs, outputs: q.layers[2]?.output as tf.SymbolicTensor });
    // Float math, no fake-quant: equal up to float32 summation order (fused bias add vs add).
    const diff = tf.max(
      tf.abs(tf.sub(convQ.predict(x) as tf.Tensor, convF.predict(x) as tf.Tensor)),
    );
    assert.ok(diff.dataSync()[0] < 1e-6, `conv stays float: max diff ${diff.dataSync()[0]}`);
  });

  test("unsupported layers are refused by name; custom layers go through a per-class config", () => {
    const m = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 3 }),
        tf.layers.layerNormalization({ name: "my_norm" }),
      ],
    });
    assert.throws(
      () => quantizeModel(m),
      (e: unknown) =>
        e instanceof UnsupportedError && /my_norm \(LayerNormalization\)/.test(e.message),
    );
    const q = quantizeModel(m, {
      configs: { LayerNormalization: () => [tf.layers.layerNormalization()] },
    });
    assert.deepEqual(floatLayers(q), [
      "InputLayer",
      "TsquantQuantizeInput",
      "TsquantQuantWeighted",
      "LayerNormalization",
    ]);
  });
  test("average pools quantize their output (tfmot), max pooling passes through", () => {
    const m = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3 }),
        tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: "same" }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.globalAveragePooling2d({}),
      ],
    });
    const q = quantizeModel(m);
    assert.deepEqual(floatLayers(q), [
      "InputLayer",
      "TsquantQuantizeInput",
      "TsquantQuantWeighted",
      "TsquantQuantPool",
      "MaxPooling2D",
      "TsquantQuantPool",
    ]);
    const [avg, gap] = q.layers.filter((l): l is QuantPool => l instanceof QuantPool);
    assert.ok(avg !== undefined && gap !== undefined);
    assert.deepEqual([avg.poolSize, avg.strides, avg.padding], [[2, 2], [1, 1], "same"]);
    // Training moves each range from [−6, 6] by the moving average; inference fake-quantizes.
    const x = tf.randomUniform([2, 5, 5, 3], -1, 9, "float32", 3);
    tf.dispose(avg.apply(x, { training: true }) as tf.Tensor);
    const r = avg.outputQuantizer.range();
    assert.ok(r.max > 6 && r.max < 6.01 && r.min > -6 && r.min < -5.99, JSON.stringify(r));
    const pooled = tf.avgPool(x as tf.Tensor4D, 2, 1, "same");
    const expected = fakeQuant(pooled.dataSync(), r.min, r.max, { numBits: 8 });
    assert.deepEqual((avg.apply(x) as tf.Tensor).dataSync(), Float32Array.from(expected));
    tf.dispose(gap.apply(x, { training: true }) as tf.Tensor);
    const g = gap.outputQuantizer.range();
    const mean = fakeQuant(tf.mean(x, [1, 2]).dataSync(), g.min, g.max, { numBits: 8 });
    assert.deepEqual((gap.apply(x) as tf.Tensor).dataSync(), Float32Array.from(mean));
    assert.deepEqual((gap.apply(x) as tf.Tensor).shape, [2, 3]);
    // Learned ranges by the float layer's name; the deployed model has the plain pools back.
    assert.deepEqual(learnedRanges(q).layers[m.layers[1]?.name ?? "?"]?.output, r);
    assert.deepEqual(floatLayers(deployedFloatModel(q)), [
      "InputLayer",
      "Conv2D",
      "AveragePooling2D",
      "MaxPooling2D",
      "GlobalAveragePooling2D",
    ]);
  });

  test("DepthwiseConv2D + BatchNormalization: folded per output channel c·multiplier + m, equal to the float layers", () => {
    const m = tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({
          inputShape: [5, 5, 3],
          kernelSize: 3,
          depthMultiplier: 2,
          depthwiseInitializer: tf.initializers.randomNormal({ seed: 1 }),
          biasInitializer: tf.initializers.randomNormal({ seed: 2 }),
        }),
        tf.layers.batchNormalization({
          gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: 3 }),
          betaInitializer: tf.initializers.randomNormal({ seed: 4 }),
          movingMeanInitializer: tf.initializers.randomNormal({ seed: 5 }),
          movingVarianceInitializer: tf.initializers.randomUniform({
            minval: 0.5,
            maxval: 2,
            seed: 6,
          }),
        }),
      ],
    });
    const q = quantizeModel(m);
    const dw = q.layers.find((l): l is QuantWeighted => l instanceof QuantWeighted);
    assert.ok(dw !== undefined);
    assert.equal(dw.kind, "depthwise");
    assert.equal(dw.perChannel, true);
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, "float32", 7) as tf.Tensor4D;
    const { kernel, bias } = dw.foldedWeights();
    const folded = tf.add(tf.depthwiseConv2d(x, kernel as tf.Tensor4D, 1, "valid"), bias);
    const reference = m.predict(x) as tf.Tensor;
    const err = tf.max(tf.abs(tf.sub(folded, reference))).dataSync()[0] ?? Infinity;
    assert.ok(err < 1e-4, `max |folded − conv+BN| = ${err}`);
    // One range per output channel (3 inputs × multiplier 2), each from that channel's weights.
    const r = dw.weightRange();
    assert.equal(r.max.length, 6);
    const k = kernel.dataSync();
    for (let c = 0; c < 6; c++) {
      let m = 0;
      for (let i = c; i < k.length; i += 6) m = Math.max(m, Math.abs(k[i] ?? 0));
      assert.equal(r.max[c], Math.fround(m));
      assert.equal(r.min[c], -Math.fround(m));
    }
    // The fake-quantized kernel is on each channel's grid: k = j · max_c / 127.
    const fq = dw.fakeQuantWeights(kernel).dataSync();
    for (let i = 0; i < fq.length; i++) {
      const s = (r.max[i % 6] ?? 0) / 127;
      const j = (fq[i] ?? 0) / s;
      assert.ok(Math.abs(j - Math.round(j)) < 1e-3, `weight ${i}: ${j} steps`);
    }
  });

  test("ReLU / Activation right after a conv or dense becomes its activation (one fake-quant after it)", async () => {
    const m = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [6, 6, 1], filters: 2, kernelSize: 3 }),
        tf.layers.reLU({ maxValue: 6 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 4 }),
        tf.layers.activation({ activation: "relu" }),
        tf.layers.dense({ units: 3 }),
        tf.layers.activation({ activation: "softmax" }),
      ],
    });
    const q = quantizeModel(m);
    const weighted = q.layers.filter((l): l is QuantWeighted => l instanceof QuantWeighted);
    assert.deepEqual(
      weighted.map((l) => l.activation),
      ["relu6", "relu", "softmax"],
    );
    assert.deepEqual(floatLayers(q), [
      "InputLayer",
      "TsquantQuantizeInput",
      "TsquantQuantWeighted",
      "Flatten",
      "TsquantQuantWeighted",
      "TsquantQuantWeighted",
    ]);
    const x = tf.randomUniform([3, 6, 6, 1], 0, 1, "float32", 2);
    const ym = m.predict(x) as tf.Tensor;
    const yq = q.predict(x) as tf.Tensor;
    // Same function up to fake-quant error (softmax outputs in [0, 1]).
    const err = tf.max(tf.abs(tf.sub(ym, yq))).dataSync()[0] ?? Infinity;
    assert.ok(err < 0.05, `max |float − QAT| = ${err}`);

    // Before any training batch the input range is empty: the converter refuses, naming it.
    assert.throws(
      () => TFLiteConverter.fromLayersModel(q),
      (e: unknown) =>
        e instanceof UsageError &&
        /input range is empty/.test(e.message) &&
        e.message.includes(q.layers[1]?.name ?? "?"),
    );
    // One training-mode call observes the ranges. Converted without data: the softmax's input
    // carries the last dense's learned range (tfmot quantizes before softmax), the softmax
    // output TFLite's fixed 1/256, −128.
    tf.dispose(q.apply(x, { training: true }) as tf.Tensor);
    const c = TFLiteConverter.fromLayersModel(q);
    c.optimizations = ["DEFAULT"];
    const int8 = await c.convertToModel();
    const sg = int8.subgraphs[0];
    assert.ok(sg !== undefined);
    const softmax = sg.operators.find((op) => opLabel(int8, op) === "SOFTMAX");
    assert.ok(softmax !== undefined);
    const learned = learnedRanges(q).layers[weighted[2]?.name.replace(/^quant_/, "") ?? ""];
    assert.ok(learned !== undefined);
    const pre = sg.tensors[softmax.inputs[0] ?? -1];
    const expected = chooseQuantParams(learned.output.min, learned.output.max, {
      scalePrecision: "float64",
    });
    assert.deepEqual(pre?.quantization?.scale, [Math.fround(expected.scale)]);
    assert.deepEqual(pre?.quantization?.zeroPoint, [expected.zeroPoint]);
    const post = sg.tensors[softmax.outputs[0] ?? -1];
    assert.deepEqual(post?.quantization?.scale, [1 / 256]);
    assert.deepEqual(post?.quantization?.zeroPoint, [-128]);
    const it = new Interpreter({ model: int8 });
    const [input] = it.getInputDetails();
    const [output] = it.getOutputDetails();
    assert.ok(input !== undefined && output !== undefined);
    it.resizeTensorInput(input.index, [3, 6, 6, 1]);
    it.allocateTensors();
    it.setTensor(input.index, x.dataSync() as Float32Array);
    it.invoke();
    const yi = it.getTensor(output.index).data;
    const yqd = yq.dataSync();
    for (let i = 0; i < yqd.length; i++) {
      // int8 and fake-quant agree up to a few output steps (1/256) of requantization rounding.
      assert.ok(
        Math.abs(Number(yi[i]) - (yqd[i] ?? 0)) <= 4 / 256,
        `output ${i}: ${yi[i]} vs ${yqd[i]}`,
      );
    }
  });

  test("refusals name the layer: ReLU capped at 3, a lone Activation, a shared layer, partial QAT of a merging model, partial conversion", async () => {
    const refused = (model: tf.LayersModel, pattern: RegExp) =>
      assert.throws(
        () => quantizeModel(model),
        (e: unknown) => e instanceof UnsupportedError && pattern.test(e.message),
      );
    refused(
      tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [4], units: 3 }),
          tf.layers.reLU({ name: "capped", maxValue: 3 }),
        ],
      }),
      /capped \(ReLU\) has maxValue 3/,
    );
    refused(
      tf.sequential({
        layers: [
          tf.layers.reshape({ inputShape: [4], targetShape: [2, 2, 1] }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.activation({ name: "lone_act", activation: "relu" }),
        ],
      }),
      /lone_act \(Activation\) is not supported by QAT here \(only right after a Conv2D/,
    );
    const input = tf.input({ shape: [4] });
    const shared = tf.layers.dense({ units: 4, name: "shared_dense" });
    const a = shared.apply(input) as tf.SymbolicTensor;
    const b = shared.apply(a) as tf.SymbolicTensor;
    refused(
      tf.model({ inputs: input, outputs: b }),
      /shared_dense \(Dense\) is called more than once/,
    );
    // A model with a merge is only quantized whole.
    const i2 = tf.input({ shape: [4] });
    const d1 = tf.layers.dense({ units: 4 });
    const s2 = tf.layers
      .add({ name: "the_sum" })
      .apply([
        d1.apply(i2) as tf.SymbolicTensor,
        tf.layers.dense({ units: 4 }).apply(i2) as tf.SymbolicTensor,
      ]) as tf.SymbolicTensor;
    quantizeAnnotateLayer(d1);
    assert.throws(
      () => quantizeApply(tf.model({ inputs: i2, outputs: s2 })),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        /is not annotated; a model with branches or merges/.test(e.message),
    );

    const dense = tf.layers.dense({ units: 2 });
    const m = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [4], units: 3 }), quantizeAnnotateLayer(dense)],
    });
    const partial = quantizeApply(m);
    assert.throws(
      () => TFLiteConverter.fromLayersModel(partial),
      (e: unknown) => e instanceof UnsupportedError && /only partly quantized/.test(e.message),
    );
  });
});
