"""TensorFlow side of the converter benchmark (run by test/bench/converter.bench.ts).

Usage: .venv-tf/bin/python test/bench/tf_converter_bench.py
Prints one JSON line: seconds of tf.lite.TFLiteConverter.from_keras_model(...).convert() per
family (tutorial CNN, every-op model) and mode (float16, dynamic, int8, int8-only, int16x8), one
run each, with the fixture script's settings and representative dataset (the first 100 MNIST
training images, one per sample). The Keras models are the fixture script's architectures at
batch 1, untrained: conversion time does not depend on the weights' values.

Warm-up per family, as the tsquant side does: one float32 conversion (tracing, graph freezing)
and one int8 conversion (the first calibration: the calibrator's one-time set-up), the latter
timed and reported as "int8-first"; then each mode converted REPEATS times, the fastest run
reported (the tsquant side does the same; the machine is shared and noisy).
"""

import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "fixtures"))

import make_fixtures  # noqa: E402  (the fixture script's model builders and MNIST reader)

REPEATS = 3


def fastest(convert) -> float:
    """Seconds of the fastest of REPEATS calls of convert()."""
    best = float("inf")
    for _ in range(REPEATS):
        t = time.perf_counter()
        convert()
        best = min(best, time.perf_counter() - t)
    return best


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
            t = time.perf_counter()
            gen.convert(model, "int8")  # warm-up: the first calibrating conversion, reported apart
            times["int8-first"] = time.perf_counter() - t
            for mode, variant in (
                ("float16", "float16"),
                ("dynamic", "dynamic_range"),
                ("int8", "int8"),
                ("int8-only", io),
            ):
                times[mode] = fastest(lambda: gen.convert(model, variant))
            # 16x8 is not one of the fixture script's variants: the same settings plus the ops set.
            conv = tf.lite.TFLiteConverter.from_keras_model(model)
            calibration = gen.shaped(gen.train_f32[:100], model)
            conv.optimizations = [tf.lite.Optimize.DEFAULT]
            conv.representative_dataset = lambda: ([calibration[i : i + 1]] for i in range(100))
            conv.target_spec.supported_ops = [
                tf.lite.OpsSet.EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8
            ]
            times["int16x8"] = fastest(conv.convert)
            results[family] = times
        print(json.dumps({"tensorflow": tf.__version__, "seconds": results}))


if __name__ == "__main__":
    main()
