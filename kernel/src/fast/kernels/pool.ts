/**
 * Shared max-pool scan (NHWC): for each output pixel and channel, the *first* input position in
 * row-major window order holding a strictly greater value than all before it — the tie rule of
 * tfjs's stock MaxPool and MaxPoolGrad, so the gradient goes to the same element. Window taps in
 * the padding are skipped; a window whose values are all −∞ (or NaN) has no maximum (index −1).
 */
import type * as tf from "@tensorflow/tfjs";
import { simd } from "../wasm/runtime";

export interface PoolGeometry {
  batches: number;
  inH: number;
  inW: number;
  channels: number;
  outH: number;
  outW: number;
  kH: number;
  kW: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

export function poolGeometry(info: tf.backend_util.Conv2DInfo): PoolGeometry {
  return {
    batches: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    channels: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    kH: info.effectiveFilterHeight,
    kW: info.effectiveFilterWidth,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/**
 * Fill `values[o]` with the maximum of output element o's window and `where[o]` with its flat
 * index in x (−1 when the window has none; the value is then −∞).
 */
export function scanMaxPool(
  x: Float32Array,
  g: PoolGeometry,
  values: Float32Array,
  where: Int32Array,
): void {
  const C = g.channels;
  let out = 0;
  for (let b = 0; b < g.batches; b++) {
    const xb = b * g.inH * g.inW * C;
    for (let yR = 0; yR < g.outH; yR++) {
      const r0 = yR * g.strideH - g.padTop;
      const rMin = Math.max(0, r0);
      const rMax = Math.min(g.inH, r0 + g.kH);
      for (let yC = 0; yC < g.outW; yC++, out += C) {
        const c0 = yC * g.strideW - g.padLeft;
        const cMin = Math.max(0, c0);
        const cMax = Math.min(g.inW, c0 + g.kW);
        for (let d = 0; d < C; d++) {
          values[out + d] = -Infinity;
          where[out + d] = -1;
        }
        for (let r = rMin; r < rMax; r++) {
          for (let c = cMin; c < cMax; c++) {
            const at = xb + (r * g.inW + c) * C;
            for (let d = 0; d < C; d++) {
              const v = x[at + d];
              if (v > values[out + d]) {
                values[out + d] = v;
                where[out + d] = at + d;
              }
            }
          }
        }
      }
    }
  }
}

/** `scanMaxPool` in WebAssembly SIMD (vectorized over channels) where available. */
export function scanMaxPoolFast(
  x: Float32Array,
  g: PoolGeometry,
  values: Float32Array,
  where: Int32Array,
): void {
  const s = x.length >= 256 ? simd() : null;
  const ptrs = s?.alloc(x.length, values.length, where.length);
  if (!s || !ptrs) {
    scanMaxPool(x, g, values, where);
    return;
  }
  const [px, pv, pw] = ptrs;
  s.f32(px, x.length).set(x);
  s.fn.maxpool(
    px,
    g.batches,
    g.inH,
    g.inW,
    g.channels,
    g.outH,
    g.outW,
    g.kH,
    g.kW,
    g.strideH,
    g.strideW,
    g.padTop,
    g.padLeft,
    pv,
    pw,
  );
  values.set(s.f32(pv, values.length));
  where.set(s.i32(pw, where.length));
}

/**
 * Argmax positions of recent MaxPool outputs, keyed by the output's data id, so MaxPoolGrad
 * (whose inputs include that output) reuses them instead of scanning x again. The forward input's
 * data id and the pooling attributes must match too. Weak keys: entries go with the tensors.
 */
export const argmaxCache = new WeakMap<object, { x: object; key: string; where: Int32Array }>();

export function poolKey(g: PoolGeometry): string {
  return [g.kH, g.kW, g.strideH, g.strideW, g.padTop, g.padLeft, g.outH, g.outW].join(",");
}
