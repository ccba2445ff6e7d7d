/**
 * The tutorials' MNIST CNN and data as tfjs tensors, shared by the benchmark, the 5-epoch run and
 * the QAT tests: Reshape → Conv2D(12, 3×3, relu) → MaxPool 2 → Flatten → Dense(10) logits,
 * trained with Adam on cross-entropy from logits. NOTE: the labels are one-hot ([n, 10]) because
 * tfjs requires targets shaped like the output for a custom loss; softmax cross-entropy on one-hot
 * labels equals Keras's sparse categorical cross-entropy `from_logits=True` on integer labels.
 */
import * as tf from "@tensorflow/tfjs";
import type { LabeledImages } from "../data/datasets";
import { argmaxMatch } from "../fast/loss";

export function tutorialCnn(seed = 0): tf.Sequential {
  const init = (s: number): ReturnType<typeof tf.initializers.glorotUniform> =>
    tf.initializers.glorotUniform({ seed: seed * 10 + s });
  return tf.sequential({
    layers: [
      tf.layers.reshape({ inputShape: [28, 28], targetShape: [28, 28, 1] }),
      tf.layers.conv2d({
        filters: 12,
        kernelSize: 3,
        activation: "relu",
        kernelInitializer: init(1),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, kernelInitializer: init(2) }),
    ],
  });
}

/** Mean softmax cross-entropy of logits against one-hot labels [n, classes]. */
export function crossEntropyFromLogits(oneHot: tf.Tensor, logits: tf.Tensor): tf.Scalar {
  return tf.losses.softmaxCrossEntropy(oneHot, logits);
}

/**
 * Per-example 1 where argmax(logits) = argmax(one-hot label), else 0 (tfjs metric form); one
 * kernel while tsquant's fast kernels are enabled.
 */
export function accuracy(oneHot: tf.Tensor, logits: tf.Tensor): tf.Tensor {
  return argmaxMatch(oneHot, logits);
}

export function compileTutorial(model: tf.LayersModel, learningRate = 0.001): void {
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: crossEntropyFromLogits,
    metrics: [accuracy],
  });
}

/** Images as float32 [n, 28, 28] in [0, 1], labels one-hot float32 [n, classes]. */
export function toTensors(split: LabeledImages): { x: tf.Tensor3D; y: tf.Tensor2D } {
  const f = split.asFloat();
  const [n, h, w] = f.shape;
  return {
    x: tf.tensor3d(f.data, [n ?? 0, h ?? 28, w ?? 28]),
    y: tf.tensor2d(split.oneHot().data, [n ?? 0, split.classNames.length]),
  };
}
