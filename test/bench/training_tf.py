"""TensorFlow (Keras) peer for test/bench/training.bench.ts: the tutorial CNN trained with Adam,
batch 32, sparse categorical cross-entropy from logits, on the images and labels the benchmark
passes as .npy files. Prints one JSON line: images per second of a timed epoch after a warm-up,
by wall time and by CPU time (all threads of the process).

    .venv-tf/bin/python test/bench/training_tf.py images.npy labels.npy
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main() -> None:
    images = np.load(sys.argv[1]).astype(np.float32)
    labels = np.load(sys.argv[2]).astype(np.int64)
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential(
        [
            tf.keras.layers.InputLayer(shape=(28, 28)),
            tf.keras.layers.Reshape(target_shape=(28, 28, 1)),
            tf.keras.layers.Conv2D(filters=12, kernel_size=(3, 3), activation="relu"),
            tf.keras.layers.MaxPooling2D(pool_size=(2, 2)),
            tf.keras.layers.Flatten(),
            tf.keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    # Warm-up epoch (tracing, graph building), then the timed one.
    model.fit(images, labels, batch_size=32, epochs=1, verbose=0, shuffle=False)
    start = time.perf_counter()
    cpu_start = time.process_time()
    model.fit(images, labels, batch_size=32, epochs=1, verbose=0, shuffle=False)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start
    print(
        json.dumps(
            {
                "images": int(images.shape[0]),
                "seconds": seconds,
                "imagesPerSecond": images.shape[0] / seconds,
                "cpuSeconds": cpu_seconds,
                "imagesPerCpuSecond": images.shape[0] / cpu_seconds,
                "tensorflow": tf.__version__,
                "interOpThreads": tf.config.threading.get_inter_op_parallelism_threads(),
                "intraOpThreads": tf.config.threading.get_intra_op_parallelism_threads(),
            }
        )
    )


if __name__ == "__main__":
    main()
