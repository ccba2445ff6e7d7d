/**
 * Softmax cross-entropy and the argmax-match metric as single kernels, installed by
 * `enableFastKernels()` on `tf.losses.softmaxCrossEntropy` (tfjs's own op object, so user code
 * calling it gets the kernel too) and removed by `disableFastKernels()`.
 *
 * Stock `tf.losses.softmaxCrossEntropy(labels, logits)` with its defaults (no weights, no label
 * smoothing, SUM_BY_NONZERO_WEIGHTS = the mean over examples) records about 20 kernels a step
 * (max, sub, exp, sum, log, add, sub, mul, neg, sum, sum, div and their gradients, both inputs'
 * gradients computed). With the CNN's heavy kernels fast, that dispatch was a visible share of a
 * training step. Here:
 *
 *   `TsquantSoftmaxCE` {labels, logits} [n, c] → mean_i Σ_c −labels·(logits − logsumexp(logits)),
 *       accumulated in float64, stored as float32;
 *   gradient, lazily per input: logits → `TsquantSoftmaxCEGrad` = (softmax − labels) · dy / n,
 *       labels → −(that), the stock formulas (tfjs's custom gradient for both inputs);
 *   `TsquantArgmaxMatch` {a, b} [n, c] → float32 [n]: 1 where argmax(a) = argmax(b) (first
 *       maximum, tfjs's ArgMax scan), else 0 — `accuracy` in ../train/tutorial.ts.
 *
 * Values differ from stock only by float32-vs-float64 rounding inside the sums (tests: 1e-5
 * relative). Weights, label smoothing, another reduction, non-float32 or non-rank-2 inputs, or
 * another backend run the stock op.
 */
import * as tf from "@tensorflow/tfjs";
import { type KernelArgs, type TensorInfo, cpuBackend, floatValues, input } from "./backend";
import { registerOwnKernels, unregisterOwnKernels } from "./kernel";

export const SOFTMAX_CE = "TsquantSoftmaxCE";
export const SOFTMAX_CE_GRAD = "TsquantSoftmaxCEGrad";
export const ARGMAX_MATCH = "TsquantArgmaxMatch";

function pair(
  args: KernelArgs,
  op: string,
  names: [string, string],
): [Float32Array, Float32Array, number, number] {
  const backend = cpuBackend(args, op);
  const [a, b] = names.map((n) => input(args, n, op));
  const av = floatValues(backend, a);
  const bv = floatValues(backend, b);
  if (!av || !bv || a.shape.length !== 2 || av.length !== bv.length) {
    throw new Error(`${op}: expected two float32 [n, classes] inputs of one shape`);
  }
  return [av, bv, a.shape[0], a.shape[1]];
}

/** log Σ exp over row i of logits (max-shifted), in float64. */
function logSumExp(l: Float32Array, at: number, c: number): number {
  let m = -Infinity;
  for (let j = 0; j < c; j++) if (l[at + j] > m) m = l[at + j];
  if (m === -Infinity || m !== m) m = 0;
  let s = 0;
  for (let j = 0; j < c; j++) s += Math.exp(l[at + j] - m);
  return m + Math.log(s);
}

function lossKernel(args: KernelArgs): TensorInfo {
  const [labels, logits, n, c] = pair(args, SOFTMAX_CE, ["labels", "logits"]);
  let total = 0;
  for (let i = 0, at = 0; i < n; i++, at += c) {
    const lse = logSumExp(logits, at, c);
    for (let j = 0; j < c; j++) total -= labels[at + j] * (logits[at + j] - lse);
  }
  const out = Float32Array.of(total / n);
  return cpuBackend(args, SOFTMAX_CE).makeTensorInfo([], "float32", out);
}

/** d loss / d logits = (softmax(logits) − labels) · dy / n. */
function gradKernel(args: KernelArgs): TensorInfo {
  const [labels, logits, n, c] = pair(args, SOFTMAX_CE_GRAD, ["labels", "logits"]);
  const backend = cpuBackend(args, SOFTMAX_CE_GRAD);
  const dy = floatValues(backend, input(args, "dy", SOFTMAX_CE_GRAD));
  if (dy === null || dy.length !== 1)
    throw new Error(`${SOFTMAX_CE_GRAD}: dy must be a float32 scalar`);
  const g = dy[0] / n;
  const out = new Float32Array(n * c);
  for (let i = 0, at = 0; i < n; i++, at += c) {
    const lse = logSumExp(logits, at, c);
    for (let j = 0; j < c; j++) out[at + j] = (Math.exp(logits[at + j] - lse) - labels[at + j]) * g;
  }
  return backend.makeTensorInfo([n, c], "float32", out);
}

/** First index of the row's maximum, as tfjs's ArgMax (a NaN never wins; row start if all NaN). */
function argmax(v: Float32Array, at: number, c: number): number {
  let best = v[at];
  let k = 0;
  for (let j = 1; j < c; j++) {
    if (v[at + j] > best) {
      best = v[at + j];
      k = j;
    }
  }
  return k;
}

function matchKernel(args: KernelArgs): TensorInfo {
  const [a, b, n, c] = pair(args, ARGMAX_MATCH, ["a", "b"]);
  const out = new Float32Array(n);
  for (let i = 0, at = 0; i < n; i++, at += c)
    out[i] = argmax(a, at, c) === argmax(b, at, c) ? 1 : 0;
  return cpuBackend(args, ARGMAX_MATCH).makeTensorInfo([n], "float32", out);
}

const lossGradient: tf.GradConfig = {
  kernelName: SOFTMAX_CE,
  inputsToSave: ["labels", "logits"],
  gradFunc: (dy, saved) => {
    const [labels, logits] = saved;
    const g = Array.isArray(dy) ? dy[0] : dy;
    if (labels === undefined || logits === undefined || g === undefined) {
      throw new Error(`${SOFTMAX_CE} gradient: missing saved tensors`);
    }
    const dLogits = (): tf.Tensor =>
      tf.engine().runKernel(SOFTMAX_CE_GRAD, { dy: g, labels, logits }, {}) as tf.Tensor;
    return { logits: dLogits, labels: () => tf.neg(dLogits()) };
  },
};

/** Both float32 rank-2 tensors of one shape on the cpu backend. */
function fastPair(a: unknown, b: unknown): a is tf.Tensor2D {
  return (
    tf.getBackend() === "cpu" &&
    a instanceof tf.Tensor &&
    b instanceof tf.Tensor &&
    a.dtype === "float32" &&
    b.dtype === "float32" &&
    a.rank === 2 &&
    tf.util.arraysEqual(a.shape, b.shape) &&
    tf.getKernel(SOFTMAX_CE, "cpu") !== undefined
  );
}

/**
 * Per example 1 where argmax(a) = argmax(b), else 0: one kernel while fast kernels are enabled
 * (cpu backend, float32 [n, c]), else tfjs's argMax/equal/cast.
 */
export function argmaxMatch(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  if (fastPair(a, b)) return tf.engine().runKernel(ARGMAX_MATCH, { a, b }, {}) as tf.Tensor;
  return tf.tidy(() => tf.cast(tf.equal(tf.argMax(a, -1), tf.argMax(b, -1)), "float32"));
}

type SoftmaxCE = typeof tf.losses.softmaxCrossEntropy;

/** The namespace object `tf.losses` resolves to (a plain object in tfjs-core). */
const lossOps = tf.losses as unknown as { softmaxCrossEntropy: SoftmaxCE };

let stockLoss: SoftmaxCE | undefined;

export function enableFastLoss(): void {
  if (stockLoss !== undefined) return;
  const stock = lossOps.softmaxCrossEntropy;
  stockLoss = stock;
  registerOwnKernels([
    [SOFTMAX_CE, lossKernel],
    [SOFTMAX_CE_GRAD, gradKernel],
    [ARGMAX_MATCH, matchKernel],
  ]);
  // tfjs has no unregisterGradient; this one stays registered, unused once the kernel is gone.
  tf.registerGradient(lossGradient);
  const fast = ((labels, logits, weights, labelSmoothing, reduction) => {
    const plain =
      (weights === undefined || weights === null) &&
      (labelSmoothing === undefined || labelSmoothing === 0) &&
      (reduction === undefined || reduction === tf.Reduction.SUM_BY_NONZERO_WEIGHTS);
    if (plain && fastPair(labels, logits) && logits instanceof tf.Tensor) {
      return tf.engine().runKernel(SOFTMAX_CE, { labels, logits }, {}) as tf.Tensor;
    }
    return stock(labels, logits, weights, labelSmoothing, reduction);
  }) as SoftmaxCE;
  lossOps.softmaxCrossEntropy = fast;
}

export function disableFastLoss(): void {
  if (stockLoss === undefined) return;
  lossOps.softmaxCrossEntropy = stockLoss;
  stockLoss = undefined;
  unregisterOwnKernels([SOFTMAX_CE, SOFTMAX_CE_GRAD, ARGMAX_MATCH]);
}
