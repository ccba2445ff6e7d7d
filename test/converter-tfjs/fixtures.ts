/**
 * The two TF fixture models rebuilt in tfjs with TF's trained weights read back from TF's own
 * float `.tflite` (inverse layouts done with tfjs transposes, independent of ../../kernel/src/
 * converter/tfjs/layout.ts), so that tsquant's conversion can be compared with TF's.
 */
import * as tf from "@tensorflow/tfjs";
import type { Model, NDArray } from "../../kernel/src/ir";
import { opName } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite";
import { fixtureModelBytes } from "../helpers/fixtures";
import { everyOpCnn, tutorialCnn } from "./cases";

/** The float32 values and shape of constant tensor `index`. */
export function constantOf(model: Model, index: number): { data: Float32Array; shape: number[] } {
  const sg = model.subgraphs[0];
  const t = sg?.tensors[index];
  const bytes = t === undefined ? null : (model.buffers[t.buffer]?.data ?? null);
  if (t === undefined || bytes === null) throw new Error(`tensor #${index} is not a constant`);
  const copy = bytes.slice();
  return { data: new Float32Array(copy.buffer, 0, copy.byteLength / 4), shape: t.shape };
}

/** Weights and bias of the ops of kind `op` in `model`, in execution order. */
function opWeights(model: Model, op: string): { w: tf.Tensor; b: tf.Tensor; dilation: number }[] {
  const sg = model.subgraphs[0];
  if (sg === undefined) return [];
  return sg.operators
    .filter((o) => opName(model.operatorCodes[o.opcodeIndex]?.builtinCode ?? -1) === op)
    .map((o) => {
      const w = constantOf(model, o.inputs[1] ?? -1);
      const b = constantOf(model, o.inputs[2] ?? -1);
      const opts = o.builtinOptions;
      const dilation = opts !== null && "dilationHFactor" in opts ? opts.dilationHFactor : 1;
      return { w: tf.tensor(w.data, w.shape), b: tf.tensor(b.data, b.shape), dilation };
    });
}

const ohwiToHwio = (w: tf.Tensor) => tf.transpose(w, [1, 2, 3, 0]);

function layerOf(
  model: tf.LayersModel,
  className: string,
  pick: (c: tf.serialization.ConfigDict) => boolean,
) {
  const layer = model.layers.find((l) => l.getClassName() === className && pick(l.getConfig()));
  if (layer === undefined) throw new Error(`no ${className} layer`);
  return layer;
}

/** The tutorial CNN with the weights of `cnn_float32.tflite`. */
export function tutorialCnnWithTfWeights(): tf.LayersModel {
  const ref = readModel(fixtureModelBytes("cnn_float32"));
  const model = tutorialCnn();
  tf.tidy(() => {
    const [conv] = opWeights(ref, "CONV_2D");
    const [fc] = opWeights(ref, "FULLY_CONNECTED");
    if (conv === undefined || fc === undefined) throw new Error("cnn_float32: ops missing");
    layerOf(model, "Conv2D", () => true).setWeights([ohwiToHwio(conv.w), conv.b]);
    layerOf(model, "Dense", () => true).setWeights([tf.transpose(fc.w), fc.b]);
  });
  return model;
}

/**
 * The every-op model with the weights of `everyop_float32.tflite`. TF folded the batch norm
 * into the first conv, so the tfjs batch norm gets γ = 1, μ = 0, σ² = 1, ε = 0 and β = TF's
 * folded bias: an exact `x + β`, which tsquant folds back to TF's bias bit for bit.
 */
export function everyOpCnnWithTfWeights(): tf.LayersModel {
  const ref = readModel(fixtureModelBytes("everyop_float32"));
  const model = everyOpCnn(0);
  tf.tidy(() => {
    const convs = opWeights(ref, "CONV_2D");
    const first = convs.find((c) => c.w.shape[3] === 1);
    const dilated = convs.find((c) => c.dilation === 2);
    const last = convs.find((c) => c.w.shape[0] === 32);
    const [dw] = opWeights(ref, "DEPTHWISE_CONV_2D");
    const fcs = opWeights(ref, "FULLY_CONNECTED");
    const hidden = fcs.find((f) => f.w.shape[0] === 64);
    const logits = fcs.find((f) => f.w.shape[0] === 10);
    if (!first || !dilated || !last || !dw || !hidden || !logits) {
      throw new Error("everyop_float32: ops missing");
    }
    const c = first.b.shape[0] ?? 0;
    const pairs = (x: tf.serialization.ConfigDictValue | undefined) => JSON.stringify(x);
    layerOf(model, "Conv2D", (k) => pairs(k.strides) === "[2,2]").setWeights([ohwiToHwio(first.w)]);
    layerOf(model, "BatchNormalization", () => true).setWeights([
      tf.ones([c]),
      first.b,
      tf.zeros([c]),
      tf.ones([c]),
    ]);
    layerOf(model, "Conv2D", (k) => pairs(k.dilationRate) === "[2,2]").setWeights([
      ohwiToHwio(dilated.w),
      dilated.b,
    ]);
    layerOf(model, "Conv2D", (k) => k.filters === 32).setWeights([ohwiToHwio(last.w), last.b]);
    layerOf(model, "DepthwiseConv2D", () => true).setWeights([
      tf.reshape(dw.w, [3, 3, dw.w.shape[3] ?? 0, 1]),
      dw.b,
    ]);
    layerOf(model, "Dense", (k) => k.units === 64).setWeights([tf.transpose(hidden.w), hidden.b]);
    layerOf(model, "Dense", (k) => k.units === 10).setWeights([tf.transpose(logits.w), logits.b]);
  });
  return model;
}

/** The first `n` samples of a fixture array (axis 0). */
export function firstSamples(a: NDArray, n: number): NDArray {
  const per = a.data.length / (a.shape[0] ?? 1);
  return { ...a, data: a.data.slice(0, n * per), shape: [n, ...a.shape.slice(1)] };
}
