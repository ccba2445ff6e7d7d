/**
 * AvgPool and AvgPoolGrad (NHWC), with tfjs's stock semantics:
 *
 *   y[b, yR, yC, d]  = (Σ of the window's in-bounds x) / (number of in-bounds taps)
 *   dx[b, xR, xC, d] = Σ_{windows covering it} dy[b, yR, yC, d] / (kH·kW)
 *
 * NOTE: the stock gradient divides by the full window size even where the forward pass divided
 * by fewer (SAME padding at the borders); this kernel does the same so enabling fast kernels
 * changes no result. A window with no in-bounds tap gives 0/0 = NaN, as stock. The stock gradient
 * ignores dimRoundingMode, and so does this one. One pass over windows, channels innermost.
 */
import * as tf from "@tensorflow/tfjs";
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  cpuBackend,
  floatValues,
  input,
  padAttr,
  pairAttr,
  roundingAttr,
  shape4,
} from "../backend";
import type { FastKernel } from "../kernel";
import { type PoolGeometry, poolGeometry } from "./pool";

/** Call `visit(xo, yo, count)` per in-bounds tap: xo, yo the flat offsets of channel 0; count the window's in-bounds taps. */
function forEachWindowTap(
  g: PoolGeometry,
  visit: (xo: number, yo: number, count: number) => void,
): void {
  const C = g.channels;
  for (let b = 0; b < g.batches; b++) {
    for (let yR = 0; yR < g.outH; yR++) {
      const r0 = yR * g.strideH - g.padTop;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(g.inH, r0 + g.kH);
      for (let yC = 0; yC < g.outW; yC++) {
        const c0 = yC * g.strideW - g.padLeft;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(g.inW, c0 + g.kW);
        const yo = ((b * g.outH + yR) * g.outW + yC) * C;
        const count = Math.max(0, rMax - rMin) * Math.max(0, cMax - cMin);
        for (let r = rMin; r < rMax; r++) {
          for (let c = cMin; c < cMax; c++) visit(((b * g.inH + r) * g.inW + c) * C, yo, count);
        }
      }
    }
  }
}

export function avgPool(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "AvgPool");
  const x = input(args, "x", "AvgPool");
  const a = attrs(args);
  const xShape = shape4(x);
  const filterSize = pairAttr(a, "filterSize");
  const strides = pairAttr(a, "strides");
  const pad = padAttr(a);
  const xv = floatValues(backend, x);
  if (!xShape || !filterSize || !strides || pad === undefined || !xv) return null;
  const info = tf.backend_util.computePool2DInfo(
    xShape,
    filterSize,
    strides,
    1,
    pad,
    roundingAttr(a),
  );
  const g = poolGeometry(info);
  const C = g.channels;
  const sums = new Float64Array(tf.util.sizeFromShape(info.outShape));
  const counts = new Int32Array(sums.length / Math.max(C, 1));
  forEachWindowTap(g, (xo, yo, count) => {
    counts[yo / C] = count;
    for (let d = 0; d < C; d++) sums[yo + d] += xv[xo + d];
  });
  const y = new Float32Array(sums.length);
  for (let o = 0; o < y.length; o++) y[o] = sums[o] / counts[Math.floor(o / C)];
  return backend.makeTensorInfo(info.outShape, "float32", y);
}

export function avgPoolGrad(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "AvgPoolGrad");
  const dy = input(args, "dy", "AvgPoolGrad");
  const x = input(args, "input", "AvgPoolGrad");
  const a = attrs(args);
  const xShape = shape4(x);
  const filterSize = pairAttr(a, "filterSize");
  const strides = pairAttr(a, "strides");
  const pad = padAttr(a);
  const dyv = floatValues(backend, dy);
  if (!xShape || !filterSize || !strides || pad === undefined || !dyv) return null;
  const info = tf.backend_util.computePool2DInfo(xShape, filterSize, strides, 1, pad);
  const g = poolGeometry(info);
  const C = g.channels;
  const scale = 1 / (info.filterHeight * info.filterWidth);
  const acc = new Float64Array(tf.util.sizeFromShape(xShape));
  forEachWindowTap(g, (xo, yo) => {
    for (let d = 0; d < C; d++) acc[xo + d] += dyv[yo + d];
  });
  const dx = new Float32Array(acc.length);
  for (let i = 0; i < dx.length; i++) dx[i] = acc[i] * scale;
  return backend.makeTensorInfo(xShape, "float32", dx);
}

export const avgPoolKernel: FastKernel = { kernelName: "AvgPool", run: avgPool };
export const avgPoolGradKernel: FastKernel = { kernelName: "AvgPoolGrad", run: avgPoolGrad };
