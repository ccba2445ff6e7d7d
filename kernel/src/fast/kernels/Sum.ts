/**
 * Sum over any set of float32 axes, accumulated in float64 and stored as float32. The shape is
 * first collapsed into alternating runs of kept and reduced axes (adjacent axes of one kind
 * merged, size-1 axes dropped); then
 *
 *   [R, K] (leading axes: bias gradients, BatchNorm's moments) and [K1, R, K2] (middle axes:
 *   GlobalAveragePooling2D's [1, 2] of NHWC): column sums of each R×K2 block, in WebAssembly
 *   SIMD with f64x2 accumulators from 256 elements;
 *   anything else (trailing axes: per-example losses; alternating runs): one pass over x in
 *   memory order, adding each contiguous innermost run into the float64 sums.
 *
 * The stock kernel transposes the reduced axes to the end first (a generic per-element gather).
 * `sumOverAxes` is shared with Mean (./Mean.ts).
 */
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

/**
 * A reduction's axes (tfjs's `axis` attribute: a number or a list, negatives from the end),
 * sorted, without repeats; null when absent or out of range.
 */
export function reductionAxes(args: KernelArgs, rank: number): number[] | null {
  const a = attrs(args);
  const one = numberAttr(a, "axis");
  const listed = one !== undefined ? [one] : numbersAttr(a, "axis");
  if (listed === undefined) return null;
  const axes = [...new Set(listed.map((ax) => (ax < 0 ? ax + rank : ax)))].sort((p, q) => p - q);
  return axes.some((ax) => ax < 0 || ax >= rank) ? null : axes;
}

/** The output shape of a reduction over `axes`: those axes dropped, or kept as 1 with keepDims. */
export function reducedShape(
  shape: readonly number[],
  axes: readonly number[],
  keepDims: boolean,
): number[] {
  return keepDims
    ? shape.map((d, i) => (axes.includes(i) ? 1 : d))
    : shape.filter((_, i) => !axes.includes(i));
}

/** Consecutive axes of one kind merged: `size` elements, reduced or kept. */
interface Run {
  size: number;
  reduced: boolean;
}

function runsOf(shape: readonly number[], axes: readonly number[]): Run[] {
  const runs: Run[] = [];
  shape.forEach((size, i) => {
    if (size === 1) return;
    const reduced = axes.includes(i);
    const last = runs[runs.length - 1];
    if (last !== undefined && last.reduced === reduced) last.size *= size;
    else runs.push({ size, reduced });
  });
  return runs;
}

/**
 * acc[o] += x over the runs from `level` on, x starting at `xo` and the output at `o` (the
 * kept elements in order). `outStride[l]` is how far one step of run l moves in the output (0
 * for a reduced run), `xStride[l]` in x.
 */
function accumulate(
  x: Float32Array,
  runs: readonly Run[],
  xStride: readonly number[],
  outStride: readonly number[],
  level: number,
  xo: number,
  o: number,
  acc: Float64Array,
): void {
  const run = runs[level];
  if (level === runs.length - 1) {
    if (run.reduced) {
      let s = 0;
      for (let i = 0; i < run.size; i++) s += x[xo + i];
      acc[o] += s;
    } else {
      for (let i = 0; i < run.size; i++) acc[o + i] += x[xo + i];
    }
    return;
  }
  for (let i = 0; i < run.size; i++) {
    accumulate(
      x,
      runs,
      xStride,
      outStride,
      level + 1,
      xo + i * xStride[level],
      o + i * outStride[level],
      acc,
    );
  }
}

/**
 * Σ of x (shape `shape`) over `axes` (sorted, unique): the kept elements in order, as float32
 * from float64 sums. An empty reduction (a reduced axis of size 0) gives zeros.
 */
export function sumOverAxes(
  x: Float32Array,
  shape: readonly number[],
  axes: readonly number[],
): Float32Array {
  const kept = shape.reduce((p, d, i) => (axes.includes(i) ? p : p * d), 1);
  const out = new Float32Array(kept);
  if (x.length === 0) return out;
  const runs = runsOf(shape, axes);
  if (runs.every((r) => !r.reduced)) {
    out.set(x);
    return out;
  }
  // [R, K] or [K1, R, K2]: column sums of K1 blocks of R×K2 (SIMD)
  const col =
    runs.length === 2 && runs[0].reduced
      ? { blocks: 1, rows: runs[0].size, cols: runs[1].size }
      : runs.length === 3 && runs[1].reduced
        ? { blocks: runs[0].size, rows: runs[1].size, cols: runs[2].size }
        : null;
  // (a wasm call per block: not for many tiny blocks)
  const s = col !== null && x.length >= SIMD_MIN && col.rows * col.cols >= 64 ? simd() : null;
  const ptrs = s?.alloc(x.length, kept);
  if (col !== null && s && ptrs) {
    const [px, po] = ptrs;
    s.f32(px, x.length).set(x);
    const block = col.rows * col.cols;
    for (let k = 0; k < col.blocks; k++) {
      s.fn.colsum(px + 4 * k * block, col.rows, col.cols, po + 4 * k * col.cols);
    }
    out.set(s.f32(po, kept));
    return out;
  }
  const xStride = runs.map(() => 1);
  const outStride = runs.map(() => 0);
  for (let l = runs.length - 2, xs = 1, os = 1; l >= 0; l--) {
    const next = runs[l + 1];
    xs *= next.size;
    if (!next.reduced) os *= next.size;
    xStride[l] = xs;
    outStride[l] = runs[l].reduced ? 0 : os;
  }
  const acc = new Float64Array(kept);
  accumulate(x, runs, xStride, outStride, 0, 0, 0, acc);
  out.set(acc);
  return out;
}

export function sum(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Sum");
  const x = input(args, "x", "Sum");
  const xv = floatValues(backend, x);
  if (!xv) return null;
  const axes = reductionAxes(args, x.shape.length);
  if (axes === null) return null;
  const keepDims = boolAttr(attrs(args), "keepDims") ?? false;
  const out = sumOverAxes(xv, x.shape, axes);
  return backend.makeTensorInfo(reducedShape(x.shape, axes, keepDims), "float32", out);
}

export const sumKernel: FastKernel = { kernelName: "Sum", run: sum };
