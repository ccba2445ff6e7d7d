"""TensorFlow side of the peer benchmark (run by test/bench/peers/run.ts in .venv-peers).

    tf_peer.py --dir WORK --epochs E

Reads from WORK (written by run.ts, .npy):
  conv_kernel [3,3,1,12], conv_bias [12], dense_kernel [1352,10], dense_bias [10]: the float
      weights tsquant trained (tfjs and Keras share the HWIO / [in, out] layouts);
  calib [100,28,28] float32: the 100 calibration images, fl32(u8 / 255);
  train_x [N,28,28] float32, train_y [N] int: training images (throughput run, QAT subset);
  test_x [10000,28,28] float32, test_y: for the Keras accuracy of the TF-trained model.
Writes WORK/tf_<mode>.tflite for mode in float32, float16, dynamic, int8, int8-only, qat and
prints one JSON line: conversion seconds per mode, TF training throughput and accuracies.

The Keras model is the tutorials' (Reshape → Conv2D 12 3×3 relu → MaxPool 2 → Flatten → Dense
10): Keras 3 (what `tf.keras` is in TF 2.21) for training and post-training conversion, tf-keras
for QAT because tensorflow-model-optimization needs Keras 2. NOTE: the converted copies have a
fixed batch of 1 (as test/fixtures/make_fixtures.py does): with a dynamic batch TF writes
SHAPE/STRIDED_SLICE/PACK before each RESHAPE, ops tsquant's converter does not emit (it keeps
the batch dynamic through a -1 in the RESHAPE target) and tsquant's interpreter does not run.
"""

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402  (Keras 3)
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tensorflow_model_optimization as tfmot  # noqa: E402
import tf_keras  # noqa: E402  (Keras 2, for tfmot)


def tutorial_cnn(k=keras, batch_size=None):
    shape = {"shape": (28, 28)} if k is keras else {"input_shape": (28, 28)}
    return k.Sequential(
        [
            k.layers.InputLayer(batch_size=batch_size, **shape),
            k.layers.Reshape(target_shape=(28, 28, 1)),
            k.layers.Conv2D(filters=12, kernel_size=(3, 3), activation="relu"),
            k.layers.MaxPooling2D(pool_size=(2, 2)),
            k.layers.Flatten(),
            k.layers.Dense(10),
        ]
    )


def compile_tutorial(model, k=keras) -> None:
    model.compile(
        optimizer="adam",
        loss=k.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )


def convert(model: "keras.Model", mode: str, calib: np.ndarray) -> bytes:
    """The tutorials' converter settings for `mode` (post_training_*_quant.ipynb)."""
    c = tf.lite.TFLiteConverter.from_keras_model(model)
    if mode != "float32":
        c.optimizations = [tf.lite.Optimize.DEFAULT]
    if mode == "float16":
        c.target_spec.supported_types = [tf.float16]
    if mode in ("int8", "int8-only"):

        def representative_data_gen():
            for x in calib:
                yield [x[None].astype(np.float32)]

        c.representative_dataset = representative_data_gen
    if mode == "int8-only":
        c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        c.inference_input_type = tf.uint8
        c.inference_output_type = tf.uint8
    return c.convert()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--epochs", type=int, required=True)
    args = ap.parse_args()
    load = lambda name: np.load(os.path.join(args.dir, name + ".npy"))  # noqa: E731
    weights = [load(n) for n in ("conv_kernel", "conv_bias", "dense_kernel", "dense_bias")]
    calib = load("calib").astype(np.float32)
    train_x, train_y = load("train_x").astype(np.float32), load("train_y").astype(np.int64)
    test_x, test_y = load("test_x").astype(np.float32), load("test_y").astype(np.int64)
    keras.utils.set_random_seed(0)

    model = tutorial_cnn(batch_size=1)
    model.set_weights(weights)
    dynamic = tutorial_cnn()
    dynamic.set_weights(weights)
    compile_tutorial(dynamic)
    float_accuracy = float(dynamic.evaluate(test_x, test_y, verbose=0)[1])

    out: dict = {"tensorflow": tf.__version__, "tfmot": tfmot.__version__, "seconds": {}}
    convert(model, "dynamic", calib)  # warm-up (tracing), not reported
    for mode in ("float32", "float16", "dynamic", "int8", "int8-only"):
        t = time.perf_counter()
        data = convert(model, mode, calib)
        out["seconds"][mode] = time.perf_counter() - t
        with open(os.path.join(args.dir, f"tf_{mode}.tflite"), "wb") as f:
            f.write(data)

    # QAT, the tutorial's recipe (training_example.ipynb): quantize_model of the float model,
    # fit on the first 1,000 training images, batch 500, 1 epoch, validation split 0.1.
    # Trained with a dynamic batch, then its weights (quantizer ranges included) copied into a
    # batch-1 QAT model for conversion.
    float2 = tutorial_cnn(tf_keras)
    float2.set_weights(weights)
    q_model = tfmot.quantization.keras.quantize_model(float2)
    compile_tutorial(q_model, tf_keras)
    t = time.perf_counter()
    q_model.fit(
        train_x[:1000], train_y[:1000], batch_size=500, epochs=1, validation_split=0.1, verbose=0
    )
    out["qatTrainSeconds"] = time.perf_counter() - t
    out["qatKerasAccuracy"] = float(q_model.evaluate(test_x, test_y, verbose=0)[1])
    frozen = tfmot.quantization.keras.quantize_model(tutorial_cnn(tf_keras, batch_size=1))
    frozen.set_weights(q_model.get_weights())
    t = time.perf_counter()
    c = tf.lite.TFLiteConverter.from_keras_model(frozen)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    data = c.convert()
    out["seconds"]["qat"] = time.perf_counter() - t
    with open(os.path.join(args.dir, "tf_qat.tflite"), "wb") as f:
        f.write(data)

    # Training throughput: a fresh tutorial CNN, batch 32, Adam, the same images and epochs as
    # tsquant's run (shuffled, as Keras's default), default threading.
    fresh = tutorial_cnn()
    compile_tutorial(fresh)
    t = time.perf_counter()
    fresh.fit(train_x, train_y, batch_size=32, epochs=args.epochs, verbose=0)
    seconds = time.perf_counter() - t
    out["train"] = {
        "images": int(train_x.shape[0]) * args.epochs,
        "seconds": seconds,
        "imagesPerSecond": train_x.shape[0] * args.epochs / seconds,
        "testAccuracy": float(fresh.evaluate(test_x, test_y, verbose=0)[1]),
        "intraOpThreads": tf.config.threading.get_intra_op_parallelism_threads(),
    }
    out["floatKerasAccuracy"] = float_accuracy
    print(json.dumps(out))


if __name__ == "__main__":
    main()
