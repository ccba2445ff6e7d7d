/**
 * Sum over float32 axes that are all leading (column sums: bias gradients, reduce over batch and
 * pixels) or all trailing (row sums: per-example losses). The stock kernel transposes the reduced
 * axes to the end first. Other axis sets fall back. Accumulates in float64, stores float32; column
 * sums run in WebAssembly SIMD (f64x2 accumulators) from 256 elements.
 */
import * as tf from "@tensorflow/tfjs";
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  boolAttr,
  cpuBackend,
  floatValues,
  input,
  numberAttr,
  numbersAttr,
} from "../backend";
import type { FastKernel } from "../kernel";
import { simd } from "../wasm/runtime";
import { SIMD_MIN } from "./unary";

export function sum(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Sum");
  const x = input(args, "x", "Sum");
  const xv = floatValues(backend, x);
  if (!xv) return null;
  const a = attrs(args);
  const one = numberAttr(a, "axis");
  const listed = one !== undefined ? [one] : numbersAttr(a, "axis");
  if (listed === undefined) return null;
  const rank = x.shape.length;
  const axes = [...new Set(listed.map((ax) => (ax < 0 ? ax + rank : ax)))].sort((p, q) => p - q);
  if (axes.some((ax) => ax < 0 || ax >= rank)) return null;
  const keepDims = boolAttr(a, "keepDims") ?? false;
  const leading = axes.every((ax, i) => ax === i);
  const trailing = axes.every((ax, i) => ax === rank - axes.length + i);
  if (!leading && !trailing) return null;
  const reduced = axes.reduce((p, ax) => p * x.shape[ax], 1);
  const kept =
    reduced === 0
      ? tf.util.sizeFromShape(x.shape.filter((_, i) => !axes.includes(i)))
      : xv.length / reduced;
  const outShape = keepDims
    ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : x.shape.filter((_, i) => !axes.includes(i));
  const out = new Float32Array(kept);
  const s = leading && xv.length >= SIMD_MIN ? simd() : null;
  const ptrs = s?.alloc(xv.length, kept);
  if (s && ptrs) {
    s.f32(ptrs[0], xv.length).set(xv);
    s.fn.colsum(ptrs[0], reduced, kept, ptrs[1]);
    out.set(s.f32(ptrs[1], kept));
  } else if (leading) {
    const acc = new Float64Array(kept);
    for (let r = 0, i = 0; r < reduced; r++) for (let j = 0; j < kept; j++, i++) acc[j] += xv[i];
    out.set(acc);
  } else {
    for (let j = 0, i = 0; j < kept; j++) {
      let s = 0;
      for (let r = 0; r < reduced; r++, i++) s += xv[i];
      out[j] = s;
    }
  }
  return backend.makeTensorInfo(outShape, "float32", out);
}

export const sumKernel: FastKernel = { kernelName: "Sum", run: sum };
