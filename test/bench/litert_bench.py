"""LiteRT side of the interpreter benchmark (run by test/bench/interpreter.bench.ts).

Usage: litert_bench.py MODEL INPUTS.npy [--reps N]
Prints one JSON line: per-image latency at batch 1 (median of N passes over the inputs,
microseconds) and throughput over all inputs one image at a time (images/s), with
LiteRT's default CPU path (XNNPACK) on one thread — the setting the issue fixes as the peer.
"""

import argparse
import json
import time

import numpy as np
from ai_edge_litert.interpreter import Interpreter


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("inputs")
    ap.add_argument("--latency-images", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()

    x = np.load(args.inputs)
    interp = Interpreter(model_path=args.model, num_threads=1)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    out = interp.get_output_details()[0]
    dtype = inp["dtype"]
    shape = list(inp["shape"])
    shape[0] = 1
    samples = [np.ascontiguousarray(x[i].reshape(shape).astype(dtype)) for i in range(len(x))]

    # Warm-up.
    for s in samples[:200]:
        interp.set_tensor(inp["index"], s)
        interp.invoke()

    lat = []
    n_lat = min(args.latency_images, len(samples))
    for _ in range(args.reps):
        t0 = time.perf_counter()
        for s in samples[:n_lat]:
            interp.set_tensor(inp["index"], s)
            interp.invoke()
            interp.get_tensor(out["index"])
        lat.append((time.perf_counter() - t0) / n_lat * 1e6)

    t0 = time.perf_counter()
    for s in samples:
        interp.set_tensor(inp["index"], s)
        interp.invoke()
        interp.get_tensor(out["index"])
    dt = time.perf_counter() - t0

    print(
        json.dumps(
            {
                "latencyUs": float(np.median(lat)),
                "throughput": len(samples) / dt,
                "images": len(samples),
                "inputDtype": str(np.dtype(dtype)),
            }
        )
    )


if __name__ == "__main__":
    main()
