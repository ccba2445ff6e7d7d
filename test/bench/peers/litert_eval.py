"""LiteRT side of the peer benchmark (run by test/bench/peers/run.ts in .venv-peers).

    litert_eval.py --jobs JOBS.json --labels LABELS.npy --out DIR

JOBS.json: [{"name": ..., "model": PATH, "input": NPY}] where NPY holds the N test samples
already in the model's input dtype (run.ts prepares them once, as the tutorial's
`evaluate_model` does, and feeds the same bytes to tsquant's interpreter).

For each model, one sample per invoke (batch 1, as the tutorial):
  - reference kernels (OpResolverType.BUILTIN_REF): every output saved as DIR/<name>.ref.npy
    (the cross-check with tsquant's interpreter) and its accuracy;
  - the default CPU path users run (AUTO: optimized kernels + XNNPACK), num_threads=1:
    accuracy, median latency of one invoke (set_tensor + invoke + get_tensor, µs) and
    throughput over all N samples (images/s).
Prints one JSON line: {name: {...}} plus the runtime versions.
"""

import argparse
import json
import os
import time
from importlib.metadata import version

import numpy as np
from ai_edge_litert.interpreter import Interpreter, OpResolverType


def run(model: str, x: np.ndarray, resolver, threads=None):
    kwargs = {"model_path": model, "experimental_op_resolver_type": resolver}
    if threads is not None:
        kwargs["num_threads"] = threads
    interp = Interpreter(**kwargs)
    interp.allocate_tensors()
    inp = interp.get_input_details()[0]
    out = interp.get_output_details()[0]
    shape = [1, *inp["shape"][1:]]
    if list(inp["shape"]) != shape:
        interp.resize_tensor_input(inp["index"], shape)
        interp.allocate_tensors()
    samples = [np.ascontiguousarray(x[i : i + 1].reshape(shape)) for i in range(len(x))]
    outputs = np.empty((len(x), *out["shape"][1:]), dtype=out["dtype"])
    # Warm-up: 200 samples, not timed.
    for s in samples[:200]:
        interp.set_tensor(inp["index"], s)
        interp.invoke()
    lat = np.empty(len(x))
    start = time.perf_counter()
    for i, s in enumerate(samples):
        t = time.perf_counter()
        interp.set_tensor(inp["index"], s)
        interp.invoke()
        outputs[i] = interp.get_tensor(out["index"])[0]
        lat[i] = time.perf_counter() - t
    seconds = time.perf_counter() - start
    return outputs, float(np.median(lat)) * 1e6, len(x) / seconds


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", required=True)
    ap.add_argument("--labels", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    with open(args.jobs, encoding="utf-8") as f:
        jobs = json.load(f)
    labels = np.load(args.labels).astype(np.int64)
    result: dict = {"runtime": {"ai-edge-litert": version("ai-edge-litert")}, "models": {}}
    for job in jobs:
        x = np.load(job["input"])
        ref, _, _ = run(job["model"], x, OpResolverType.BUILTIN_REF)
        np.save(os.path.join(args.out, job["name"] + ".ref.npy"), ref)
        dflt, latency, rate = run(job["model"], x, OpResolverType.AUTO, threads=1)
        result["models"][job["name"]] = {
            "refAccuracy": float(np.mean(ref.reshape(len(x), -1).argmax(1) == labels)),
            "accuracy": float(np.mean(dflt.reshape(len(x), -1).argmax(1) == labels)),
            "latencyMicros": latency,
            "imagesPerSecond": rate,
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
