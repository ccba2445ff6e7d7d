/**
 * The window loop shared by MAX_POOL_2D and AVERAGE_POOL_2D: for each output pixel and channel,
 * visit the window's taps that fall inside the image (padding taps are skipped, so SAME pooling
 * never sees padding) and reduce them.
 */
import type { Node } from "../node";
import type { ConvGeometry } from "./convolution";
import { convGeometry } from "./convolution";

/** Stores one output element from its window's reduction over `count` in-image taps. */
export type PoolStore = (value: number, count: number, outIndex: number) => void;

export function poolGeometry(node: Node): ConvGeometry {
  const o = node.options("Pool2DOptions");
  const input = node.input(0);
  node.expectRank(input, 4);
  return convGeometry(node, input, o.filterHeight, o.filterWidth, input.shape[3] ?? 0, {
    padding: o.padding,
    strideH: o.strideH,
    strideW: o.strideW,
    dilationH: 1,
    dilationW: 1,
  });
}

/**
 * Window taps per invoke: every output element visits at most min(kH, inH) × min(kW, inW) taps
 * (the window is clipped to the image), whatever the filter size in the options.
 */
export function poolTaps(g: ConvGeometry): number {
  return g.batches * g.outH * g.outW * g.outC * Math.min(g.kH, g.inH) * Math.min(g.kW, g.inW);
}

/**
 * Run a pooling reduction over every batch, output pixel and channel: `"max"` (starting from
 * `initial`, the dtype's lowest value) or `"sum"` (float32 sums for float input, exact for int8 and int16 below 2^24).
 */
export function pool(
  g: ConvGeometry,
  x: Float32Array | Int8Array | Int16Array,
  mode: "max" | "sum",
  initial: number,
  store: PoolStore,
): void {
  const { batches, inH, inW, inC, outH, outW, kH, kW, strideH, strideW } = g;
  const isMax = mode === "max";
  for (let b = 0; b < batches; b++) {
    for (let oy = 0; oy < outH; oy++) {
      const iy0 = oy * strideH - g.padTop;
      const yStart = Math.max(0, -iy0);
      const yEnd = Math.min(kH, inH - iy0);
      for (let ox = 0; ox < outW; ox++) {
        const ix0 = ox * strideW - g.padLeft;
        const xStart = Math.max(0, -ix0);
        const xEnd = Math.min(kW, inW - ix0);
        const count = Math.max(0, yEnd - yStart) * Math.max(0, xEnd - xStart);
        const outBase = ((b * outH + oy) * outW + ox) * inC;
        for (let c = 0; c < inC; c++) {
          let state = initial;
          for (let ky = yStart; ky < yEnd; ky++) {
            let i = ((b * inH + iy0 + ky) * inW + ix0 + xStart) * inC + c;
            for (let kx = xStart; kx < xEnd; kx++, i += inC) {
              const v = x[i];
              if (isMax) state = v > state ? v : state;
              else state = Math.fround(state + v);
            }
          }
          store(state, count, outBase + c);
        }
      }
    }
  }
}
