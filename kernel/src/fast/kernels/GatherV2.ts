/**
 * GatherV2 along axis 0 (batchDims 0): out[i, …] = x[indices[i], …], row copies instead of the
 * stock per-element index arithmetic — `model.fit` gathers every batch this way. Indices outside
 * [0, x.shape[0]) are an error, as in the stock kernel.
 */
import * as tf from "@tensorflow/tfjs";
import { UsageError } from "../../errors";
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  cpuBackend,
  input,
  numberAttr,
  numericValues,
} from "../backend";
import type { FastKernel } from "../kernel";
import { floats } from "../outputs";

export function gatherV2(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "GatherV2");
  const x = input(args, "x", "GatherV2");
  const indices = input(args, "indices", "GatherV2");
  const a = attrs(args);
  const axis = numberAttr(a, "axis") ?? 0;
  const batchDims = numberAttr(a, "batchDims") ?? 0;
  const xv = numericValues(backend, x);
  const iv = numericValues(backend, indices);
  if (x.shape.length === 0 || (axis !== 0 && axis !== -x.shape.length) || batchDims !== 0)
    return null;
  if (!xv || !iv || indices.dtype !== "int32") return null;
  const rows = x.shape[0];
  const row = rows === 0 ? 0 : xv.length / rows;
  const out = x.dtype === "float32" ? floats(iv.length * row) : new Int32Array(iv.length * row);
  for (let i = 0; i < iv.length; i++) {
    const r = iv[i];
    if (r < 0 || r >= rows) {
      throw new UsageError(`GatherV2: index ${r} at position ${i} is not in [0, ${rows - 1}]`);
    }
    out.set(xv.subarray(r * row, (r + 1) * row), i * row);
  }
  const shape = [...indices.shape, ...x.shape.slice(1)];
  tf.util.assert(tf.util.sizeFromShape(shape) === out.length, () => "GatherV2: size mismatch");
  return backend.makeTensorInfo(shape, x.dtype, out);
}

export const gatherV2Kernel: FastKernel = { kernelName: "GatherV2", run: gatherV2 };
