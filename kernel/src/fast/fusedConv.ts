/**
 * Convolution + bias + relu as one recorded op while training, installed on `tf.fused.conv2d`
 * by `enableFastKernels()` (tfjs-layers' Conv2D layer calls it) and removed by
 * `disableFastKernels()`.
 *
 * While a gradient is recorded, stock `tf.fused.conv2d` with relu runs Conv2D, then Add (bias),
 * then Relu — three activation-sized tensors — and its backward pass Step, Multiply, Sum and
 * Conv2DBackpropFilter (tfjs's fused kernel is used only for inference or a linear activation,
 * and its gradient then always computes the input gradient, which a first layer does not need).
 * Here one kernel, `TsquantConv2D`, writes y = act(conv(x, W) + b); its gradient is three lazy
 * functions, so the engine runs only the ones a variable needs:
 *
 *   filter: `TsquantConv2DFilterGrad` — dW = patchesᵀ · (dy · step(y)), the mask applied in the
 *           WebAssembly module on the way into the product, the patch matrix reused from the
 *           forward pass; the bias gradient Σ (dy · step(y)) comes out of the same pass;
 *   bias:   `TsquantBiasGrad` — that stashed sum (or computed here when filter's did not run);
 *   x:      Conv2DBackpropInput on dy · step(y), as stock.
 *
 * step(y) is 1 where y > 0 (y = relu(z) > 0 exactly where z > 0), NaN where y is NaN, else 0 —
 * the mask stock tfjs's fused gradient uses. Values equal the unfused path's: the same GEMM and
 * the same float32 add and relu. Cases outside this (other activations, NCHW, dilations > 1,
 * explicit padding, a bias that is not 1-D of outC values, rank-3 input, another backend) call
 * the stock op.
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
  stringAttr,
} from "./backend";
import { patchSize } from "./conv";
import { RELU_GRAD } from "./gradients";
import { conv2dBackpropFilter, filterGradientInputs } from "./kernels/Conv2DBackpropFilter";
import { convolve } from "./kernels/Conv2D";
import { ceil4, readMatrix, simd, simdPatches, writeMatrix } from "./wasm/runtime";
import { registerOwnKernels, unregisterOwnKernels } from "./kernel";

export const CONV = "TsquantConv2D";
export const FILTER_GRAD = "TsquantConv2DFilterGrad";
export const BIAS_GRAD = "TsquantBiasGrad";

type Activation = "linear" | "relu";

function activationAttr(args: KernelArgs, op: string): Activation {
  const a = stringAttr(attrs(args), "activation") ?? "linear";
  if (a !== "linear" && a !== "relu") throw new Error(`${op}: unsupported activation ${a}`);
  return a;
}

/** y = act(conv(x, filter) + bias); inputs x, filter, bias (optional). */
function convKernel(args: KernelArgs): TensorInfo {
  const backend = cpuBackend(args, CONV);
  const activation = activationAttr(args, CONV);
  const biasInfo = args.inputs["bias"];
  const bias = biasInfo === undefined ? new Float32Array(1) : floatValues(backend, biasInfo);
  if (bias === null) throw new Error(`${CONV}: bias must be float32`);
  const r = convolve(args, CONV, { bias, activation });
  if (r === null) throw new Error(`${CONV}: unsupported input (the wrapper checks this first)`);
  return backend.makeTensorInfo(r.info.outShape, "float32", r.y);
}

/** dy · step(y) (relu) or dy (linear) as values, for the TypeScript paths. */
function maskedValues(dyv: Float32Array, yv: Float32Array, act: Activation): Float32Array {
  if (act === "linear") return dyv;
  const out = new Float32Array(dyv.length);
  for (let i = 0; i < out.length; i++) {
    const v = yv[i];
    out[i] = dyv[i] * (v > 0 ? 1 : v !== v ? NaN : 0);
  }
  return out;
}

/** Column sums (float64 accumulation) of a rows × cols matrix. */
function columnSums(v: Float32Array, cols: number): Float32Array {
  const acc = new Float64Array(cols);
  for (let i = 0; i < v.length; i += cols) for (let j = 0; j < cols; j++) acc[j] += v[i + j];
  return Float32Array.from(acc);
}

/** The bias gradient the last filter gradient computed, for the (dy, y) pair it came from. */
let stash: { dy: object; y: object; db: Float32Array } | null = null;

/** dW [kH, kW, inC, outC] for inputs x, dy, y; attrs as Conv2DBackpropFilter's + activation. */
function filterGradKernel(args: KernelArgs): TensorInfo {
  const backend = cpuBackend(args, FILTER_GRAD);
  const act = activationAttr(args, FILTER_GRAD);
  const dy = input(args, "dy", FILTER_GRAD);
  const y = input(args, "y", FILTER_GRAD);
  const inputs = filterGradientInputs(args, FILTER_GRAD);
  const yv = floatValues(backend, y);
  if (inputs === null || yv === null) {
    throw new Error(`${FILTER_GRAD}: unsupported input (the wrapper checks this first)`);
  }
  const { x, xv, dyv, info, g } = inputs;
  const { pixels, taps } = patchSize(g);
  const rows = g.batches * pixels;
  const s = simd();
  const patches = s === null ? null : simdPatches(x.dataId, xv, g);
  const np = ceil4(g.outC);
  const p = s === null || patches === null ? null : s.alloc(rows * np, rows * np, taps * np, np);
  if (s !== null && patches !== null && p !== null) {
    const [pd, py, pc, pb] = p;
    writeMatrix(s.f32(pd, rows * np), np, dyv, 0, rows, g.outC, false);
    if (act === "relu") {
      writeMatrix(s.f32(py, rows * np), np, yv, 0, rows, g.outC, false);
      s.fn.step(py, py, rows * np, 0);
      s.fn.mul(pd, rows * np, py, rows * np, pd, rows * np);
    }
    s.fn.gemmTA(taps, np, rows, patches, taps, pd, np, pc, np, 0);
    s.fn.colsum(pd, rows, np, pb);
    stash = { dy: dy.dataId, y: y.dataId, db: s.f32(pb, g.outC).slice() };
    return backend.makeTensorInfo(
      info.filterShape,
      "float32",
      readMatrix(s.f32(pc, taps * np), taps, g.outC, np),
    );
  }
  // TypeScript: the stock-shaped kernel on the masked gradient (dy itself when linear).
  const masked = maskedValues(dyv, yv, act);
  stash = { dy: dy.dataId, y: y.dataId, db: columnSums(masked, g.outC) };
  const maskedInfo =
    masked === dyv ? null : backend.makeTensorInfo(dy.shape.slice(), "float32", masked);
  try {
    const r = conv2dBackpropFilter({
      inputs: { x, dy: maskedInfo ?? dy },
      backend,
      attrs: attrs(args),
    });
    if (r === null) throw new Error(`${FILTER_GRAD}: unsupported input`);
    return r;
  } finally {
    if (maskedInfo !== null) {
      (backend as unknown as { disposeData(id: object): void }).disposeData(maskedInfo.dataId);
    }
  }
}

/** db [outC] = Σ over every axis but the last of dy · step(y); inputs dy, y. */
function biasGradKernel(args: KernelArgs): TensorInfo {
  const backend = cpuBackend(args, BIAS_GRAD);
  const act = activationAttr(args, BIAS_GRAD);
  const dy = input(args, "dy", BIAS_GRAD);
  const y = input(args, "y", BIAS_GRAD);
  const outC = dy.shape[dy.shape.length - 1] ?? 1;
  const last = stash;
  stash = null;
  if (last !== null && last.dy === dy.dataId && last.y === y.dataId) {
    return backend.makeTensorInfo([outC], "float32", last.db);
  }
  const dyv = floatValues(backend, dy);
  const yv = floatValues(backend, y);
  if (!dyv || !yv) throw new Error(`${BIAS_GRAD}: dy and y must be float32`);
  return backend.makeTensorInfo([outC], "float32", columnSums(maskedValues(dyv, yv, act), outC));
}

interface FusedConvArgs {
  x: tf.Tensor | tf.TensorLike;
  filter: tf.Tensor | tf.TensorLike;
  strides: [number, number] | number;
  pad: "valid" | "same" | number | unknown;
  dataFormat?: string;
  dilations?: [number, number] | number;
  dimRoundingMode?: "floor" | "round" | "ceil";
  bias?: tf.Tensor | tf.TensorLike;
  activation?: string;
  preluActivationWeights?: tf.Tensor;
  leakyreluAlpha?: number;
}

type FusedConv = (args: FusedConvArgs) => tf.Tensor;

const ones = (v: unknown): boolean =>
  v === undefined || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

/** The fused op when this call is one it handles, else null (the caller runs stock). */
function fastFusedConv(args: FusedConvArgs): tf.Tensor | null {
  const { x, filter, bias } = args;
  const activation = args.activation ?? "linear";
  if (tf.getBackend() !== "cpu" || (activation !== "linear" && activation !== "relu")) return null;
  if (args.preluActivationWeights !== undefined && args.preluActivationWeights !== null)
    return null;
  if (!(x instanceof tf.Tensor) || !(filter instanceof tf.Tensor)) return null;
  if (x.rank !== 4 || filter.rank !== 4 || x.dtype !== "float32" || filter.dtype !== "float32") {
    return null;
  }
  const outC = filter.shape[3];
  if (bias !== undefined && bias !== null) {
    if (!(bias instanceof tf.Tensor) || bias.dtype !== "float32") return null;
    if (bias.rank !== 1 || bias.shape[0] !== outC) return null;
  }
  if (!isChannelsLast({ dataFormat: args.dataFormat ?? "NHWC" }) || !ones(args.dilations)) {
    return null;
  }
  const pad = args.pad;
  if (pad !== "same" && pad !== "valid" && typeof pad !== "number") return null;
  if (filter.shape[2] !== x.shape[3]) return null;
  const inputs: tf.NamedTensorMap = { x, filter };
  if (bias instanceof tf.Tensor) inputs["bias"] = bias;
  const a: tf.NamedAttrMap = { strides: args.strides, pad, dilations: 1, activation };
  if (args.dimRoundingMode !== undefined) a["dimRoundingMode"] = args.dimRoundingMode;
  return tf.engine().runKernel(CONV, inputs, a) as tf.Tensor;
}

/** Gradient of TsquantConv2D: lazy functions for x, filter and bias (see the file comment). */
const convGradient: tf.GradConfig = {
  kernelName: CONV,
  inputsToSave: ["x", "filter"],
  outputsToSave: [true],
  gradFunc: (dy, saved, a) => {
    const [x, filter, y] = saved;
    const g = Array.isArray(dy) ? dy[0] : dy;
    if (x === undefined || filter === undefined || y === undefined || g === undefined) {
      throw new Error(`${CONV} gradient: missing saved tensors`);
    }
    const activation = a["activation"] ?? "linear";
    const masked = (): tf.Tensor =>
      activation === "relu"
        ? (tf.engine().runKernel(RELU_GRAD, { dy: g, x: y }, {}) as tf.Tensor)
        : g;
    const conv = { strides: a["strides"], pad: a["pad"], dimRoundingMode: a["dimRoundingMode"] };
    return {
      x: () =>
        tf
          .engine()
          .runKernel(
            "Conv2DBackpropInput",
            { dy: masked(), filter },
            { ...conv, dataFormat: "NHWC", inputShape: x.shape },
          ) as tf.Tensor,
      filter: () =>
        tf
          .engine()
          .runKernel(
            FILTER_GRAD,
            { x, dy: g, y },
            { ...conv, activation, filterShape: filter.shape },
          ) as tf.Tensor,
      bias: () => tf.engine().runKernel(BIAS_GRAD, { dy: g, y }, { activation }) as tf.Tensor,
    };
  },
};

let stockFused: FusedConv | undefined;

/** The namespace object tfjs-layers reads `conv2d` from at every call. */
const fusedOps = tf.fused as unknown as { conv2d: FusedConv };

export function enableFusedConv(): void {
  if (stockFused !== undefined) return;
  const stock = fusedOps.conv2d;
  stockFused = stock;
  registerOwnKernels([
    [CONV, convKernel],
    [FILTER_GRAD, filterGradKernel],
    [BIAS_GRAD, biasGradKernel],
  ]);
  // tfjs has no unregisterGradient; this one stays registered, unused once the kernel is gone.
  tf.registerGradient(convGradient);
  fusedOps.conv2d = (args: FusedConvArgs) => fastFusedConv(args) ?? stock(args);
}

export function disableFusedConv(): void {
  if (stockFused === undefined) return;
  fusedOps.conv2d = stockFused;
  stockFused = undefined;
  unregisterOwnKernels([CONV, FILTER_GRAD, BIAS_GRAD]);
  stash = null;
}
