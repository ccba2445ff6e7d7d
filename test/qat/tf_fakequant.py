"""TF's converter on FakeQuant ranges (run by convert.litert.test.ts with .venv-tf).

For each [min, max] range given as JSON on argv[1], builds a tiny graph
x -> FakeQuantWithMinMaxVars(min, max) -> MatMul(fake-quantized weights) -> FakeQuantWithMinMaxVars(min, max),
converts it with optimizations DEFAULT (TF's QAT path: the FakeQuant ranges become the int8
parameters, no calibration), and prints JSON [[scale, zero_point], ...] of the first FakeQuant's
int8 tensor, as float32 scale and int zero point.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def params(lo: float, hi: float) -> list:
    weights = np.linspace(-1, 1, 16).reshape(4, 4).astype(np.float32)

    @tf.function(input_signature=[tf.TensorSpec([1, 4], tf.float32)])
    def f(x):
        y = tf.quantization.fake_quant_with_min_max_vars(x, lo, hi)
        w = tf.quantization.fake_quant_with_min_max_vars(
            tf.constant(weights), -1.0, 1.0, narrow_range=True
        )
        return tf.quantization.fake_quant_with_min_max_vars(tf.matmul(y, w), lo, hi)

    c = tf.lite.TFLiteConverter.from_concrete_functions([f.get_concrete_function()], f)
    c.optimizations = [tf.lite.Optimize.DEFAULT]
    it = tf.lite.Interpreter(model_content=c.convert())
    for t in it.get_tensor_details():
        if t["dtype"] == np.int8 and t["name"] == "FakeQuantWithMinMaxVars":
            scale, zp = t["quantization"]
            return [float(np.float32(scale)), int(zp)]
    raise SystemExit("no int8 FakeQuantWithMinMaxVars tensor in TF's file")


print(json.dumps([params(float(lo), float(hi)) for lo, hi in json.loads(sys.argv[1])]))
