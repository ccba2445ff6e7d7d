/**
 * Mean over any set of float32 axes: mean = (Σ over the axes) / n, n the number of elements
 * reduced, with the sums of ./Sum.ts (float64 accumulation). The stock kernel divides every
 * element by n and then calls the stock Sum directly (a transpose of the reduced axes to the
 * end), so neither the fast Sum nor the fast RealDiv ever ran for it: BatchNormalization's
 * moments (axes [0, 1, 2] of NHWC) and GlobalAveragePooling2D ([1, 2]) spent most of their
 * time there. An empty reduction (n = 0) and other dtypes fall back.
 */
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  boolAttr,
  cpuBackend,
  floatValues,
  input,
} from "../backend";
import type { FastKernel } from "../kernel";
import { reducedShape, reductionAxes, sumOverAxes } from "./Sum";

export function mean(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Mean");
  const x = input(args, "x", "Mean");
  const xv = floatValues(backend, x);
  if (!xv) return null;
  const axes = reductionAxes(args, x.shape.length);
  if (axes === null) return null;
  const n = axes.reduce((p, ax) => p * x.shape[ax], 1);
  if (n === 0) return null;
  const out = sumOverAxes(xv, x.shape, axes);
  for (let i = 0; i < out.length; i++) out[i] /= n;
  const keepDims = boolAttr(attrs(args), "keepDims") ?? false;
  return backend.makeTensorInfo(reducedShape(x.shape, axes, keepDims), "float32", out);
}

export const meanKernel: FastKernel = { kernelName: "Mean", run: mean };
