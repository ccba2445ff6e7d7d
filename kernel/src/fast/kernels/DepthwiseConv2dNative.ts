/**
 * DepthwiseConv2dNative and its gradients (NHWC), channel multiplier m = outC / inC, output
 * channel c = d·m + q reading input channel d = ⌊c/m⌋:
 *
 *   y[b, yR, yC, c]   = Σ_{wR,wC} x[b, yR·sH − padTop + wR·dH, yC·sW − padLeft + wC·dW, d] · W[wR, wC, d, q]
 *   dW[wR, wC, d, q]  = Σ_{b,yR,yC} x[b, xR, xC, d] · dy[b, yR, yC, c]           (float64 sums)
 *   dx[b, xR, xC, d] = Σ_{windows covering it} Σ_q dy[b, yR, yC, c] · W[wR, wC, d, q]
 *
 * Taps falling in the padding contribute nothing. One pass over output pixels and in-bounds taps,
 * the innermost loop running over the tap's contiguous outC channels (the stock kernels index
 * through TensorBuffer.get per element). tfjs's gradients reject dilations > 1, so the gradient
 * kernels decline them (stock runs); the forward pass handles dilations.
 */
import * as tf from "@tensorflow/tfjs";
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  cpuBackend,
  floatValues,
  input,
  isChannelsLast,
  numbersAttr,
  padAttr,
  pairAttr,
  roundingAttr,
  shape4,
} from "../backend";
import { type ConvGeometry, geometry } from "../conv";
import type { FastKernel } from "../kernel";

const isOne = (p: number | [number, number]): boolean =>
  typeof p === "number" ? p === 1 : p[0] === 1 && p[1] === 1;

/**
 * Call `visit(xo, yo, wo)` for every output pixel and in-bounds tap: xo indexes x[b, xR, xC, 0],
 * yo y[b, yR, yC, 0] and wo W[wR, wC, 0, 0] (flat element offsets).
 */
function forEachTap(g: ConvGeometry, visit: (xo: number, yo: number, wo: number) => void): void {
  const { inH, inW, inC, outH, outW, outC, kH, kW } = g;
  for (let b = 0; b < g.batch; b++) {
    for (let yR = 0; yR < outH; yR++) {
      for (let yC = 0; yC < outW; yC++) {
        const yo = ((b * outH + yR) * outW + yC) * outC;
        for (let wR = 0; wR < kH; wR++) {
          const xR = yR * g.strideH - g.padTop + wR * g.dilationH;
          if (xR < 0 || xR >= inH) continue;
          for (let wC = 0; wC < kW; wC++) {
            const xC = yC * g.strideW - g.padLeft + wC * g.dilationW;
            if (xC < 0 || xC >= inW) continue;
            visit(((b * inH + xR) * inW + xC) * inC, yo, (wR * kW + wC) * outC);
          }
        }
      }
    }
  }
}

function info(
  xShape: [number, number, number, number],
  fShape: [number, number, number, number],
  a: tf.NamedAttrMap,
): tf.backend_util.Conv2DInfo | null {
  const strides = pairAttr(a, "strides");
  const dilations = pairAttr(a, "dilations") ?? 1;
  const pad = padAttr(a);
  if (!strides || pad === undefined || !isChannelsLast(a)) return null;
  return tf.backend_util.computeConv2DInfo(
    xShape,
    fShape,
    strides,
    dilations,
    pad,
    roundingAttr(a),
    true,
  );
}

export function depthwiseConv2dNative(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "DepthwiseConv2dNative");
  const x = input(args, "x", "DepthwiseConv2dNative");
  const filter = input(args, "filter", "DepthwiseConv2dNative");
  const xShape = shape4(x);
  const fShape = shape4(filter);
  const xv = floatValues(backend, x);
  const wv = floatValues(backend, filter);
  if (!xShape || !fShape || !xv || !wv || xShape[3] !== fShape[2]) return null;
  const ci = info(xShape, fShape, attrs(args));
  if (ci === null) return null;
  const g = geometry(ci);
  const m = fShape[3];
  const inC = g.inC;
  const y = new Float32Array(g.batch * g.outH * g.outW * g.outC);
  forEachTap(g, (xo, yo, wo) => {
    for (let d = 0, c = 0; d < inC; d++) {
      const xd = xv[xo + d];
      for (let q = 0; q < m; q++, c++) y[yo + c] += xd * wv[wo + c];
    }
  });
  return backend.makeTensorInfo(ci.outShape, "float32", y);
}

export function depthwiseConv2dNativeBackpropFilter(args: KernelArgs): TensorInfo | null {
  const name = "DepthwiseConv2dNativeBackpropFilter";
  const backend = cpuBackend(args, name);
  const x = input(args, "x", name);
  const dy = input(args, "dy", name);
  const a = attrs(args);
  const xShape = shape4(x);
  const fs = numbersAttr(a, "filterShape");
  const xv = floatValues(backend, x);
  const dyv = floatValues(backend, dy);
  if (!xShape || !fs || fs.length !== 4 || !xv || !dyv) return null;
  if (!isOne(pairAttr(a, "dilations") ?? 1)) return null;
  const ci = info(xShape, [fs[0], fs[1], fs[2], fs[3]], a);
  if (ci === null) return null;
  const g = geometry(ci);
  const m = fs[3];
  const inC = g.inC;
  const acc = new Float64Array(g.kH * g.kW * g.outC);
  forEachTap(g, (xo, yo, wo) => {
    for (let d = 0, c = 0; d < inC; d++) {
      const xd = xv[xo + d];
      for (let q = 0; q < m; q++, c++) acc[wo + c] += xd * dyv[yo + c];
    }
  });
  return backend.makeTensorInfo(ci.filterShape, "float32", Float32Array.from(acc));
}

export function depthwiseConv2dNativeBackpropInput(args: KernelArgs): TensorInfo | null {
  const name = "DepthwiseConv2dNativeBackpropInput";
  const backend = cpuBackend(args, name);
  const dy = input(args, "dy", name);
  const filter = input(args, "filter", name);
  const a = attrs(args);
  const is = numbersAttr(a, "inputShape");
  const fShape = shape4(filter);
  const dyv = floatValues(backend, dy);
  const wv = floatValues(backend, filter);
  if (!is || is.length !== 4 || !fShape || !dyv || !wv) return null;
  if (!isOne(pairAttr(a, "dilations") ?? 1)) return null;
  const ci = info([is[0], is[1], is[2], is[3]], fShape, a);
  if (ci === null) return null;
  const g = geometry(ci);
  const m = fShape[3];
  const inC = g.inC;
  const acc = new Float64Array(g.batch * g.inH * g.inW * inC);
  forEachTap(g, (xo, yo, wo) => {
    for (let d = 0, c = 0; d < inC; d++) {
      let s = 0;
      for (let q = 0; q < m; q++, c++) s += dyv[yo + c] * wv[wo + c];
      acc[xo + d] += s;
    }
  });
  return backend.makeTensorInfo(ci.inShape, "float32", Float32Array.from(acc));
}

export const depthwiseConv2dNativeKernel: FastKernel = {
  kernelName: "DepthwiseConv2dNative",
  run: depthwiseConv2dNative,
};
export const depthwiseConv2dNativeBackpropFilterKernel: FastKernel = {
  kernelName: "DepthwiseConv2dNativeBackpropFilter",
  run: depthwiseConv2dNativeBackpropFilter,
};
export const depthwiseConv2dNativeBackpropInputKernel: FastKernel = {
  kernelName: "DepthwiseConv2dNativeBackpropInput",
  run: depthwiseConv2dNativeBackpropInput,
};
