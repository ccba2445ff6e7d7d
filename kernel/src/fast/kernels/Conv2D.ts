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
  stringAttr,
} from "../backend";
import { geometry, im2col, patchSize } from "../conv";
import { gemm } from "../gemm";
import type { FastKernel } from "../kernel";
import { simdGemm, simdPatches, writeMatrix } from "../wasm/runtime";
import { floats } from "../outputs";

/** Patch-matrix floats per SIMD product; bigger batches (inference) go in chunks of images, so
 * the module's memory (which never shrinks) stays bounded. */
const CHUNK_FLOATS = 1 << 22;

/** What follows the product in a fused convolution: y + bias (outC values, or one), then an activation. */
export interface ConvEpilogue {
  bias: Float32Array;
  activation: "linear" | "relu" | "relu6";
}

/** y + bias then the activation, in place over rows of `outC` channels (TypeScript path). */
export function biasActivation(y: Float32Array, outC: number, e: ConvEpilogue): void {
  const { bias, activation } = e;
  const step = bias.length === 1 ? 0 : 1;
  for (let s = 0; s < y.length; s += outC) {
    for (let j = 0, k = 0; j < outC; j++, k += step) {
      let v = y[s + j] + bias[k];
      if (activation !== "linear") v = v < 0 ? 0 : activation === "relu6" && v > 6 ? 6 : v;
      y[s + j] = v;
    }
  }
}

/**
 * The convolution's output values (with `epilogue` applied) and tfjs's geometry, or null to fall
 * back. With SIMD, the bias and relu run inside the GEMM's store, and with a whole batch in one
 * chunk (training) the product's copy out of the module is the result (no second array).
 */
export function convolve(
  args: KernelArgs,
  name: string,
  epilogue?: ConvEpilogue,
): { info: tf.backend_util.Conv2DInfo; y: Float32Array } | null {
  const backend = cpuBackend(args, name);
  const x = input(args, "x", name);
  const filter = input(args, "filter", name);
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
  // Bias and relu inside the SIMD GEMM's store; relu6 runs in TypeScript after the copy.
  const inGemm = epilogue !== undefined && epilogue.activation !== "relu6";
  // SIMD: a chunk of images' patches as one (images·pixels) × taps matrix, one product. A
  // whole training batch is one chunk, kept in the module's memory for Conv2DBackpropFilter on
  // the same input.
  const per = Math.max(1, Math.floor(CHUNK_FLOATS / Math.max(1, pixels * taps)));
  const inImage = g.inH * g.inW * g.inC;
  let y: Float32Array | null = null;
  for (let b0 = 0; b0 < g.batches; b0 += per) {
    const n = Math.min(per, g.batches - b0);
    const whole = n === g.batches;
    const part = { ...g, batches: n };
    const xs = whole ? xv : xv.subarray(b0 * inImage, (b0 + n) * inImage);
    const patches = simdPatches(whole ? x.dataId : {}, xs, part);
    const out =
      patches === null
        ? null
        : simdGemm(
            n * pixels,
            g.outC,
            taps,
            () => undefined,
            (w, ld) => writeMatrix(w, ld, wv, 0, taps, g.outC, false),
            {
              a: patches,
              bias: inGemm ? epilogue.bias : undefined,
              relu: inGemm && epilogue.activation === "relu",
            },
          );
    if (out === null) {
      y = null;
      break;
    }
    if (whole) y = out;
    else (y ??= floats(g.batches * pixels * g.outC)).set(out, b0 * pixels * g.outC);
  }
  if (y !== null) {
    if (epilogue !== undefined && !inGemm) biasActivation(y, g.outC, epilogue);
    return { info, y };
  }
  y = new Float32Array(g.batches * pixels * g.outC);
  const cols = new Float32Array(pixels * taps);
  for (let b = 0; b < g.batches; b++) {
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
  if (epilogue !== undefined) biasActivation(y, g.outC, epilogue);
  return { info, y };
}

export function conv2d(args: KernelArgs): TensorInfo | null {
  const r = convolve(args, "Conv2D");
  if (r === null) return null;
  return cpuBackend(args, "Conv2D").makeTensorInfo(r.info.outShape, "float32", r.y);
}

/**
 * FusedConv2D (inference: tfjs fuses conv + bias + activation when no gradient is recorded):
 * the convolution above with y + bias (outC values or one) and linear, relu or relu6 applied.
 * PReLU, leaky relu and other activations fall back.
 */
export function fusedConv2d(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "FusedConv2D");
  const activation = stringAttr(attrs(args), "activation") ?? "linear";
  if (activation !== "linear" && activation !== "relu" && activation !== "relu6") return null;
  if (args.inputs["preluActivationWeights"] !== undefined) return null;
  const biasInfo = args.inputs["bias"];
  const bias = biasInfo === undefined ? new Float32Array(1) : floatValues(backend, biasInfo);
  const outC = shape4(input(args, "filter", "FusedConv2D"))?.[3];
  if (bias === null || outC === undefined) return null;
  if (bias.length !== outC && bias.length !== 1) return null;
  const r = convolve(args, "FusedConv2D", { bias, activation });
  if (r === null) return null;
  return backend.makeTensorInfo(r.info.outShape, "float32", r.y);
}

export const conv2DKernel: FastKernel = { kernelName: "Conv2D", run: conv2d };
export const fusedConv2DKernel: FastKernel = { kernelName: "FusedConv2D", run: fusedConv2d };
