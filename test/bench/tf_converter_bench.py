"""TensorFlow side of the converter benchmark (run by test/bench/converter.bench.ts).

Usage: .venv-tf/bin/python test/bench/tf_converter_bench.py
Prints one JSON line: seconds of tf.lite.TFLiteConverter.from_keras_model(...).convert() per
family (tutorial CNN, every-op model) and mode (float16, dynamic, int8, int8-only, int16x8), one
run each, with the fixture script's settings and representative dataset (the first 100 MNIST
training images, one per sample). The Keras models are the fixture script's architectures at
batch 1, untrained: conversion time does not depend on the weights' values.
"""

import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))

import make_fixtures  # noqa: E402  (the fixture script's model builders and MNIST reader)


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        gen = make_fixtures.Generator(out)
        gen.load_mnist()
        tf = gen.tf
        results: dict = {}
        for family, build in (("cnn", gen.tutorial_cnn), ("everyop", gen.everyop_cnn)):
            model = build(batch_size=1)
            gen.convert(model, "float32")  # warm-up: tracing and graph freezing happen once
            io = "int8_only_uint8_io" if family == "cnn" else "int8_only_int8_io"
            times = {}
            for mode, variant in (
                ("float16", "float16"),
                ("dynamic", "dynamic_range"),
                ("int8", "int8"),
                ("int8-only", io),
            ):
                t = time.perf_counter()
                gen.convert(model, variant)
                times[mode] = time.perf_counter() - t
            # 16x8 is not one of the fixture script's variants: the same settings plus the ops set.
            conv = tf.lite.TFLiteConverter.from_keras_model(model)
            calibration = gen.shaped(gen.train_f32[:100], model)
            conv.optimizations = [tf.lite.Optimize.DEFAULT]
            conv.representative_dataset = lambda: ([calibration[i : i + 1]] for i in range(100))
            conv.target_spec.supported_ops = [
                tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
            ]
            t = time.perf_counter()
            conv.convert()
            times["int16x8"] = time.perf_counter() - t
            results[family] = times
        print(json.dumps({"tensorflow": tf.__version__, "seconds": results}))


if __name__ == "__main__":
    main()
