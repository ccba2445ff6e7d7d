/**
 * Conv2DBackpropFilter (NHWC): dW = Σ_b im2col(x[b])ᵀ · dy[b], with dW laid out
 * [kH, kW, inC, outC] = [taps, outC]. The transposed patch matrix keeps each tap's values over an
 * image contiguous, so the product runs down long rows (pixels per image) with a 4×4 register tile.
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
import { type ConvGeometry, geometry, im2colT, patchSize } from "../conv";
import { gemm } from "../gemm";
import type { FastKernel } from "../kernel";
import { simdGemm, simdPatches, writeMatrix } from "../wasm/runtime";

/** A filter gradient's inputs x and dy (float32 values) and geometry, from its attributes
 * (filterShape, strides, pad, dimRoundingMode, dataFormat); null for a case to fall back on. */
export function filterGradientInputs(
  args: KernelArgs,
  name: string,
): {
  x: TensorInfo;
  xv: Float32Array;
  dyv: Float32Array;
  info: tf.backend_util.Conv2DInfo;
  g: ConvGeometry;
} | null {
  const backend = cpuBackend(args, name);
  const x = input(args, "x", name);
  const dy = input(args, "dy", name);
  const a = attrs(args);
  const xShape = shape4(x);
  const fs = numbersAttr(a, "filterShape");
  const strides = pairAttr(a, "strides");
  const pad = padAttr(a);
  const xv = floatValues(backend, x);
  const dyv = floatValues(backend, dy);
  if (!xShape || !fs || fs.length !== 4 || !strides || pad === undefined) return null;
  if (!isChannelsLast(a) || !xv || !dyv) return null;
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    [fs[0], fs[1], fs[2], fs[3]],
    strides,
    1,
    pad,
    roundingAttr(a),
  );
  return { x, xv, dyv, info, g: geometry(info) };
}

export function conv2dBackpropFilter(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Conv2DBackpropFilter");
  const inputs = filterGradientInputs(args, "Conv2DBackpropFilter");
  if (inputs === null) return null;
  const { x, xv, dyv, info, g } = inputs;
  const { pixels, taps } = patchSize(g);
  // SIMD: one product for the whole batch, dW = colsᵀ · dy with cols the (batch·pixels) × taps
  // patch matrix (the GEMM reads A transposed) and dy (batch·pixels) × outC.
  const all = g.batches * pixels;
  const patches = simdPatches(x.dataId, xv, g);
  const fast =
    patches === null
      ? null
      : simdGemm(
          taps,
          g.outC,
          all,
          () => undefined,
          (d, ld) => writeMatrix(d, ld, dyv, 0, all, g.outC, false),
          { transposedA: true, a: patches },
        );
  if (fast !== null) return backend.makeTensorInfo(info.filterShape, "float32", fast);
  const dW = new Float32Array(taps * g.outC);
  const colsT = new Float32Array(taps * pixels);
  for (let b = 0; b < g.batches; b++) {
    im2colT(xv, g, b, colsT);
    gemm(
      taps,
      g.outC,
      pixels,
      { data: colsT, offset: 0, rowStride: pixels },
      { data: dyv, offset: b * pixels * g.outC, rowStride: g.outC },
      { data: dW, offset: 0, rowStride: g.outC },
      b > 0,
    );
  }
  return backend.makeTensorInfo(info.filterShape, "float32", dW);
}

export const conv2DBackpropFilterKernel: FastKernel = {
  kernelName: "Conv2DBackpropFilter",
  run: conv2dBackpropFilter,
};
