/**
 * Convolution geometry (from tfjs's own `computeConv2DInfo`, so shapes, SAME padding and
 * rounding agree with the stock kernels) and the patch matrix ("im2col") that turns a convolution
 * into one matrix product per image:
 *
 *   cols[p, t] = x[b, yR·strideH − padTop + wR·dilationH, yC·strideW − padLeft + wC·dilationW, d]
 *   with p = yR·outW + yC (one row per output pixel) and t = (wR·kW + wC)·inC + d (one column per
 *   filter tap and input channel); 0 where the tap falls in the padding.
 *
 * Then conv = cols · W (W is [kH·kW·inC, outC] as stored), dW = colsᵀ · dy, and
 * dx = col2im(dy · Wᵀ), col2im being the scatter-add inverse of im2col.
 */
import * as tf from "@tensorflow/tfjs";
import type { ConvGeometry } from "../interpreter/kernels/convolution";

/** The one convolution geometry (the interpreter's; `geometry` fills it from tfjs's Conv2DInfo). */
export type { ConvGeometry };

export function geometry(info: tf.backend_util.Conv2DInfo): ConvGeometry {
  return {
    batches: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    dilationH: info.dilationHeight,
    dilationW: info.dilationWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** Rows (output pixels per image) and columns (taps × input channels) of one image's patch matrix. */
export function patchSize(g: ConvGeometry): { pixels: number; taps: number } {
  return { pixels: g.outH * g.outW, taps: g.kH * g.kW * g.inC };
}

/** Fill `cols` (pixels × taps, row-major) with image `b`'s patches. */
export function im2col(x: Float32Array, g: ConvGeometry, b: number, cols: Float32Array): void {
  const { inH, inW, inC, kH, kW } = g;
  const taps = kH * kW * inC;
  const xBase = b * inH * inW * inC;
  let row = 0;
  for (let yR = 0; yR < g.outH; yR++) {
    const xR0 = yR * g.strideH - g.padTop;
    for (let yC = 0; yC < g.outW; yC++, row += taps) {
      const xC0 = yC * g.strideW - g.padLeft;
      let t = row;
      for (let wR = 0; wR < kH; wR++) {
        const xR = xR0 + wR * g.dilationH;
        if (xR < 0 || xR >= inH) {
          cols.fill(0, t, t + kW * inC);
          t += kW * inC;
          continue;
        }
        const xRow = xBase + xR * inW * inC;
        for (let wC = 0; wC < kW; wC++) {
          const xC = xC0 + wC * g.dilationW;
          if (xC < 0 || xC >= inW) {
            cols.fill(0, t, t + inC);
          } else {
            const src = xRow + xC * inC;
            for (let d = 0; d < inC; d++) cols[t + d] = x[src + d];
          }
          t += inC;
        }
      }
    }
  }
}

/**
 * The transpose of `im2col`: colsT[t, off + p] (row stride `ld`, default pixels) for tap t and
 * pixel p of image b, so each tap's values over the image are contiguous; with ld = batch·pixels
 * and off = b·pixels the whole batch forms one taps × (batch·pixels) matrix.
 */
export function im2colT(
  x: Float32Array,
  g: ConvGeometry,
  b: number,
  colsT: Float32Array,
  ld = g.outH * g.outW,
  off = 0,
): void {
  const { inH, inW, inC, kH, kW, outH, outW } = g;
  const xBase = b * inH * inW * inC;
  for (let wR = 0; wR < kH; wR++) {
    for (let wC = 0; wC < kW; wC++) {
      for (let d = 0; d < inC; d++) {
        const t = (wR * kW + wC) * inC + d;
        let o = t * ld + off;
        for (let yR = 0; yR < outH; yR++) {
          const xR = yR * g.strideH - g.padTop + wR * g.dilationH;
          if (xR < 0 || xR >= inH) {
            colsT.fill(0, o, o + outW);
            o += outW;
            continue;
          }
          const xRow = xBase + xR * inW * inC + d;
          const xC0 = wC * g.dilationW - g.padLeft;
          for (let yC = 0; yC < outW; yC++, o++) {
            const xC = xC0 + yC * g.strideW;
            colsT[o] = xC < 0 || xC >= inW ? 0 : x[xRow + xC * inC];
          }
        }
      }
    }
  }
}

/** dx[b] += scatter of `cols` (pixels × taps): the adjoint of `im2col`. */
export function col2im(cols: Float32Array, g: ConvGeometry, b: number, dx: Float32Array): void {
  const { inH, inW, inC, kH, kW } = g;
  const taps = kH * kW * inC;
  const xBase = b * inH * inW * inC;
  let row = 0;
  for (let yR = 0; yR < g.outH; yR++) {
    const xR0 = yR * g.strideH - g.padTop;
    for (let yC = 0; yC < g.outW; yC++, row += taps) {
      const xC0 = yC * g.strideW - g.padLeft;
      let t = row;
      for (let wR = 0; wR < kH; wR++) {
        const xR = xR0 + wR * g.dilationH;
        if (xR < 0 || xR >= inH) {
          t += kW * inC;
          continue;
        }
        const xRow = xBase + xR * inW * inC;
        for (let wC = 0; wC < kW; wC++, t += inC) {
          const xC = xC0 + wC * g.dilationW;
          if (xC < 0 || xC >= inW) continue;
          const dst = xRow + xC * inC;
          for (let d = 0; d < inC; d++) dx[dst + d] += cols[t + d];
        }
      }
    }
  }
}
