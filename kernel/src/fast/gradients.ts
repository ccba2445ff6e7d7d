/**
 * Gradient overrides that fold element-wise work into one kernel, installed by
 * `enableFastKernels()` and removed by `disableFastKernels()`.
 *
 * Relu: tfjs's gradient is dy · step(x) — a Step kernel writing a full-size mask, then a
 * Multiply. `TsquantReluGrad` computes dx = dy · step(x) in one pass (same values: step(x) is
 * 1 where x > 0, NaN where x is NaN, else 0, and the product is rounded once as before), so a
 * training step allocates one activation-sized tensor fewer (allocation and the garbage
 * collection it causes were a large share of a step; see README.md). Off the "cpu" backend, or
 * for non-float32 tensors, the stock gradient runs.
 */
import * as tf from "@tensorflow/tfjs";
import { type KernelArgs, cpuBackend, floatValues, input } from "./backend";
import { SIMD_MIN } from "./kernels/unary";
import { simd } from "./wasm/runtime";
import { copyOf, floats } from "./outputs";
import { registerOwnKernels, unregisterOwnKernels } from "./kernel";

export const RELU_GRAD = "TsquantReluGrad";

/** dx[i] = dy[i] · step(x[i]), step as tfjs's (alpha 0). */
function reluGrad(args: KernelArgs): tf.TensorInfo {
  const backend = cpuBackend(args, RELU_GRAD);
  const dy = input(args, "dy", RELU_GRAD);
  const x = input(args, "x", RELU_GRAD);
  const dyv = floatValues(backend, dy);
  const xv = floatValues(backend, x);
  if (!dyv || !xv || dyv.length !== xv.length) {
    throw new Error(`${RELU_GRAD}: expected float32 dy and x of one size`);
  }
  const n = xv.length;
  const s = n >= SIMD_MIN ? simd() : null;
  const ptrs = s?.alloc(n, n);
  if (s && ptrs) {
    const [pd, px] = ptrs;
    s.f32(pd, n).set(dyv);
    s.f32(px, n).set(xv);
    s.fn.step(px, px, n, 0);
    s.fn.mul(pd, n, px, n, pd, n);
    return backend.makeTensorInfo(x.shape.slice(), "float32", copyOf(s.f32(pd, n)));
  }
  const dx = floats(n);
  for (let i = 0; i < n; i++) {
    const v = xv[i];
    dx[i] = dyv[i] * (v > 0 ? 1 : v !== v ? NaN : 0);
  }
  return backend.makeTensorInfo(x.shape.slice(), "float32", dx);
}

let stockRelu: tf.GradConfig | undefined;

export function enableFastGradients(): void {
  if (stockRelu !== undefined) return;
  const stock = tf.getGradient("Relu");
  if (stock === undefined) return;
  stockRelu = stock;
  registerOwnKernels([[RELU_GRAD, reluGrad]]);
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0];
      const one = Array.isArray(dy) ? undefined : dy;
      if (one === undefined || tf.getBackend() !== "cpu" || x === undefined) {
        return stock.gradFunc(dy, saved, attrs);
      }
      if (one.dtype !== "float32" || x.dtype !== "float32") return stock.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: one, x }, {}) as tf.Tensor };
    },
  });
}

export function disableFastGradients(): void {
  if (stockRelu === undefined) return;
  tf.registerGradient(stockRelu);
  stockRelu = undefined;
  unregisterOwnKernels([RELU_GRAD]);
}
