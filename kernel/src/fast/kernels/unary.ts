/**
 * Relu (max(x, 0), NaN kept) and Step (1 where x > 0, else alpha; NaN kept — the relu gradient's
 * mask) on float32, as tight loops instead of the stock per-element callback.
 */
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  cpuBackend,
  floatValues,
  input,
  numberAttr,
} from "../backend";
import type { FastKernel } from "../kernel";

export function relu(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Relu");
  const x = input(args, "x", "Relu");
  const xv = floatValues(backend, x);
  if (!xv) return null;
  const y = new Float32Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    y[i] = v < 0 ? 0 : v;
  }
  return backend.makeTensorInfo(x.shape.slice(), "float32", y);
}

export function step(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Step");
  const x = input(args, "x", "Step");
  const xv = floatValues(backend, x);
  if (!xv) return null;
  const alpha = numberAttr(attrs(args), "alpha") ?? 0;
  const y = new Float32Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    y[i] = v > 0 ? 1 : v !== v ? NaN : alpha;
  }
  return backend.makeTensorInfo(x.shape.slice(), "float32", y);
}

export const reluKernel: FastKernel = { kernelName: "Relu", run: relu };
export const stepKernel: FastKernel = { kernelName: "Step", run: step };
