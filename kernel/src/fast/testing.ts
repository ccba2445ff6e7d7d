/**
 * Test helper: run one tfjs kernel with the stock implementation and with tsquant's fast one on
 * the same inputs and compare (the stock kernel is the spec; one line per case).
 */
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { mulberry32 } from "../services/random";
import { disableFastKernels, enableFastKernels } from "./registry";

/** Deterministic uniform numbers in [lo, hi) (mulberry32), so failures reproduce. */
export function rng(seed: number): (lo?: number, hi?: number) => number {
  const next = mulberry32(seed);
  return (lo = 0, hi = 1) => lo + (hi - lo) * next();
}

export function randomTensor(shape: number[], r: (lo?: number, hi?: number) => number): tf.Tensor {
  const n = shape.reduce((p, d) => p * d, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => r(-1, 1)),
    shape,
    "float32",
  );
}

function runKernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  const out = tf.engine().runKernel(name, inputs, attrs);
  if (Array.isArray(out)) throw new Error(`${name}: expected one output`);
  return out as tf.Tensor;
}

/**
 * Assert the fast kernel equals the stock one: same shape and dtype, and every element within
 * `rtol` of the stock value relative to the largest stock magnitude (so sums that cancel to ~0
 * are judged on the scale of the tensor, as float32 summation order differs).
 */
export function assertMatchesStock(
  name: string,
  inputs: tf.NamedTensorMap,
  attrs: tf.NamedAttrMap,
  rtol = 1e-4,
): void {
  disableFastKernels();
  const expected = runKernel(name, inputs, attrs);
  enableFastKernels();
  const actual = runKernel(name, inputs, attrs);
  const label = `${name} ${JSON.stringify(attrs)} on ${Object.entries(inputs)
    .map(([k, t]) => `${k}[${t.shape.join(",")}]`)
    .join(" ")}`;
  assert.deepEqual(actual.shape, expected.shape, `${label}: shape`);
  assert.equal(actual.dtype, expected.dtype, `${label}: dtype`);
  assertClose(actual.dataSync(), expected.dataSync(), label, rtol);
  expected.dispose();
  actual.dispose();
}

/**
 * Every element of `actual` equals stock's `expected` (Object.is) or is within `rtol` of the
 * largest stock magnitude plus `atol` (sums that cancel to ~0 are judged on the tensor's scale).
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  label: string,
  rtol = 1e-4,
  atol = 0,
): void {
  assert.equal(actual.length, expected.length, `${label}: length`);
  let scale = 1e-30;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    const [a, e] = [actual[i], expected[i]];
    const ok = Object.is(a, e) || Math.abs(a - e) <= rtol * scale + atol;
    if (!ok) assert.fail(`${label}: element ${i} is ${a}, stock ${e} (scale ${scale})`);
  }
}

/**
 * One DepthwiseConv2dNative case against stock: the forward pass, and with dilation 1 (tfjs's
 * depthwise gradients support no other) both gradients on a random dy.
 */
export function assertDepthwiseMatchesStock(
  xShape: [number, number, number, number],
  filterShape: [number, number, number, number],
  strides: [number, number],
  pad: "same" | "valid" | number,
  dilation: number,
  r: (lo?: number, hi?: number) => number,
): void {
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    strides,
    dilation,
    pad,
    undefined,
    true,
  );
  tf.tidy(() => {
    const x = randomTensor(xShape, r);
    const filter = randomTensor(filterShape, r);
    const dy = randomTensor(info.outShape, r);
    const attrs = { strides, pad, dilations: [dilation, dilation] };
    assertMatchesStock("DepthwiseConv2dNative", { x, filter }, attrs);
    if (dilation !== 1) return;
    assertMatchesStock("DepthwiseConv2dNativeBackpropFilter", { x, dy }, { ...attrs, filterShape });
    assertMatchesStock(
      "DepthwiseConv2dNativeBackpropInput",
      { dy, filter },
      { ...attrs, inputShape: xShape },
    );
  });
}
