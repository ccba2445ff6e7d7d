/**
 * Adam's update fused into one kernel per variable, installed on tfjs's `AdamOptimizer` by
 * `enableFastKernels()` (so `tf.train.adam()` and `optimizer: "adam"` in user code get it) and
 * removed by `disableFastKernels()`.
 *
 * Stock tfjs spends about 14 kernel calls per variable per step (mul, add, square, div, sqrt, …),
 * each allocating a tensor; with the CNN's kernels fast, that dispatch and allocation showed up in
 * the profile (README.md). `TsquantAdam` does, per element, exactly the float32 operations of
 * tfjs's AdamOptimizer.applyGradients in the same order, each rounded to float32 as the separate
 * kernels round (Math.fround), so the results are bit-identical:
 *
 *   m' = β1·m + (1 − β1)·g          v' = β2·v + (1 − β2)·g²
 *   m̂ = m' / (1 − β1ᵗ)              v̂ = v' / (1 − β2ᵗ)
 *   θ' = (m̂ / (√v̂ + ε))·(−lr) + θ
 *
 * with β1ᵗ, β2ᵗ the optimizer's accumulated-beta variables (updated after the step, as stock).
 * Off the "cpu" backend or for non-float32 variables the stock method runs.
 */
import * as tf from "@tensorflow/tfjs";
import { type KernelArgs, attrs, cpuBackend, floatValues, input, numberAttr } from "./backend";
import { SIMD_MIN } from "./kernels/unary";
import { simd } from "./wasm/runtime";
import { copyOf } from "./outputs";
import { registerOwnKernels, unregisterOwnKernels } from "./kernel";

export const ADAM = "TsquantAdam";

const f = Math.fround;

/** Outputs [θ', m', v'] for inputs value θ, m, v, gradient g; attrs beta1, beta2, epsilon, lr, acc1, acc2. */
function adamKernel(args: KernelArgs): tf.TensorInfo[] {
  const backend = cpuBackend(args, ADAM);
  const [theta, m, v, g] = ["value", "m", "v", "g"].map((n) => {
    const t = input(args, n, ADAM);
    const values = floatValues(backend, t);
    if (values === null) throw new Error(`${ADAM}: ${n} must be float32 on the cpu backend`);
    return { t, values };
  });
  const a = attrs(args);
  const num = (name: string): number => {
    const x = numberAttr(a, name);
    if (x === undefined) throw new Error(`${ADAM}: missing attribute ${name}`);
    return x;
  };
  const b1 = f(num("beta1"));
  const c1 = f(1 - num("beta1"));
  const b2 = f(num("beta2"));
  const c2 = f(1 - num("beta2"));
  const eps = f(num("epsilon"));
  const negLr = f(-num("lr"));
  const d1 = f(1 - f(num("acc1")));
  const d2 = f(1 - f(num("acc2")));
  const n = theta.values.length;
  const shape = theta.t.shape.slice();
  const out = (values: Float32Array[]): tf.TensorInfo[] =>
    values.map((x) => backend.makeTensorInfo(shape.slice(), "float32", x));
  // WebAssembly f32 arithmetic rounds every operation to float32, as the fround chain below.
  const s = n >= SIMD_MIN ? simd() : null;
  const ptrs = s?.alloc(n, n, n, n);
  if (s && ptrs) {
    const [pt, pm, pv, pg] = ptrs;
    s.f32(pt, n).set(theta.values);
    s.f32(pm, n).set(m.values);
    s.f32(pv, n).set(v.values);
    s.f32(pg, n).set(g.values);
    s.fn.adam(pt, pm, pv, pg, n, b1, c1, b2, c2, eps, negLr, d1, d2);
    return out([pt, pm, pv].map((p) => copyOf(s.f32(p, n))));
  }
  const th = new Float32Array(n);
  const mo = new Float32Array(n);
  const vo = new Float32Array(n);
  const tv = theta.values;
  const mv = m.values;
  const vv = v.values;
  const gv = g.values;
  for (let i = 0; i < n; i++) {
    const gi = gv[i];
    const mi = f(f(mv[i] * b1) + f(gi * c1));
    const vi = f(f(vv[i] * b2) + f(f(gi * gi) * c2));
    const mHat = f(mi / d1);
    const vHat = f(vi / d2);
    th[i] = f(f(f(mHat / f(f(Math.sqrt(vHat)) + eps)) * negLr) + tv[i]);
    mo[i] = mi;
    vo[i] = vi;
  }
  return out([th, mo, vo]);
}

interface Moment {
  originalName: string;
  variable: tf.Variable;
}

/** AdamOptimizer's fields the fused step reads (protected/private in tfjs's typings). */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: (Moment | undefined)[];
  accumulatedSecondMoment: (Moment | undefined)[];
  incrementIterations(): void;
}

/** What `applyGradients` takes: variable name → gradient, or a list of { name, tensor }. */
type Grads = Parameters<tf.AdamOptimizer["applyGradients"]>[0];
type Apply = (this: tf.AdamOptimizer, grads: Grads) => void;

let stockApply: Apply | undefined;

function fusedApply(this: tf.AdamOptimizer, grads: Grads): void {
  const stock = stockApply;
  if (stock === undefined || tf.getBackend() !== "cpu") {
    (stock ?? tf.AdamOptimizer.prototype.applyGradients).call(this, grads);
    return;
  }
  const self = this as unknown as AdamState;
  const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
  const all = names.every((name, i) => {
    const value = tf.engine().registeredVariables[name];
    const g = Array.isArray(grads) ? grads[i]?.tensor : grads[name];
    return value?.dtype === "float32" && (g === undefined || g.dtype === "float32");
  });
  if (!all) {
    stock.call(this, grads);
    return;
  }
  tf.tidy(() => {
    const acc1 = self.accBeta1.dataSync()[0];
    const acc2 = self.accBeta2.dataSync()[0];
    names.forEach((name, i) => {
      const value = tf.engine().registeredVariables[name];
      const moment = (suffix: string): Moment => ({
        originalName: `${name}/${suffix}`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      });
      const first = (self.accumulatedFirstMoment[i] ??= moment("m"));
      const second = (self.accumulatedSecondMoment[i] ??= moment("v"));
      const g = Array.isArray(grads) ? grads[i]?.tensor : grads[name];
      if (g === undefined || g === null) return;
      const out = tf.engine().runKernel(
        ADAM,
        { value, m: first.variable, v: second.variable, g },
        {
          beta1: self.beta1,
          beta2: self.beta2,
          epsilon: self.epsilon,
          lr: self.learningRate,
          acc1,
          acc2,
        },
      ) as tf.Tensor[];
      first.variable.assign(out[1]);
      second.variable.assign(out[2]);
      value.assign(out[0]);
    });
    self.accBeta1.assign(tf.mul(self.accBeta1, self.beta1));
    self.accBeta2.assign(tf.mul(self.accBeta2, self.beta2));
  });
  self.incrementIterations();
}

export function enableFastAdam(): void {
  if (stockApply !== undefined) return;
  stockApply = tf.AdamOptimizer.prototype.applyGradients;
  registerOwnKernels([[ADAM, adamKernel]]);
  tf.AdamOptimizer.prototype.applyGradients = fusedApply;
}

export function disableFastAdam(): void {
  if (stockApply === undefined) return;
  tf.AdamOptimizer.prototype.applyGradients = stockApply;
  stockApply = undefined;
  unregisterOwnKernels([ADAM]);
}
