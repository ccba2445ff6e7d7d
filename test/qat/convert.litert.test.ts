// QAT → int8 end to end: the tutorial CNN trained briefly in float (2,000 MNIST images), fine-tuned
// with the tutorial's QAT recipe (1,000 images, batch 500, 1 epoch, validation split 0.1), then
// `TFLiteConverter.fromLayersModel(qat)` with optimizations DEFAULT and no representative dataset.
// Checks: the learned ranges become the activations' parameters by TF's double-precision
// FakeQuant rule (no calibration), the same as TF 2.21's converter gives for those ranges
// (test/qat/tf_fakequant.py in .venv-tf); the int8 weights are the fake-quantized weights; tsquant's
// interpreter equals LiteRT's reference kernels bit for bit; the QAT model's float (fake-quant)
// forward and the int8 file pick the same class on ≥ 99.5 % of the 10,000 test images;
// integer-only conversion with uint8 I/O runs in LiteRT. Then a model with the layers QAT gained
// (DepthwiseConv2D + BatchNormalization + ReLU, AveragePooling2D, Conv2D + Activation,
// GlobalAveragePooling2D), converted integer-only, against LiteRT and its own float forward.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { before, describe, type TestContext, test } from "node:test";
import * as tf from "@tensorflow/tfjs";
import { TFLiteConverter } from "../../kernel/src/converter";
import { opLabel } from "../../kernel/src/converter/graph";
import { mnist } from "../../kernel/src/data/datasets";
import { enableFastKernels } from "../../kernel/src/fast";
import type { Model, NDArray, Tensor } from "../../kernel/src/ir";
import {
  deployedFloatModel,
  learnedRanges,
  qatConversionInput,
  quantizeModel,
} from "../../kernel/src/qat";
import { readModel } from "../../kernel/src/tflite/reader";
import { compileTutorial, fit } from "../../kernel/src/train";
import { runLiteRT } from "../helpers/litert";
import {
  accuracyOf,
  argmaxRows,
  fineTuneQat,
  followQatForward,
  modelInput,
  predictClasses,
  runInterpreter,
  trainFloat,
} from "./helpers";

tf.setBackend("cpu");

const TF_PYTHON = join(__dirname, "..", "..", ".venv-tf", "bin", "python");
enableFastKernels();

/**
 * TF's `fakeQuantAttrsToType` for an 8-bit unsigned FakeQuant range, in double, then shifted to
 * int8 (zero point − 128), written independently of tsquant's quant/params.ts.
 */
function tfFakeQuantParams(min: number, max: number): { scale: number; zeroPoint: number } {
  const qmin = 0;
  const qmax = 255;
  const scale = (max - min) / (qmax - qmin);
  const fromMin = qmin - min / scale;
  const fromMax = qmax - max / scale;
  const useMin = Math.abs(qmin) + Math.abs(min / scale) < Math.abs(qmax) + Math.abs(max / scale);
  const zp = useMin ? fromMin : fromMax;
  // std::round: half away from zero (zp ≥ 0 here, so floor(x + 0.5)).
  const nudged = zp < qmin ? qmin : zp > qmax ? qmax : Math.floor(zp + 0.5);
  return { scale: Math.fround(scale), zeroPoint: nudged - 128 };
}

function tensorNamed(model: Model, name: string): Tensor {
  const t = model.subgraphs[0]?.tensors.find((x) => x.name === name);
  assert.ok(t !== undefined, `no tensor ${name}`);
  return t;
}

function bufferOf(model: Model, t: Tensor): Uint8Array {
  const data = model.buffers[t.buffer]?.data ?? null;
  assert.ok(data !== null, `tensor ${t.name} has no data`);
  return data;
}

const data = mnist();
const N = 10_000;
const images = data.test.asFloat().data.subarray(0, N * 784);
const labels = data.test.labels.data.subarray(0, N);

describe("QAT model → int8 (tutorial CNN, MNIST)", () => {
  let qat: tf.LayersModel;
  let bytes: Uint8Array = new Uint8Array();
  let converter: TFLiteConverter;

  before(async () => {
    const float = await trainFloat(data.train.take(2000), { seed: 3 });
    qat = await fineTuneQat(float, data.train.subset(2000, 3000));
    converter = TFLiteConverter.fromLayersModel(qat);
    converter.optimizations = ["DEFAULT"];
    bytes = await converter.convert();
  });

  test("no representative dataset: the learned ranges are the activations' parameters (TF's double-precision FakeQuant rule)", () => {
    assert.equal(converter.representativeDataset, null);
    assert.equal(converter.mode, "int8");
    const model = readModel(bytes);
    const learned = learnedRanges(qat);
    const { activationRanges } = qatConversionInput(qat);
    const input = learned.input;
    assert.ok(input !== undefined);
    // tfmot's AllValuesQuantizer from [0, 0]: the fine-tuning images' extremes, 0 and 255/255.
    assert.deepEqual(input, { min: 0, max: 1 });
    // The graph input's range is the QuantizeInput's; its int8 twin feeds the conv.
    const quantized = tensorNamed(model, "tfl.quantize");
    const expectIn = tfFakeQuantParams(input.min, input.max);
    assert.deepEqual(quantized.quantization?.scale, [expectIn.scale]);
    assert.deepEqual(quantized.quantization?.zeroPoint, [expectIn.zeroPoint]);
    const [conv, dense] = Object.keys(learned.layers);
    assert.ok(conv !== undefined && dense !== undefined);
    for (const [layer, tensor] of [
      [conv, `${conv}/Relu;${conv}/BiasAdd`],
      [dense, `${dense}/BiasAdd`],
    ] as const) {
      const r = learned.layers[layer]?.output;
      assert.ok(r !== undefined);
      assert.deepEqual(activationRanges[tensor], r);
      // A graph output keeps its name on the float DEQUANTIZE output; the int8 one is renamed.
      const t = model.subgraphs[0]?.tensors.find(
        (x) => x.name.startsWith(tensor) && x.type === "int8",
      );
      assert.ok(t !== undefined, `int8 tensor ${tensor}`);
      const e = tfFakeQuantParams(r.min, r.max);
      assert.deepEqual(t.quantization?.scale, [e.scale], tensor);
      assert.deepEqual(t.quantization?.zeroPoint, [e.zeroPoint], tensor);
    }
  });

  test("TensorFlow's converter gives the same parameters for the same FakeQuant ranges (.venv-tf)", (t) => {
    if (!existsSync(TF_PYTHON)) {
      t.skip(".venv-tf not found (npm run fixtures creates it)");
      return;
    }
    const model = readModel(bytes);
    const learned = learnedRanges(qat);
    const [conv, dense] = Object.keys(learned.layers);
    assert.ok(learned.input !== undefined && conv !== undefined && dense !== undefined);
    const cases: [string, { min: number; max: number } | undefined][] = [
      ["tfl.quantize", learned.input],
      [`${conv}/Relu;${conv}/BiasAdd`, learned.layers[conv]?.output],
      [`${dense}/BiasAdd`, learned.layers[dense]?.output],
    ];
    const r = spawnSync(
      TF_PYTHON,
      [join(__dirname, "tf_fakequant.py"), JSON.stringify(cases.map(([, x]) => [x?.min, x?.max]))],
      { encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const theirs = JSON.parse(r.stdout.trim().split("\n").pop() ?? "[]") as [number, number][];
    cases.forEach(([name], i) => {
      const t8 = model.subgraphs[0]?.tensors.find(
        (x) => x.name.startsWith(name) && x.type === "int8",
      );
      assert.deepEqual(
        [t8?.quantization?.scale?.[0], t8?.quantization?.zeroPoint?.[0]],
        theirs[i],
        name,
      );
    });
  });

  test("int8 weights are the fake-quantized weights: q = round(w_fq / s) with s from the learned weight range", () => {
    const model = readModel(bytes);
    const { model: floatIr } = qatConversionInput(qat);
    const learned = learnedRanges(qat);
    for (const [layer, { weights }] of Object.entries(learned.layers)) {
      if (weights === undefined) continue;
      const r = { weights };
      const name = `${layer}/kernel`;
      const wf = new Float32Array(bufferOf(floatIr, tensorNamed(floatIr, name)).slice().buffer);
      const wt = tensorNamed(model, name);
      assert.equal(wt.type, "int8");
      const q = new Int8Array(bufferOf(model, wt).slice().buffer);
      const channels = r.weights.perChannel ? r.weights.max.length : 1;
      assert.equal(r.weights.max.length, channels);
      assert.deepEqual(wt.quantization?.scale?.length, channels);
      // TFLite weights: output channel first ([out, …]); learned ranges: one per output channel.
      const per = q.length / channels;
      for (let c = 0; c < channels; c++) {
        const s = ((r.weights.max[c] ?? 0) - (r.weights.min[c] ?? 0)) / 254;
        const written = wt.quantization?.scale?.[c] ?? 0;
        assert.ok(Math.abs(written - s) <= 1e-6 * s, `${name}[${c}] scale ${written} vs ${s}`);
        for (let i = c * per; i < (c + 1) * per; i++) {
          assert.equal(q[i], Math.round((wf[i] ?? 0) / s), `${name}[${i}]`);
          assert.ok(Math.abs((q[i] ?? 0) * s - (wf[i] ?? 0)) <= 1e-6 * (s * 127));
        }
      }
    }
  });

  test("tsquant's interpreter equals LiteRT's reference kernels on 1,000 images (bit for bit)", async () => {
    const n = 1000;
    const input = modelInput(bytes, images.subarray(0, n * 784), n);
    const ref = await runLiteRT(bytes, [input], { resolver: "ref", batch: n });
    const mine = runInterpreter(bytes, input);
    assert.deepEqual(
      Array.from(mine.data as Float32Array),
      Array.from(ref.outputs[0]?.data as Float32Array),
    );
  });

  test("the QAT model's float forward and the int8 file pick the same class on ≥ 99.5 % of the 10,000 test images", (t) => {
    const int8 = argmaxRows(
      runInterpreter(bytes, modelInput(bytes, images, N)).data as Float32Array,
      10,
    );
    const fq = predictClasses(qat, images, N);
    let same = 0;
    for (let i = 0; i < N; i++) if (int8[i] === fq[i]) same++;
    t.diagnostic(
      `agreement ${(100 * same) / N} %; accuracy int8 ${accuracyOf(int8, labels)} %, QAT float ${accuracyOf(fq, labels)} %`,
    );
    assert.ok(same >= 0.995 * N, `${same} / ${N}`);
  });

  test("integer-only with uint8 I/O runs in LiteRT, equals tsquant, and classifies as the int8 file", async () => {
    const c = TFLiteConverter.fromLayersModel(qat);
    c.optimizations = ["DEFAULT"];
    c.targetSpec.supportedOps = ["TFLITE_BUILTINS_INT8"];
    c.inferenceInputType = "uint8";
    c.inferenceOutputType = "uint8";
    assert.equal(c.mode, "int8-only");
    const u8 = await c.convert();
    const n = 1000;
    const input = modelInput(u8, images.subarray(0, n * 784), n);
    assert.equal(input.dtype, "uint8");
    const ref = await runLiteRT(u8, [input], { resolver: "ref", batch: n });
    const out = ref.outputs[0] as NDArray;
    assert.equal(out.dtype, "uint8");
    assert.deepEqual(
      Array.from(runInterpreter(u8, input).data as Uint8Array),
      Array.from(out.data as Uint8Array),
    );
    const sg = readModel(u8).subgraphs[0];
    const ops = readModel(u8).operatorCodes.map((o) => o.builtinCode);
    assert.ok(sg !== undefined && ops.length > 0);
    const fromFloatIo = argmaxRows(
      runInterpreter(bytes, modelInput(bytes, images.subarray(0, n * 784), n)).data as Float32Array,
      10,
    );
    const fromU8 = argmaxRows(out.data as Uint8Array, 10);
    let same = 0;
    for (let i = 0; i < n; i++) if (fromU8[i] === fromFloatIo[i]) same++;
    // uint8 output ties (two logits on the same step) may break differently than float ones.
    assert.ok(same >= 0.99 * n, `${same} / ${n}`);
  });
});

/**
 * The int8 file's outputs (LiteRT's, already equal to tsquant's) follow the QAT model's float
 * forward. Each requantization (conv, depthwise, pools, mean, dense) can round an activation a
 * step apart from the float simulation (LiteRT's reference kernels round twice, the pools and
 * MEAN round their sums), and those steps carry on to the output, so: at most 15 % of output
 * elements a step apart, none more than 3 steps, and top-1 the same on ≥ 97 % of images (a
 * difference needs a near-tie in the float forward's top two). The outputs must vary from image
 * to image (≥ 20 steps for some class), or the checks would compare constants.
 */
function assertFollowsQatForward(
  t: TestContext,
  qat: tf.LayersModel,
  images: Float32Array,
  out: NDArray,
  m: Model,
): void {
  const sg = m.subgraphs[0];
  const q = sg?.tensors[sg.outputs[0] ?? -1]?.quantization;
  const scale = q?.scale?.[0];
  const zeroPoint = q?.zeroPoint?.[0];
  assert.ok(scale !== undefined && zeroPoint !== undefined, "the output is not quantized");
  const f = followQatForward(qat, images, out.data as Int8Array, { scale, zeroPoint });
  const n = out.data.length / 10;
  const accuracy = accuracyOf(f.floatClasses, data.test.labels.data.subarray(0, n));
  const classes = new Set(f.floatClasses).size;
  t.diagnostic(
    `QAT float accuracy ${accuracy.toFixed(1)} %, ${classes} classes predicted, outputs vary by up to ${f.spanSteps} steps across images; top-1 agreement QAT float vs int8: ${f.same} / ${n}; ${(100 * f.offGrid).toFixed(2)} % of outputs a step apart, at most ${f.maxSteps.toFixed(2)}; differing images' top-1 margin ≤ ${f.maxMarginOfDiffering.toFixed(2)} steps`,
  );
  assert.ok(f.offGrid <= 0.15, `${100 * f.offGrid} % of int8 outputs differ from the QAT forward`);
  assert.ok(f.maxSteps <= 3 + 1e-3, `int8 is ${f.maxSteps} output steps from the QAT forward`);
  assert.ok(f.same >= 0.97 * n, `${f.same} / ${n}`);
  assert.ok(f.spanSteps >= 20, `outputs vary by only ${f.spanSteps} steps across the images`);
}

describe("QAT layers beyond the tutorial: depthwise + BN + ReLU, pools, Activation", () => {
  test("integer-only conversion: LiteRT equals tsquant; int8 outputs follow the QAT model's float forward", async (t) => {
    // Weights of about ±0.7: activations of order 1 that use the ±6 grids tfmot's ranges start
    // from (4 training steps barely move them); Glorot's smaller weights would leave every
    // pooled feature, and so every logit, within a step or two of the same value.
    const init = (s: number) => tf.initializers.randomNormal({ stddev: 0.7, seed: s });
    const model = tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [28, 28], targetShape: [28, 28, 1] }),
        tf.layers.conv2d({
          filters: 4,
          kernelSize: 3,
          activation: "relu",
          kernelInitializer: init(1),
        }),
        tf.layers.depthwiseConv2d({
          kernelSize: 3,
          depthMultiplier: 2,
          useBias: false,
          depthwiseInitializer: init(2),
        }),
        tf.layers.batchNormalization({ movingVarianceInitializer: "ones" }),
        tf.layers.reLU(),
        tf.layers.averagePooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 8, kernelSize: 1, kernelInitializer: init(3) }),
        tf.layers.activation({ activation: "relu6" }),
        tf.layers.globalAveragePooling2d({}),
        tf.layers.dense({ units: 10, kernelInitializer: init(4) }),
      ],
    });
    compileTutorial(model);
    const train = data.train.take(256);
    const x = tf.tensor3d(train.asFloat().data, [256, 28, 28]);
    const y = tf.tensor2d(train.oneHot().data, [256, 10]);
    await fit(model, x, y, { epochs: 1, batchSize: 64, progress: false, seed: 1 });
    const qat = quantizeModel(model);
    assert.deepEqual(
      deployedFloatModel(qat).layers.map((l) => l.getClassName()),
      [
        "InputLayer",
        "Reshape",
        "Conv2D",
        "DepthwiseConv2D",
        "AveragePooling2D",
        "Conv2D",
        "GlobalAveragePooling2D",
        "Dense",
      ],
    );
    compileTutorial(qat);
    await fit(qat, x, y, { epochs: 1, batchSize: 128, progress: false, seed: 1 });
    tf.dispose([x, y]);

    const c = TFLiteConverter.fromLayersModel(qat);
    c.optimizations = ["DEFAULT"];
    c.targetSpec.supportedOps = ["TFLITE_BUILTINS_INT8"];
    c.inferenceInputType = "int8";
    c.inferenceOutputType = "int8";
    const bytes = await c.convert();
    const m = readModel(bytes);
    const dw = m.subgraphs[0]?.tensors.find(
      (t) => t.type === "int8" && t.name.endsWith("depthwise_kernel"),
    );
    assert.equal(dw?.quantization?.scale?.length, 8, "depthwise weights per output channel");
    assert.equal(dw?.quantization?.quantizedDimension, 3);
    // tfmot quantizes both average pools' outputs. MEAN writes with the learned range;
    // AVERAGE_POOL_2D keeps its input's scale and a QUANTIZE op requantizes to the learned range.
    const learned = learnedRanges(qat);
    const rangeOf = (prefix: string) => {
      const key = Object.keys(learned.layers).find((k) => k.startsWith(prefix));
      const r = key === undefined ? undefined : learned.layers[key]?.output;
      assert.ok(r !== undefined, `no learned range for ${prefix}`);
      return tfFakeQuantParams(r.min, r.max);
    };
    const sg = m.subgraphs[0];
    assert.ok(sg !== undefined);
    const params = (i: number | undefined) => {
      const q = sg.tensors[i ?? -1]?.quantization;
      return { scale: q?.scale?.[0], zeroPoint: q?.zeroPoint?.[0] };
    };
    const opNamed = (label: string) => sg.operators.filter((op) => opLabel(m, op) === label);
    const [avg] = opNamed("AVERAGE_POOL_2D");
    assert.ok(avg !== undefined);
    assert.deepEqual(params(avg.outputs[0]), params(avg.inputs[0]));
    const requant = sg.operators.find((op) => op.inputs[0] === avg.outputs[0]);
    assert.equal(requant === undefined ? "none" : opLabel(m, requant), "QUANTIZE");
    assert.deepEqual(params(requant?.outputs[0]), rangeOf("average_pooling2d"));
    const [mean] = opNamed("MEAN");
    assert.deepEqual(params(mean?.outputs[0]), rangeOf("global_average_pooling2d"));

    const n = 500;
    const test500 = images.subarray(0, n * 784);
    const input = modelInput(bytes, test500, n);
    const ref = await runLiteRT(bytes, [input], { resolver: "ref", batch: n });
    const out = ref.outputs[0] as NDArray;
    assert.deepEqual(
      Array.from(runInterpreter(bytes, input).data as Int8Array),
      Array.from(out.data as Int8Array),
    );
    assertFollowsQatForward(t, qat, test500, out, m);
  });
});

describe("QAT of a functional model with branches, Add and Concatenate", () => {
  test("merges get an output fake-quant; integer-only file: LiteRT equals tsquant, int8 follows the QAT forward", async (t) => {
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const input = tf.input({ shape: [28, 28] });
    const x0 = tf.layers.reshape({ targetShape: [28, 28, 1] }).apply(input) as tf.SymbolicTensor;
    const stem = tf.layers
      .conv2d({
        filters: 4,
        kernelSize: 3,
        strides: 2,
        activation: "relu",
        kernelInitializer: init(1),
      })
      .apply(x0) as tf.SymbolicTensor;
    const left = tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: "same", kernelInitializer: init(2) })
      .apply(stem) as tf.SymbolicTensor;
    const leftBn = tf.layers.batchNormalization({}).apply(left) as tf.SymbolicTensor;
    const sum = tf.layers.add({ name: "residual" }).apply([stem, leftBn]) as tf.SymbolicTensor;
    const right = tf.layers
      .conv2d({ filters: 2, kernelSize: 1, activation: "relu", kernelInitializer: init(3) })
      .apply(stem) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: "joined" }).apply([sum, right]) as tf.SymbolicTensor;
    const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(cat) as tf.SymbolicTensor;
    const flat = tf.layers.flatten().apply(pooled) as tf.SymbolicTensor;
    const logits = tf.layers
      .dense({ units: 10, kernelInitializer: init(4) })
      .apply(flat) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: logits });
    compileTutorial(model, 0.01);
    const train = data.train.take(512);
    const x = tf.tensor3d(train.asFloat().data, [512, 28, 28]);
    const y = tf.tensor2d(train.oneHot().data, [512, 10]);
    // 32 steps at learning rate 0.01: a model well above chance (≈ 70 %), whose top-1 is not
    // mostly ties on the output grid.
    await fit(model, x, y, { epochs: 4, batchSize: 64, progress: false, seed: 1 });

    const qat = quantizeModel(model);
    const classes = qat.layers.map((l) => l.getClassName());
    assert.equal(classes.filter((c) => c === "TsquantQuantMerge").length, 2);
    assert.equal(classes.filter((c) => c === "TsquantQuantWeighted").length, 4);
    assert.ok(!classes.includes("BatchNormalization"), classes.join(", "));
    compileTutorial(qat);
    await fit(qat, x, y, { epochs: 1, batchSize: 128, progress: false, seed: 1 });
    tf.dispose([x, y]);
    const learned = learnedRanges(qat);
    assert.ok(learned.layers["residual"] !== undefined && learned.layers["joined"] !== undefined);

    const c = TFLiteConverter.fromLayersModel(qat);
    c.optimizations = ["DEFAULT"];
    c.targetSpec.supportedOps = ["TFLITE_BUILTINS_INT8"];
    c.inferenceInputType = "int8";
    c.inferenceOutputType = "int8";
    const bytes = await c.convert();
    const m = readModel(bytes);
    // CONCATENATION keeps one scale for its inputs and output, so the Add feeding it takes the
    // concatenation's learned parameters (the two ranges differ in the 7th digit here).
    const int8Named = (prefix: string) =>
      m.subgraphs[0]?.tensors.find((x8) => x8.name.startsWith(prefix) && x8.type === "int8");
    const joined = int8Named("joined/");
    const add = int8Named("residual/");
    const r = learned.layers["joined"]?.output;
    assert.ok(joined !== undefined && add !== undefined && r !== undefined);
    const e = tfFakeQuantParams(r.min, r.max);
    assert.deepEqual(joined.quantization?.scale, [e.scale]);
    assert.deepEqual(joined.quantization?.zeroPoint, [e.zeroPoint]);
    assert.deepEqual(add.quantization?.scale, joined.quantization?.scale);

    const n = 500;
    const test500 = images.subarray(0, n * 784);
    const inp = modelInput(bytes, test500, n);
    const ref = await runLiteRT(bytes, [inp], { resolver: "ref", batch: n });
    const out = ref.outputs[0] as NDArray;
    assert.deepEqual(
      Array.from(runInterpreter(bytes, inp).data as Int8Array),
      Array.from(out.data as Int8Array),
    );
    assertFollowsQatForward(t, qat, test500, out, m);
  });
});
