/**
 * layersModelToFloatModel: what the result looks like (names, shapes, signatures, options) and
 * every refusal, with its message. The outputs are checked against tfjs in
 * test/converter-tfjs/.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { ModelFormatError, ShapeError, UnsupportedError, UsageError } from "../../errors";
import type { Model } from "../../ir";
import { layersModelToFloatModel } from "./convert";
import { SUPPORTED_LAYERS } from "./layers/registry";

const L = tf.layers;

function seq(inputShape: (number | null)[], layers: tf.layers.Layer[], batchSize?: number) {
  const m = tf.sequential();
  m.add(
    L.inputLayer(
      batchSize === undefined ? { inputShape } : { batchInputShape: [batchSize, ...inputShape] },
    ),
  );
  for (const l of layers) m.add(l);
  return m;
}

function tensors(model: Model) {
  return model.subgraphs[0]?.tensors ?? [];
}

describe("the converted model", () => {
  test("dynamic batch: shape 1, signature -1 on activations, none on constants, RESHAPE target -1", () => {
    const m = seq(
      [4, 6],
      [L.reshape({ targetShape: [2, 12] }), L.dense({ units: 3, useBias: false })],
    );
    const ir = layersModelToFloatModel(m);
    const sg = ir.subgraphs[0];
    assert.ok(sg !== undefined);
    const input = sg.tensors[sg.inputs[0] ?? -1];
    assert.ok(input !== undefined);
    assert.equal(input.name, `serving_default_${m.inputs[0]?.sourceLayer.name}:0`);
    assert.deepEqual(input.shape, [1, 4, 6]);
    assert.deepEqual(input.shapeSignature, [-1, 4, 6]);
    const shapeConst = tensors(ir).find((t) => t.name.endsWith("/shape"));
    assert.ok(shapeConst !== undefined);
    assert.equal(shapeConst.shapeSignature, null);
    const data = ir.buffers[shapeConst.buffer]?.data;
    assert.ok(data);
    assert.deepEqual([...new Int32Array(data.slice().buffer)], [-1, 2, 12]);
    const fc = sg.operators[1];
    assert.equal(fc?.inputs[2], -1, "Dense without bias: no bias input");
    assert.deepEqual(fc?.builtinOptions, {
      type: "FullyConnectedOptions",
      fusedActivationFunction: "NONE",
      weightsFormat: 0,
      keepNumDims: true,
      asymmetricQuantizeInputs: false,
      quantizedBiasType: 0,
    });
    const out = sg.tensors[sg.outputs[0] ?? -1];
    assert.deepEqual(
      [out?.shape, out?.shapeSignature],
      [
        [1, 2, 3],
        [-1, 2, 3],
      ],
    );
    assert.deepEqual(ir.signatureDefs, [
      {
        inputs: [{ name: m.inputs[0]?.sourceLayer.name, tensorIndex: sg.inputs[0] }],
        outputs: [{ name: "output_0", tensorIndex: sg.outputs[0] }],
        signatureKey: "serving_default",
        subgraphIndex: 0,
      },
    ]);
    // Every tensor its own buffer; activations' buffers hold no data.
    assert.equal(new Set(sg.tensors.map((t) => t.buffer)).size, sg.tensors.length);
    assert.equal(ir.buffers[input.buffer]?.data, null);
    m.dispose();
  });

  test("batchSize 1 (and a model built for a fixed batch): static shapes, no signatures", () => {
    const m = seq([4, 6], [L.flatten()]);
    const ir = layersModelToFloatModel(m, { batchSize: 1 });
    assert.ok(tensors(ir).every((t) => t.shapeSignature === null));
    const target = tensors(ir).find((t) => t.name.endsWith("/shape"));
    const data = target === undefined ? undefined : ir.buffers[target.buffer]?.data;
    assert.ok(data);
    assert.deepEqual([...new Int32Array(data.slice().buffer)], [1, 24]);
    const fixed = seq([4, 6], [L.flatten()], 5);
    const ir5 = layersModelToFloatModel(fixed);
    assert.deepEqual(tensors(ir5)[0]?.shape, [5, 4, 6]);
    assert.ok(tensors(ir5).every((t) => t.shapeSignature === null));
    assert.throws(() => layersModelToFloatModel(fixed, { batchSize: 2 }), UsageError);
    assert.throws(
      () => layersModelToFloatModel(m, { batchSize: 0 }),
      /batchSize must be a positive integer, found 0/,
    );
    m.dispose();
    fixed.dispose();
  });

  test("Concatenate's axis -1 is written as rank − 1; ADD writes potScaleInt16 as TF does", () => {
    const x = tf.input({ shape: [2, 2, 3] });
    const c = L.concatenate({ axis: -1 }).apply([x, x]) as tf.SymbolicTensor;
    const s = L.add().apply([c, c]) as tf.SymbolicTensor;
    const m = tf.model({ inputs: x, outputs: s });
    const ir = layersModelToFloatModel(m);
    assert.deepEqual(
      ir.subgraphs[0]?.operators.map((o) => o.builtinOptions),
      [
        { type: "ConcatenationOptions", axis: 3, fusedActivationFunction: "NONE" },
        { type: "AddOptions", fusedActivationFunction: "NONE", potScaleInt16: true },
      ],
    );
    m.dispose();
  });
});

describe("refusals name the layer, its class and what is supported", () => {
  const cases: [
    string,
    () => tf.LayersModel,
    typeof UnsupportedError | typeof ShapeError,
    RegExp,
  ][] = [
    [
      "an unsupported layer class",
      () => seq([8], [L.leakyReLU({ name: "leaky" })]),
      UnsupportedError,
      new RegExp(
        `layer 'leaky' \\(LeakyReLU\\): class LeakyReLU is not supported; supported layers: ${SUPPORTED_LAYERS.join(", ")}`,
      ),
    ],
    [
      "Conv2D channelsFirst",
      () =>
        seq(
          [3, 8, 8],
          [L.conv2d({ name: "cf", filters: 2, kernelSize: 3, dataFormat: "channelsFirst" })],
        ),
      UnsupportedError,
      /layer 'cf' \(Conv2D\): dataFormat 'channelsFirst' is not supported: TFLite is NHWC/,
    ],
    [
      "an activation without a TFLite op",
      () => seq([8], [L.dense({ name: "d", units: 2, activation: "elu" })]),
      UnsupportedError,
      /layer 'd' \(Dense\): activation 'elu' is not supported \(supported: linear, relu, relu6, sigmoid, tanh, softmax\)/,
    ],
    [
      "ReLU with maxValue 3",
      () => seq([8], [L.reLU({ name: "r", maxValue: 3 })]),
      UnsupportedError,
      /layer 'r' \(ReLU\): maxValue 3 is not supported/,
    ],
    [
      "Softmax over a non-last axis (tfjs's default axis 1 on a rank-4 input)",
      () => seq([4, 4, 2], [L.softmax({ name: "sm" })]),
      UnsupportedError,
      /layer 'sm' \(Softmax\): softmax over axis 1 is not supported \(only the last axis, -1 or 3\)/,
    ],
    [
      "BatchNormalization over axis 1 of a rank-4 input",
      () => seq([4, 4, 2], [L.batchNormalization({ name: "bn", axis: 1 })]),
      UnsupportedError,
      /layer 'bn' \(BatchNormalization\): normalizing axis 1 of a rank-4 input is not supported/,
    ],
    [
      "DepthwiseConv2D with dilation (tfjs ignores it)",
      () => seq([8, 8, 2], [L.depthwiseConv2d({ name: "dw", kernelSize: 3, dilationRate: 2 })]),
      UnsupportedError,
      /layer 'dw' \(DepthwiseConv2D\): dilationRate \[2, 2\] is not supported: tfjs ignores/,
    ],
    [
      "an unknown spatial dimension",
      () => seq([null, 8, 2], [L.conv2d({ name: "c", filters: 2, kernelSize: 3 })]),
      UnsupportedError,
      /tensor '.*' has shape \[null, null, 8, 2\]; only the batch dimension may be unknown/,
    ],
    [
      "a 1-D layer (MaxPooling1D)",
      () => seq([8, 8], [L.maxPooling1d({ name: "p1", poolSize: 2 })]),
      UnsupportedError,
      /layer 'p1' \(MaxPooling1D\): class MaxPooling1D is not supported/,
    ],
  ];
  for (const [name, build, type, message] of cases) {
    test(name, () => {
      const m = build();
      try {
        assert.throws(
          () => layersModelToFloatModel(m),
          (e: unknown) => {
            assert.ok(e instanceof type, `${String(e)} is not a ${type.name}`);
            assert.match(e.message, message);
            return true;
          },
        );
      } finally {
        m.dispose();
      }
    });
  }

  test("a batch norm whose variance + epsilon is 0 is a ModelFormatError naming the channel", () => {
    const m = seq([2, 2, 2], [L.batchNormalization({ name: "bn0", epsilon: 0 })]);
    const layer = m.getLayer("bn0");
    assert.ok(layer !== undefined);
    // gamma, beta, moving_mean, moving_variance: channel 1 has variance 0.
    layer.setWeights([tf.ones([2]), tf.zeros([2]), tf.zeros([2]), tf.tensor1d([1, 0])]);
    assert.throws(
      () => layersModelToFloatModel(m),
      (e: unknown) =>
        e instanceof ModelFormatError &&
        /layer 'bn0' \(BatchNormalization\): moving_variance \+ epsilon is 0 on channel 1/.test(
          e.message,
        ),
    );
    m.dispose();
  });
});
