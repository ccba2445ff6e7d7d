/**
 * tfjs models covering every supported layer and the combinations the passes care about, each
 * with the op list TF's converter makes of the same Keras model (`CONV_2D+RELU` = fused).
 * Shared by the interpreter test (`layers.test.ts`) and the LiteRT test
 * (`layers.litert.test.ts`).
 */
import * as tf from "@tensorflow/tfjs";

export interface Case {
  name: string;
  build: () => tf.LayersModel;
  ops: string[];
}

const L = tf.layers;
type Sym = tf.SymbolicTensor;

function seq(inputShape: number[], layers: tf.layers.Layer[]): tf.LayersModel {
  const m = tf.sequential();
  m.add(L.inputLayer({ inputShape }));
  for (const l of layers) m.add(l);
  return m;
}

/** A functional model from a function of its (single) input. */
function fn(inputShape: number[], body: (x: Sym) => Sym | Sym[]): tf.LayersModel {
  const x = tf.input({ shape: inputShape });
  return tf.model({ inputs: x, outputs: body(x) });
}

function apply(layer: tf.layers.Layer, x: Sym | Sym[]): Sym {
  return layer.apply(x) as Sym;
}

/** The model of TF's post-training quantization tutorial. */
export function tutorialCnn(): tf.LayersModel {
  return seq(
    [28, 28],
    [
      L.reshape({ targetShape: [28, 28, 1] }),
      L.conv2d({ filters: 12, kernelSize: [3, 3], activation: "relu" }),
      L.maxPooling2d({ poolSize: [2, 2] }),
      L.flatten(),
      L.dense({ units: 10 }),
    ],
  );
}

/**
 * The "every op" fixture model (test/fixtures/make_fixtures.py, `everyop_cnn`), built in tfjs.
 * `bnEpsilon` lets a test make the batch norm an exact identity-plus-offset.
 */
export function everyOpCnn(bnEpsilon = 1e-3): tf.LayersModel {
  const inp = tf.input({ shape: [28, 28, 1], name: "image" });
  let x = apply(L.zeroPadding2d({ padding: 2 }), inp);
  x = apply(
    L.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: "same", useBias: false }),
    x,
  );
  x = apply(L.batchNormalization({ epsilon: bnEpsilon }), x);
  x = apply(L.reLU(), x);
  const a = apply(L.depthwiseConv2d({ kernelSize: 3, padding: "same", activation: "relu6" }), x);
  const b = apply(L.conv2d({ filters: 16, kernelSize: 3, dilationRate: 2, padding: "same" }), x);
  const s = apply(L.add(), [a, b]);
  const gate = apply(L.activation({ activation: "sigmoid" }), s);
  const cand = apply(L.activation({ activation: "tanh" }), s);
  const m = apply(L.multiply(), [gate, cand]);
  const c = apply(L.concatenate({ axis: -1 }), [m, s]);
  const p = apply(L.averagePooling2d({ poolSize: 2 }), c);
  const y = apply(L.conv2d({ filters: 32, kernelSize: 3, padding: "same", activation: "relu" }), p);
  const g = apply(L.globalAveragePooling2d({}), y);
  const h = apply(L.dense({ units: 64, activation: "relu" }), g);
  const out = apply(L.dense({ units: 10, activation: "softmax" }), h);
  return tf.model({ inputs: inp, outputs: out, name: "everyop_cnn" });
}

const conv = (args: Parameters<typeof L.conv2d>[0]) => L.conv2d(args);

export const CASES: Case[] = [
  {
    name: "tutorial CNN (Sequential: InputLayer, Reshape, Conv2D relu, MaxPooling2D, Flatten, Dense)",
    build: tutorialCnn,
    ops: ["RESHAPE", "CONV_2D+RELU", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED"],
  },
  {
    name: "every-op fixture model in tfjs",
    build: () => everyOpCnn(),
    ops: [
      "PAD",
      "CONV_2D+RELU",
      "DEPTHWISE_CONV_2D+RELU6",
      "CONV_2D",
      "ADD",
      "LOGISTIC",
      "TANH",
      "MUL",
      "CONCATENATION",
      "AVERAGE_POOL_2D",
      "CONV_2D+RELU",
      "MEAN",
      "FULLY_CONNECTED+RELU",
      "FULLY_CONNECTED",
      "SOFTMAX",
    ],
  },
  {
    name: "Conv2D same, strides 2, no bias, relu6",
    build: () =>
      seq(
        [9, 9, 3],
        [
          conv({
            filters: 4,
            kernelSize: 3,
            strides: 2,
            padding: "same",
            useBias: false,
            activation: "relu6",
          }),
        ],
      ),
    ops: ["CONV_2D+RELU6"],
  },
  {
    name: "Conv2D valid, 3×2 kernel, strides [2, 1], sigmoid",
    build: () =>
      seq(
        [8, 7, 2],
        [conv({ filters: 5, kernelSize: [3, 2], strides: [2, 1], activation: "sigmoid" })],
      ),
    ops: ["CONV_2D", "LOGISTIC"],
  },
  {
    name: "Conv2D dilation 2 (same and valid), tanh",
    build: () =>
      seq(
        [10, 10, 3],
        [
          conv({ filters: 4, kernelSize: 3, dilationRate: 2, padding: "same" }),
          conv({ filters: 3, kernelSize: [2, 3], dilationRate: [2, 1], activation: "tanh" }),
        ],
      ),
    ops: ["CONV_2D", "CONV_2D", "TANH"],
  },
  {
    name: "DepthwiseConv2D multiplier 2, same, strides 2, relu",
    build: () =>
      seq(
        [9, 9, 3],
        [
          L.depthwiseConv2d({
            kernelSize: 3,
            depthMultiplier: 2,
            strides: 2,
            padding: "same",
            activation: "relu",
          }),
        ],
      ),
    ops: ["DEPTHWISE_CONV_2D+RELU"],
  },
  {
    name: "DepthwiseConv2D 3×2, valid, no bias, softmax",
    build: () =>
      seq(
        [8, 8, 4],
        [L.depthwiseConv2d({ kernelSize: [3, 2], useBias: false, activation: "softmax" })],
      ),
    ops: ["DEPTHWISE_CONV_2D", "SOFTMAX"],
  },
  {
    name: "SeparableConv2D multiplier 2, same, dilation 2, relu → DEPTHWISE_CONV_2D + CONV_2D 1×1",
    build: () =>
      seq(
        [8, 8, 3],
        [
          L.separableConv2d({
            filters: 5,
            kernelSize: 3,
            depthMultiplier: 2,
            padding: "same",
            dilationRate: 2,
            activation: "relu",
          }),
        ],
      ),
    ops: ["DEPTHWISE_CONV_2D", "CONV_2D+RELU"],
  },
  {
    name: "SeparableConv2D strides 2, valid, no bias",
    build: () =>
      seq(
        [9, 9, 2],
        [L.separableConv2d({ filters: 3, kernelSize: 3, strides: 2, useBias: false })],
      ),
    ops: ["DEPTHWISE_CONV_2D", "CONV_2D"],
  },
  {
    name: "Dense softmax, Dense without bias + relu",
    build: () =>
      seq(
        [12],
        [
          L.dense({ units: 7, useBias: false, activation: "relu" }),
          L.dense({ units: 5, activation: "softmax" }),
        ],
      ),
    ops: ["FULLY_CONNECTED+RELU", "FULLY_CONNECTED", "SOFTMAX"],
  },
  {
    name: "Dense on a rank-4 input (keepNumDims)",
    build: () => seq([3, 4, 6], [L.dense({ units: 5, activation: "tanh" })]),
    ops: ["FULLY_CONNECTED", "TANH"],
  },
  {
    name: "MaxPooling2D same 3×3 stride 2, AveragePooling2D same (padding not counted), valid 2×3 strides [1, 2]",
    build: () =>
      seq(
        [11, 11, 2],
        [
          L.maxPooling2d({ poolSize: 3, strides: 2, padding: "same" }),
          L.averagePooling2d({ poolSize: 3, strides: 2, padding: "same" }),
          L.averagePooling2d({ poolSize: [2, 3], strides: [1, 2] }),
        ],
      ),
    ops: ["MAX_POOL_2D", "AVERAGE_POOL_2D", "AVERAGE_POOL_2D"],
  },
  {
    name: "GlobalAveragePooling2D → MEAN, Dense",
    build: () => seq([5, 6, 4], [L.globalAveragePooling2d({}), L.dense({ units: 3 })]),
    ops: ["MEAN", "FULLY_CONNECTED"],
  },
  {
    name: "BatchNormalization folded into Conv2D, then ReLU fused",
    build: () =>
      seq([8, 8, 3], [conv({ filters: 4, kernelSize: 3 }), L.batchNormalization({}), L.reLU()]),
    ops: ["CONV_2D+RELU"],
  },
  {
    name: "BatchNormalization folded into a Conv2D without bias (center and scale off)",
    build: () =>
      seq(
        [8, 8, 3],
        [
          conv({ filters: 4, kernelSize: 3, useBias: false }),
          L.batchNormalization({ center: false, scale: false }),
        ],
      ),
    ops: ["CONV_2D"],
  },
  {
    name: "BatchNormalization folded into DepthwiseConv2D (multiplier 2)",
    build: () =>
      seq(
        [7, 7, 3],
        [
          L.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2 }),
          L.batchNormalization({ epsilon: 0.01 }),
        ],
      ),
    ops: ["DEPTHWISE_CONV_2D"],
  },
  {
    name: "BatchNormalization folded into SeparableConv2D's pointwise conv",
    build: () =>
      seq(
        [7, 7, 3],
        [
          L.separableConv2d({ filters: 4, kernelSize: 3 }),
          L.batchNormalization({}),
          L.activation({ activation: "relu6" }),
        ],
      ),
    ops: ["DEPTHWISE_CONV_2D", "CONV_2D+RELU6"],
  },
  {
    name: "BatchNormalization folded into Dense (with and without bias)",
    build: () =>
      seq(
        [10],
        [
          L.dense({ units: 6 }),
          L.batchNormalization({}),
          L.dense({ units: 4, useBias: false }),
          L.batchNormalization({}),
        ],
      ),
    ops: ["FULLY_CONNECTED", "FULLY_CONNECTED"],
  },
  {
    name: "BatchNormalization kept as MUL + ADD: after a Conv2D with relu, after the input, after pooling (+ReLU fused into ADD)",
    build: () =>
      seq(
        [8, 8, 3],
        [
          L.batchNormalization({}),
          conv({ filters: 4, kernelSize: 3, activation: "relu" }),
          L.batchNormalization({}),
          L.maxPooling2d({ poolSize: 2 }),
          L.batchNormalization({}),
          L.reLU(),
        ],
      ),
    ops: ["MUL", "ADD", "CONV_2D+RELU", "MUL", "ADD", "MAX_POOL_2D", "MUL", "ADD+RELU"],
  },
  {
    name: "BatchNormalization kept when the conv output has another reader",
    build: () =>
      fn([6, 6, 2], (x) => {
        const c = apply(conv({ filters: 3, kernelSize: 3, padding: "same" }), x);
        const n = apply(L.batchNormalization({}), c);
        return apply(L.add(), [c, n]);
      }),
    ops: ["CONV_2D", "MUL", "ADD", "ADD"],
  },
  {
    name: "Activation layers: relu after MaxPooling2D (fused), linear, sigmoid, tanh, Softmax layer",
    build: () =>
      seq(
        [6, 6, 3],
        [
          L.maxPooling2d({ poolSize: 2 }),
          L.activation({ activation: "relu" }),
          L.activation({ activation: "linear" }),
          L.activation({ activation: "sigmoid" }),
          L.activation({ activation: "tanh" }),
          L.softmax({ axis: -1 }),
        ],
      ),
    ops: ["MAX_POOL_2D+RELU", "LOGISTIC", "TANH", "SOFTMAX"],
  },
  {
    name: "ReLU after Add (fused), ReLU maxValue 6 after Multiply (fused), relu after Concatenate (not fused)",
    build: () =>
      fn([4, 4, 3], (x) => {
        const a = apply(conv({ filters: 3, kernelSize: 1 }), x);
        const s = apply(L.reLU(), apply(L.add(), [a, x]));
        const m = apply(L.reLU({ maxValue: 6 }), apply(L.multiply(), [s, x]));
        return apply(L.activation({ activation: "relu" }), apply(L.concatenate({}), [m, s]));
      }),
    ops: ["CONV_2D", "ADD+RELU", "MUL+RELU6", "CONCATENATION", "RELU"],
  },
  {
    name: "Dropout removed (ReLU fuses through it)",
    build: () =>
      seq(
        [6, 6, 2],
        [
          conv({ filters: 3, kernelSize: 3 }),
          L.dropout({ rate: 0.5 }),
          L.reLU(),
          L.flatten(),
          L.dropout({ rate: 0.2 }),
          L.dense({ units: 2 }),
        ],
      ),
    ops: ["CONV_2D+RELU", "RESHAPE", "FULLY_CONNECTED"],
  },
  {
    name: "Add and Multiply of three inputs, Multiply broadcasting [1, 1, C]",
    build: () =>
      fn([4, 5, 3], (x) => {
        const a = apply(conv({ filters: 3, kernelSize: 1 }), x);
        const b = apply(conv({ filters: 3, kernelSize: 1 }), x);
        const s = apply(L.add(), [a, b, x]);
        const g = apply(
          L.reshape({ targetShape: [1, 1, 3] }),
          apply(L.globalAveragePooling2d({}), x),
        );
        return apply(L.multiply(), [s, g, a]);
      }),
    ops: ["CONV_2D", "CONV_2D", "ADD", "ADD", "MEAN", "RESHAPE", "MUL", "MUL"],
  },
  {
    name: "Concatenate on axis -1 and on axis 1",
    build: () =>
      fn([3, 4, 2], (x) => {
        const a = apply(conv({ filters: 3, kernelSize: 1 }), x);
        const c = apply(L.concatenate({ axis: -1 }), [x, a]);
        return apply(L.concatenate({ axis: 1 }), [c, c]);
      }),
    ops: ["CONV_2D", "CONCATENATION", "CONCATENATION"],
  },
  {
    name: "ZeroPadding2D asymmetric, then Conv2D",
    build: () =>
      seq(
        [5, 6, 2],
        [
          L.zeroPadding2d({
            padding: [
              [1, 2],
              [0, 3],
            ],
          }),
          conv({ filters: 2, kernelSize: 3 }),
        ],
      ),
    ops: ["PAD", "CONV_2D"],
  },
  {
    name: "Reshape [6, 8, 2] → [12, 8] → [4, 4, 6] and Flatten",
    build: () =>
      seq(
        [6, 8, 2],
        [
          L.reshape({ targetShape: [12, 8] }),
          L.reshape({ targetShape: [4, 4, 6] }),
          L.flatten(),
          L.dense({ units: 3 }),
        ],
      ),
    ops: ["RESHAPE", "RESHAPE", "RESHAPE", "FULLY_CONNECTED"],
  },
  {
    name: "two inputs, two outputs; a conv output that is also a model output keeps its ReLU separate",
    build: () => {
      const x = tf.input({ shape: [6, 6, 2], name: "left" });
      const y = tf.input({ shape: [6, 6, 3], name: "right" });
      const c = apply(conv({ filters: 3, kernelSize: 3, padding: "same" }), x);
      const r = apply(L.reLU(), c);
      const s = apply(L.add(), [r, y]);
      return tf.model({ inputs: [x, y], outputs: [s, c] });
    },
    ops: ["CONV_2D", "RELU", "ADD"],
  },
  {
    name: "nested Sequential inside a functional model; a shared Dense called twice",
    build: () => {
      const inner = tf.sequential({
        layers: [
          conv({ inputShape: [6, 6, 2], filters: 4, kernelSize: 3 }),
          L.batchNormalization({}),
          L.reLU(),
          L.flatten(),
        ],
      });
      const x = tf.input({ shape: [6, 6, 2] });
      const f = apply(inner, x);
      const shared = L.dense({ units: 64, activation: "relu" });
      const h1 = apply(shared, f);
      const h2 = apply(shared, h1);
      return tf.model({ inputs: x, outputs: apply(L.add(), [h1, h2]) });
    },
    ops: ["CONV_2D+RELU", "RESHAPE", "FULLY_CONNECTED+RELU", "FULLY_CONNECTED+RELU", "ADD"],
  },
];
