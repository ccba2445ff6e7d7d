/**
 * DepthwiseConv2dNative and its gradients (NHWC), channel multiplier m = outC / inC, output
 * channel c = d·m + q reading input channel d = ⌊c/m⌋:
 *
 *   y[b, yR, yC, c]   = Σ_{wR,wC} x[b, yR·sH − padTop + wR·dH, yC·sW − padLeft + wC·dW, d] · W[wR, wC, d, q]
 *   dW[wR, wC, d, q]  = Σ_{b,yR,yC} x[b, xR, xC, d] · dy[b, yR, yC, c]
 *   dx[b, xR, xC, d] = Σ_{windows covering it} Σ_q dy[b, yR, yC, c] · W[wR, wC, d, q]
 *
 * Taps falling in the padding contribute nothing. With WebAssembly SIMD, x is first expanded to
 * the output channels (xe[…, c] = x[…, ⌊c/m⌋]; W as stored is already [kH, kW, outC]), which
 * makes every pass a multiplier-1 depthwise convolution over outC channels: one pass over output
 * pixels × in-bounds taps × f32x4 channels (../wasm/kernels.ts dwconv, dwconvdx, dwconvdw); the
 * input gradient is computed over outC channels and its m channels per input channel summed
 * after. The filter gradient sums each image in float32 and the images in float64. Without SIMD,
 * the gradients run the same loop nest in TypeScript (float64 filter sums; the stock gradients
 * index through TensorBuffer.get per element) and the forward pass declines: the stock kernel is
 * that same nest in TypeScript, measured no slower.
 * tfjs's gradients reject dilations > 1, so the gradient kernels decline them (stock runs); the
 * forward pass handles dilations, and declines strides and dilations both > 1 (stock throws).
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
import { copyOf, floats } from "../outputs";
import type { DepthwiseMode } from "../wasm/kernels";
import { simd } from "../wasm/runtime";

const isOne = (p: number | [number, number]): boolean =>
  typeof p === "number" ? p === 1 : p[0] === 1 && p[1] === 1;

function info(
  xShape: [number, number, number, number],
  fShape: [number, number, number, number],
  a: tf.NamedAttrMap,
): tf.backend_util.Conv2DInfo | null {
  const strides = pairAttr(a, "strides");
  const dilations = pairAttr(a, "dilations") ?? 1;
  const pad = padAttr(a);
  if (!strides || pad === undefined || !isChannelsLast(a)) return null;
  if (!isOne(strides) && !isOne(dilations)) return null;
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

/**
 * A gradient pass over the whole batch in TypeScript, channels innermost: input x += Σ_q dy·W
 * (x holds dx), filter dw += x·dy (y holds dy). The operands not written are read; `dw` is used
 * by the filter pass only.
 */
function depthwiseLoops(
  mode: "input" | "filter",
  g: ConvGeometry,
  m: number,
  x: Float32Array,
  w: Float32Array,
  y: Float32Array,
  dw: Float64Array,
): void {
  const { inH, inW, inC, outH, outW, outC, kH, kW } = g;
  for (let b = 0; b < g.batches; b++) {
    for (let yR = 0; yR < outH; yR++) {
      for (let yC = 0; yC < outW; yC++) {
        const yo = ((b * outH + yR) * outW + yC) * outC;
        for (let wR = 0; wR < kH; wR++) {
          const xR = yR * g.strideH - g.padTop + wR * g.dilationH;
          if (xR < 0 || xR >= inH) continue;
          for (let wC = 0; wC < kW; wC++) {
            const xC = yC * g.strideW - g.padLeft + wC * g.dilationW;
            if (xC < 0 || xC >= inW) continue;
            const xo = ((b * inH + xR) * inW + xC) * inC;
            const wo = (wR * kW + wC) * outC;
            switch (mode) {
              case "input":
                for (let d = 0, c = 0; d < inC; d++) {
                  let s = 0;
                  for (let q = 0; q < m; q++, c++) s += y[yo + c] * w[wo + c];
                  x[xo + d] += s;
                }
                break;
              case "filter":
                for (let d = 0, c = 0; d < inC; d++) {
                  const xd = x[xo + d];
                  for (let q = 0; q < m; q++, c++) dw[wo + c] += xd * y[yo + c];
                }
                break;
              default:
                mode satisfies never;
            }
          }
        }
      }
    }
  }
}

/** dst[i·m + q] = src[i]: x with each channel repeated for its m output channels. */
function expandChannels(src: Float32Array, m: number, dst: Float32Array): void {
  if (m === 1) {
    dst.set(src);
    return;
  }
  for (let i = 0, o = 0; i < src.length; i++) {
    const v = src[i];
    for (let q = 0; q < m; q++) dst[o++] = v;
  }
}

/**
 * The pass `mode` in WebAssembly SIMD over outC channels. `x` is x (forward, filter), `y` is dy
 * (input, filter), `w` the filter (forward, input); returns y, dx or dW as a new array, or null
 * without SIMD or memory.
 */
function simdDepthwise(
  mode: DepthwiseMode,
  g: ConvGeometry,
  m: number,
  x: Float32Array | null,
  w: Float32Array | null,
  y: Float32Array | null,
): Float32Array | null {
  const s = simd();
  if (s === null) return null;
  const C = g.outC;
  const xN = g.batches * g.inH * g.inW * C;
  const yN = g.batches * g.outH * g.outW * C;
  const wN = g.kH * g.kW * C;
  const p = s.alloc(xN, wN, yN, mode === "filter" ? 2 * wN : 0);
  if (p === null) return null;
  const [px, pw, py, pacc] = p;
  if (x !== null) expandChannels(x, m, s.f32(px, xN));
  if (w !== null) s.f32(pw, wN).set(w);
  if (y !== null) s.f32(py, yN).set(y);
  const geometryArgs = [g.batches, g.inH, g.inW, C, g.outH, g.outW, g.kH, g.kW];
  const windowArgs = [g.strideH, g.strideW, g.dilationH, g.dilationW, g.padTop, g.padLeft];
  const args = [px, ...geometryArgs, ...windowArgs, pw, py, pacc];
  switch (mode) {
    case "forward":
      s.fn.dwconv(...args);
      return copyOf(s.f32(py, yN));
    case "filter":
      s.fn.dwconvdw(...args);
      return copyOf(s.f32(pw, wN));
    case "input": {
      s.fn.dwconvdx(...args);
      const dxe = s.f32(px, xN);
      if (m === 1) return copyOf(dxe);
      const dx = floats(xN / m);
      for (let i = 0, o = 0; i < dx.length; i++) {
        let sum = 0;
        for (let q = 0; q < m; q++) sum += dxe[o++];
        dx[i] = sum;
      }
      return dx;
    }
    default:
      return mode satisfies never;
  }
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
  const y = simdDepthwise("forward", g, m, xv, wv, null);
  return y === null ? null : backend.makeTensorInfo(ci.outShape, "float32", y);
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
  let dw = simdDepthwise("filter", g, m, xv, null, dyv);
  if (dw === null) {
    const acc = new Float64Array(g.kH * g.kW * g.outC);
    depthwiseLoops("filter", g, m, xv, new Float32Array(0), dyv, acc);
    dw = Float32Array.from(acc);
  }
  return backend.makeTensorInfo(ci.filterShape, "float32", dw);
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
  let dx = simdDepthwise("input", g, m, null, wv, dyv);
  if (dx === null) {
    dx = new Float32Array(g.batches * g.inH * g.inW * g.inC);
    depthwiseLoops("input", g, m, dx, wv, dyv, new Float64Array(0));
  }
  return backend.makeTensorInfo(ci.inShape, "float32", dx);
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
