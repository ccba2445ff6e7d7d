#!/usr/bin/env python3
"""Run a .tflite model in the official LiteRT runtime (ai_edge_litert, from the project .venv).

The parity tests' arbiter: test/helpers/litert.ts spawns `.venv/bin/python litert.py ...`,
exchanging arrays as .npy files.

    litert.py --model M.tflite --out DIR [--input X0.npy --input X1.npy ...]
              [--resolver ref|default|no-delegates] [--batch B] [--all-tensors]
              [--reset-every K]

Inputs: one .npy per model input, in get_input_details() order. Each holds N samples stacked on
axis 0: its shape is [N, *rest] where the model's input shape is [b, *rest], and its dtype is the
input's dtype (no conversion is done: a mismatch is an error).

Batching: the samples run in chunks of B, each chunk one invoke(). B defaults to the model's own
batch size b (so a batch-1 model runs one sample per invoke, as TF's tutorials do); with
--batch B != b the inputs are resized to [B, *rest] first (and to the remainder for a last,
shorter chunk), which only works for models whose graph allows it.

Resolvers: `ref` = OpResolverType.BUILTIN_REF (reference kernels, no delegate), `default` = AUTO
(optimized kernels + the default XNNPACK delegate), `no-delegates` =
BUILTIN_WITHOUT_DEFAULT_DELEGATES (optimized kernels, no XNNPACK).

State: variable tensors (an LSTM's state) carry over from one invoke to the next, as in LiteRT;
with --reset-every K, reset_all_variables() runs before chunks 0, K, 2K, ... (K = 1: every
invoke starts from zero state).

Writes to DIR: output_<i>.npy (each output, the chunks concatenated on axis 0) and details.json
(input/output details, number of invocations, seconds spent invoking, runtime versions).
With --all-tensors the interpreter keeps every intermediate (experimental_preserve_all_tensors),
the samples must fit in one invoke, and every readable tensor is written as tensor_<index>.npy
and listed in details.json. float16 tensors are written as their raw bits (uint16, with
`"bits": "float16"`) because the TypeScript .npy reader has no float16.

Errors: a message on stderr starting with "litert.py:" and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

RESOLVERS = ("ref", "default", "no-delegates")


class HarnessError(Exception):
    pass


def details_json(d: dict) -> dict:
    qp = d.get("quantization_parameters", {})
    scale, zero_point = d.get("quantization", (0.0, 0))
    return {
        "index": int(d["index"]),
        "name": str(d["name"]),
        "dtype": d["dtype"].__name__ if isinstance(d["dtype"], type) else str(d["dtype"]),
        "shape": [int(x) for x in d["shape"]],
        "shapeSignature": [int(x) for x in d.get("shape_signature", d["shape"])],
        "quantization": [float(scale), int(zero_point)],
        "quantizationParameters": {
            "scales": [float(x) for x in qp.get("scales", [])],
            "zeroPoints": [int(x) for x in qp.get("zero_points", [])],
            "quantizedDimension": int(qp.get("quantized_dimension", 0)),
        },
    }


def dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


def run(args: argparse.Namespace) -> None:
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter, OpResolverType

    resolver = {
        "ref": OpResolverType.BUILTIN_REF,
        "default": OpResolverType.AUTO,
        "no-delegates": OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES,
    }[args.resolver]
    if not os.path.isfile(args.model):
        raise HarnessError(f"model file {args.model} not found")
    try:
        interp = Interpreter(
            model_path=args.model,
            experimental_op_resolver_type=resolver,
            experimental_preserve_all_tensors=args.all_tensors,
        )
    except ValueError as e:
        raise HarnessError(f"{args.model}: LiteRT cannot load the model: {e}") from e
    in_details = interp.get_input_details()
    if len(args.input) != len(in_details):
        raise HarnessError(
            f"{args.model}: the model has {len(in_details)} input(s), {len(args.input)} given"
        )

    xs = []
    for path, d in zip(args.input, in_details):
        x = np.load(path, allow_pickle=False)
        want_rest = [int(v) for v in d["shape"][1:]]
        if x.ndim != len(d["shape"]) or list(x.shape[1:]) != want_rest:
            raise HarnessError(
                f"{args.model}: input {d['index']} '{d['name']}' expects samples of shape "
                f"[N, {', '.join(map(str, want_rest))}], got {list(x.shape)}"
            )
        if x.dtype != np.dtype(d["dtype"]):
            raise HarnessError(
                f"{args.model}: input {d['index']} '{d['name']}' expects dtype "
                f"{np.dtype(d['dtype']).name}, got {x.dtype.name}"
            )
        xs.append(np.ascontiguousarray(x))
    n = xs[0].shape[0] if xs else 1
    if any(x.shape[0] != n for x in xs):
        raise HarnessError(
            f"{args.model}: inputs hold different numbers of samples: {[x.shape[0] for x in xs]}"
        )

    model_batch = int(in_details[0]["shape"][0]) if in_details else 1
    batch = args.batch if args.batch is not None else model_batch
    if args.reset_every is not None and args.reset_every < 1:
        raise HarnessError(f"--reset-every must be >= 1, got {args.reset_every}")
    if batch < 1:
        raise HarnessError(f"--batch must be >= 1, got {batch}")
    if n == 0:
        raise HarnessError(f"{args.model}: the inputs hold no samples (axis 0 has length 0)")
    chunks = [(s, min(s + batch, n)) for s in range(0, n, batch)]
    if args.all_tensors and len(chunks) != 1:
        raise HarnessError(
            f"{args.model}: --all-tensors needs every sample in one invoke, but {n} samples "
            f"at batch {batch} take {len(chunks)}; pass --batch {n}"
        )

    current = None  # the batch size the interpreter is allocated for
    outs: list[list] = []
    seconds = 0.0
    out_details = interp.get_output_details()
    for chunk, (start, stop) in enumerate(chunks):
        size = stop - start
        if size != current:
            if size != model_batch or current is not None:
                for d in in_details:
                    interp.resize_tensor_input(d["index"], [size, *d["shape"][1:]], strict=False)
            try:
                interp.allocate_tensors()
            except RuntimeError as e:
                raise HarnessError(
                    f"{args.model}: LiteRT cannot run at batch {size} (the model's batch is "
                    f"{model_batch}; its graph may fix it): {e}"
                ) from e
            out_details = interp.get_output_details()
            current = size
        if args.reset_every is not None and chunk % args.reset_every == 0:
            interp.reset_all_variables()
        for x, d in zip(xs, in_details):
            interp.set_tensor(d["index"], x[start:stop])
        t = time.perf_counter()
        interp.invoke()
        seconds += time.perf_counter() - t
        outs.append([interp.get_tensor(d["index"]).copy() for d in out_details])

    os.makedirs(args.out, exist_ok=True)
    for i in range(len(out_details)):
        # One invoke: the output as is (it may be a scalar); several: chunks joined on axis 0.
        out = outs[0][i] if len(outs) == 1 else np.concatenate([o[i] for o in outs])
        np.save(os.path.join(args.out, f"output_{i}.npy"), out)

    info: dict = {
        "inputs": [details_json(d) for d in interp.get_input_details()],
        "outputs": [details_json(d) for d in out_details],
        "invocations": len(chunks),
        "batch": batch,
        "seconds": seconds,
        "runtime": {"ai-edge-litert": dist_version("ai-edge-litert"), "numpy": np.__version__},
        "tensors": None,
    }
    if args.all_tensors:
        tensors = []
        for d in interp.get_tensor_details():
            entry = details_json(d)
            try:
                value = interp.get_tensor(d["index"])
            except ValueError as e:
                # Tensors without data (e.g. a scratch buffer) cannot be read.
                entry["file"] = None
                entry["error"] = str(e)
            else:
                if value.dtype == np.float16:
                    value = value.view(np.uint16)
                    entry["bits"] = "float16"
                name = f"tensor_{entry['index']}.npy"
                np.save(os.path.join(args.out, name), np.ascontiguousarray(value))
                entry["file"] = name
            tensors.append(entry)
        info["tensors"] = tensors
    with open(os.path.join(args.out, "details.json"), "w", encoding="utf-8") as f:
        json.dump(info, f)


def main() -> None:
    ap = argparse.ArgumentParser(description="Run a .tflite model in LiteRT.")
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--input", action="append", default=[])
    ap.add_argument("--resolver", choices=RESOLVERS, default="ref")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--all-tensors", action="store_true")
    ap.add_argument("--reset-every", type=int)
    args = ap.parse_args()
    try:
        run(args)
    except HarnessError as e:
        print(f"litert.py: {e}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
