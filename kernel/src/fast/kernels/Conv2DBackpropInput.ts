/**
 * Conv2DBackpropInput (NHWC): dx[b] = col2im(dy[b] · Wᵀ), Wᵀ being [outC, taps]; col2im adds each
 * patch column back onto the input pixel it was read from (zero-padding taps are dropped).
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
import { col2im, geometry, patchSize } from "../conv";
import { gemm, transpose } from "../gemm";
import type { FastKernel } from "../kernel";
import { simdGemm, writeMatrix } from "../wasm/runtime";
import { zeros } from "../outputs";

export function conv2dBackpropInput(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Conv2DBackpropInput");
  const dy = input(args, "dy", "Conv2DBackpropInput");
  const filter = input(args, "filter", "Conv2DBackpropInput");
  const a = attrs(args);
  const is = numbersAttr(a, "inputShape");
  const fShape = shape4(filter);
  const strides = pairAttr(a, "strides");
  const pad = padAttr(a);
  const dyv = floatValues(backend, dy);
  const wv = floatValues(backend, filter);
  if (!is || is.length !== 4 || !fShape || !strides || pad === undefined) return null;
  if (!isChannelsLast(a) || !dyv || !wv) return null;
  const info = tf.backend_util.computeConv2DInfo(
    [is[0], is[1], is[2], is[3]],
    fShape,
    strides,
    1,
    pad,
    roundingAttr(a),
  );
  const g = geometry(info);
  const { pixels, taps } = patchSize(g);
  const dx = zeros(g.batches * g.inH * g.inW * g.inC);
  // SIMD: dcols = dy · Wᵀ for the whole batch in one product, then col2im per image.
  const all = simdGemm(
    g.batches * pixels,
    taps,
    g.outC,
    (d) => d.set(dyv),
    (w, ld) => writeMatrix(w, ld, wv, 0, g.outC, taps, true),
  );
  if (all !== null) {
    for (let b = 0; b < g.batches; b++) col2im(all.subarray(b * pixels * taps), g, b, dx);
    return backend.makeTensorInfo(info.inShape, "float32", dx);
  }
  const wT = transpose(wv, 0, taps, g.outC, new Float32Array(taps * g.outC));
  const dcols = new Float32Array(pixels * taps);
  for (let b = 0; b < g.batches; b++) {
    gemm(
      pixels,
      taps,
      g.outC,
      { data: dyv, offset: b * pixels * g.outC, rowStride: g.outC },
      { data: wT, offset: 0, rowStride: taps },
      { data: dcols, offset: 0, rowStride: taps },
    );
    col2im(dcols, g, b, dx);
  }
  return backend.makeTensorInfo(info.inShape, "float32", dx);
}

export const conv2DBackpropInputKernel: FastKernel = {
  kernelName: "Conv2DBackpropInput",
  run: conv2dBackpropInput,
};
