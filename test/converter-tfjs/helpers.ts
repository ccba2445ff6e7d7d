/**
 * Shared by the tfjs-converter tests: seeded weights and inputs, tfjs predictions, running the
 * IR in tsquant's interpreter, the op list of a model, and the closeness check.
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { Interpreter } from "../../kernel/src/interpreter";
import type { Model, NDArray } from "../../kernel/src/ir";
import { opName } from "../../kernel/src/ir";
import { mulberry32 } from "../../kernel/src/services/random";

/** mulberry32: a small seeded PRNG, uniform in [0, 1) (the one `fit`'s seed uses). */
export const rng: (seed: number) => () => number = mulberry32;

function uniform(next: () => number, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * next());
}

/**
 * Replaces every weight with seeded random values: kernels uniform in ±√(3/fanIn) (fanIn = all
 * but the last dimension; for depthwise kernels kh·kw), biases, β and moving means in ±0.5, γ
 * and moving variances in [0.5, 1.5] — all non-trivial, so a wrong layout or a dropped bias
 * shows.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const next = rng(seed);
  for (const layer of model.layers) {
    const values = layer.weights.map((v) => {
      const key = v.originalName.split("/").pop() ?? "";
      const shape = v.shape.map((d) => d ?? 1);
      const n = shape.reduce((a, d) => a * d, 1);
      let data: Float32Array;
      if (key === "gamma" || key === "moving_variance") data = uniform(next, n, 0.5, 1.5);
      else if (key === "bias" || key === "beta" || key === "moving_mean") {
        data = uniform(next, n, -0.5, 0.5);
      } else {
        const fanIn =
          key === "depthwise_kernel"
            ? (shape[0] ?? 1) * (shape[1] ?? 1)
            : n / (shape[shape.length - 1] ?? 1);
        const a = Math.sqrt(3 / fanIn);
        data = uniform(next, n, -a, a);
      }
      return tf.tensor(data, shape);
    });
    if (values.length > 0) layer.setWeights(values);
    tf.dispose(values);
  }
}

/** `n` samples per model input, uniform in [-1, 1), seeded; shapes from the model (batch n). */
export function randomInputs(model: tf.LayersModel, n: number, seed: number): NDArray[] {
  const next = rng(seed);
  return model.inputs.map((t) => {
    const shape = [n, ...t.shape.slice(1).map((d) => d ?? 1)];
    const size = shape.reduce((a, d) => a * d, 1);
    return { data: uniform(next, size, -1, 1), shape, dtype: "float32" };
  });
}

/** `model.predict` on the inputs, one Float32Array per output. */
export function predict(model: tf.LayersModel, inputs: NDArray[]): NDArray[] {
  return tf.tidy(() => {
    const xs = inputs.map((x) => tf.tensor(x.data as Float32Array, x.shape));
    const ys = model.predict(xs.length === 1 && xs[0] !== undefined ? xs[0] : xs);
    return (Array.isArray(ys) ? ys : [ys]).map((y) => ({
      data: Float32Array.from(y.dataSync()),
      shape: [...y.shape],
      dtype: "float32" as const,
    }));
  });
}

/**
 * Runs `model` (IR or bytes) in tsquant's interpreter on all samples at once (inputs resized
 * to their batch).
 */
export function interpret(model: Model | Uint8Array, inputs: NDArray[]): NDArray[] {
  const it =
    model instanceof Uint8Array
      ? new Interpreter({ modelContent: model })
      : new Interpreter({ model });
  const details = it.getInputDetails();
  details.forEach((d, i) => {
    const x = inputs[i];
    if (x !== undefined) it.resizeTensorInput(d.index, x.shape);
  });
  it.allocateTensors();
  details.forEach((d, i) => {
    const x = inputs[i];
    if (x !== undefined) it.setTensor(d.index, x);
  });
  it.invoke();
  return it.getOutputDetails().map((d) => it.getTensor(d.index));
}

/** Op names in execution order, `CONV_2D+RELU` for a fused activation (the manifest's form). */
export function opList(model: Model): string[] {
  const sg = model.subgraphs[0];
  if (sg === undefined) return [];
  return sg.operators.map((op) => {
    const name = opName(model.operatorCodes[op.opcodeIndex]?.builtinCode ?? -1);
    const o = op.builtinOptions;
    const act = o !== null && "fusedActivationFunction" in o ? o.fusedActivationFunction : "NONE";
    return act === "NONE" ? name : `${name}+${act}`;
  });
}

/** Largest |a − e| over the largest |e| (0 when both are all zero). */
export function relativeError(actual: NDArray, expected: NDArray): number {
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const e = Number(expected.data[i]);
    maxRef = Math.max(maxRef, Math.abs(e));
    maxDiff = Math.max(maxDiff, Math.abs(Number(actual.data[i]) - e));
  }
  return maxDiff === 0 ? 0 : maxDiff / maxRef;
}

/**
 * Every element within `rtol` of the expected tensor's scale: |a − e| ≤ rtol·max|e|, with equal
 * shapes. (Element-wise relative error is meaningless for outputs near 0: float32 summation
 * order alone moves them by ~1e-7 of the tensor's scale.)
 */
export function assertClose(
  actual: NDArray[],
  expected: NDArray[],
  rtol: number,
  what: string,
): void {
  assert.equal(actual.length, expected.length, `${what}: number of outputs`);
  expected.forEach((e, k) => {
    const a = actual[k];
    assert.ok(a !== undefined);
    assert.deepEqual(a.shape, e.shape, `${what}: output ${k} shape`);
    const err = relativeError(a, e);
    assert.ok(
      err <= rtol,
      `${what}: output ${k} differs by ${err.toExponential(2)} of its scale (> ${rtol})`,
    );
  });
}
