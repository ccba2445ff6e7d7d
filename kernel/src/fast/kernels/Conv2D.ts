/**
 * Conv2D (NHWC): y[b] = im2col(x[b]) · W (see ../conv.ts): with WebAssembly SIMD one product over
 * the whole batch's patch matrix, else one 4×4-tiled TypeScript product per image.
 * Strides, SAME/VALID/numeric padding and dilations as tfjs; NCHW and explicit padding fall back.
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
  padAttr,
  pairAttr,
  roundingAttr,
  shape4,
} from "../backend";
import { geometry, im2col, patchSize } from "../conv";
import { gemm } from "../gemm";
import type { FastKernel } from "../kernel";
import { simdGemm, simdPatches, writeMatrix } from "../wasm/runtime";

export function conv2d(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Conv2D");
  const x = input(args, "x", "Conv2D");
  const filter = input(args, "filter", "Conv2D");
  const a = attrs(args);
  const xShape = shape4(x);
  const fShape = shape4(filter);
  const strides = pairAttr(a, "strides");
  const dilations = pairAttr(a, "dilations") ?? 1;
  const pad = padAttr(a);
  const xv = floatValues(backend, x);
  const wv = floatValues(backend, filter);
  if (!xShape || !fShape || !strides || pad === undefined || !isChannelsLast(a) || !xv || !wv) {
    return null;
  }
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    fShape,
    strides,
    dilations,
    pad,
    roundingAttr(a),
  );
  const g = geometry(info);
  const { pixels, taps } = patchSize(g);
  // SIMD: the whole batch's patches as one (batch·pixels) × taps matrix (kept in the module's
  // memory for Conv2DBackpropFilter on the same input), one product.
  const patches = simdPatches(x.dataId, xv, g);
  const fast =
    patches === null
      ? null
      : simdGemm(
          g.batch * pixels,
          g.outC,
          taps,
          () => undefined,
          (w, ld) => writeMatrix(w, ld, wv, 0, taps, g.outC, false),
          { a: patches },
        );
  if (fast !== null) return backend.makeTensorInfo(info.outShape, "float32", fast);
  const y = new Float32Array(g.batch * pixels * g.outC);
  const cols = new Float32Array(pixels * taps);
  for (let b = 0; b < g.batch; b++) {
    im2col(xv, g, b, cols);
    gemm(
      pixels,
      g.outC,
      taps,
      { data: cols, offset: 0, rowStride: taps },
      { data: wv, offset: 0, rowStride: g.outC },
      { data: y, offset: b * pixels * g.outC, rowStride: g.outC },
    );
  }
  return backend.makeTensorInfo(info.outShape, "float32", y);
}

export const conv2DKernel: FastKernel = { kernelName: "Conv2D", run: conv2d };
