/**
 * RESIZE_BILINEAR (TFLite `reference_ops::ResizeBilinear` for float32,
 * `ResizeBilinearInteger` for int8 and int16). Per axis, scale = in/out (alignCorners and
 * out > 1: (in − 1)/(out − 1)) and the source coordinate of output index i is
 * s = (i + 0.5)·scale − 0.5 with halfPixelCenters, else i·scale; its neighbours are
 * lo = max(⌊s⌋, 0) and hi = min(⌈s⌉, in − 1), and the four neighbours are weighted by
 * (1 − (s − lo)) and (s − lo) along each axis.
 * float32: all of it in float32, the four products summed in the order (lo,lo), (hi,lo),
 * (lo,hi), (hi,hi) — rows first.
 * Integer: the same in fixed point with 10 fractional bits: scale10 = ⌊(2^10·in + ⌊out/2⌋) / out⌋
 * (alignCorners: of in − 1 and out − 1), s10 = i·scale10 (halfPixelCenters:
 * i·scale10 + ⌊scale10/2⌋ − 2^9), lo = max(trunc(s10 / 2^10), 0), hi = min(trunc((s10 + 1023) /
 * 2^10), in − 1) (C's truncating division: for negative s10 both are 0 and the weights extrapolate);
 * the weighted sum of the four neighbours has 20 fractional bits and is rounded half away from
 * zero. No rescaling: output scale and zero point are the input's.
 */
import type { Node } from "../node";
import type { Eval, Kernel } from "./kernel";
import { prepareResize } from "./resize";

interface Axis {
  lo: Int32Array;
  hi: Int32Array;
  /** Weight of `hi` (float32, or fixed point with 10 fractional bits). */
  frac: Float64Array;
}

function floatAxis(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixel: boolean,
): Axis {
  const scale =
    alignCorners && outSize > 1
      ? Math.fround((inSize - 1) / (outSize - 1))
      : Math.fround(inSize / outSize);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const s = halfPixel
      ? Math.fround(Math.fround(Math.fround(i + 0.5) * scale) - 0.5)
      : Math.fround(i * scale);
    lo[i] = Math.max(Math.floor(s), 0);
    hi[i] = Math.min(Math.ceil(s), inSize - 1);
    frac[i] = Math.fround(s - lo[i]);
  }
  return { lo, hi, frac };
}

function fixedAxis(
  inSize: number,
  outSize: number,
  alignCorners: boolean,
  halfPixel: boolean,
): Axis {
  const scale10 =
    alignCorners && outSize > 1
      ? Math.floor((1024 * (inSize - 1) + Math.floor((outSize - 1) / 2)) / (outSize - 1))
      : Math.floor((1024 * inSize + Math.floor(outSize / 2)) / outSize);
  const lo = new Int32Array(outSize);
  const hi = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const s = halfPixel ? i * scale10 + Math.floor(scale10 / 2) - 512 : i * scale10;
    lo[i] = Math.max(Math.trunc(s / 1024), 0);
    hi[i] = Math.min(Math.trunc((s + 1023) / 1024), inSize - 1);
    frac[i] = s - 1024 * lo[i];
  }
  return { lo, hi, frac };
}

export const ResizeBilinear: Kernel = {
  op: "RESIZE_BILINEAR",
  prepare(node: Node): Eval {
    const o = node.options("ResizeBilinearOptions");
    const { input, output, g } = prepareResize(node, o);
    const { batches, inH, inW, channels: c, outH, outW } = g;
    const f = Math.fround;

    if (input.dtype === "float32") {
      const x = node.f32(input);
      const y = node.f32(output);
      const ay = floatAxis(inH, outH, o.alignCorners, o.halfPixelCenters);
      const ax = floatAxis(inW, outW, o.alignCorners, o.halfPixelCenters);
      return () => {
        let out = 0;
        for (let b = 0; b < batches; b++) {
          for (let oy = 0; oy < outH; oy++) {
            const dy = ay.frac[oy];
            const wy0 = f(1 - dy);
            const r0 = (b * inH + ay.lo[oy]) * inW;
            const r1 = (b * inH + ay.hi[oy]) * inW;
            for (let ox = 0; ox < outW; ox++) {
              const dx = ax.frac[ox];
              const wx0 = f(1 - dx);
              const p00 = (r0 + ax.lo[ox]) * c;
              const p10 = (r1 + ax.lo[ox]) * c;
              const p01 = (r0 + ax.hi[ox]) * c;
              const p11 = (r1 + ax.hi[ox]) * c;
              for (let ch = 0; ch < c; ch++) {
                const v00 = f(f(x[p00 + ch] * wy0) * wx0);
                const v10 = f(f(x[p10 + ch] * dy) * wx0);
                const v01 = f(f(x[p01 + ch] * wy0) * dx);
                const v11 = f(f(x[p11 + ch] * dy) * dx);
                y[out++] = f(f(f(v00 + v10) + v01) + v11);
              }
            }
          }
        }
      };
    }

    if (input.dtype === "int8" || input.dtype === "int16") {
      const x = node.i8or16(input);
      const y = node.i8or16(output);
      const ay = fixedAxis(inH, outH, o.alignCorners, o.halfPixelCenters);
      const ax = fixedAxis(inW, outW, o.alignCorners, o.halfPixelCenters);
      const ONE = 1024;
      const HALF = 2 ** 19;
      const SCALE = 2 ** 20;
      return () => {
        let out = 0;
        for (let b = 0; b < batches; b++) {
          for (let oy = 0; oy < outH; oy++) {
            const dy = ay.frac[oy];
            const wy0 = ONE - dy;
            const r0 = (b * inH + ay.lo[oy]) * inW;
            const r1 = (b * inH + ay.hi[oy]) * inW;
            for (let ox = 0; ox < outW; ox++) {
              const dx = ax.frac[ox];
              const wx0 = ONE - dx;
              const p00 = (r0 + ax.lo[ox]) * c;
              const p10 = (r1 + ax.lo[ox]) * c;
              const p01 = (r0 + ax.hi[ox]) * c;
              const p11 = (r1 + ax.hi[ox]) * c;
              for (let ch = 0; ch < c; ch++) {
                // Exact in a double: each term is below 2^15 · 2^11 · 2^11.
                const sum =
                  x[p00 + ch] * wy0 * wx0 +
                  x[p10 + ch] * dy * wx0 +
                  x[p01 + ch] * wy0 * dx +
                  x[p11 + ch] * dy * dx;
                y[out++] = Math.trunc((sum + (sum > 0 ? HALF : -HALF)) / SCALE);
              }
            }
          }
        }
      };
    }
    throw node.unsupported();
  },
};
