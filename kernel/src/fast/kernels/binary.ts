/**
 * Element-wise float32 Add, Sub, Multiply and RealDiv with any broadcast. The output is split
 * into an outer loop over index ranges and an inner chunk in which one operand is contiguous and
 * the other repeats with a period dividing the chunk (a trailing broadcast, or a scalar splat):
 * equal shapes and a bias [c] added to [n, h, w, c] are one chunk; [n, 1, 1, c] times
 * [n, h, w, c] (the mean's gradient over [1, 2]) is n chunks of h·w·c. The stock kernels index
 * every element through a generic broadcast, which dominated Adam's, the bias's and the mean's
 * gradient time. WebAssembly SIMD from 256 elements (../wasm), tight TypeScript loops below that
 * or without it. Non-float32 operands fall back.
 */
import { type KernelArgs, type TensorInfo, cpuBackend, floatValues, input } from "../backend";
import type { FastKernel } from "../kernel";
import { simd } from "../wasm/runtime";
import { SIMD_MIN } from "./unary";
import { copyOf } from "../outputs";

export type BinaryOp = "add" | "sub" | "mul" | "div";

/**
 * A broadcast as `outer` index ranges (outermost first, with the strides one step moves in a, b
 * and the output) around an inner chunk of n output elements in which a repeats with period la
 * and b with period lb, each n or a divisor of n (1 is a scalar).
 */
interface BroadcastPlan {
  shape: number[];
  size: number;
  outer: { size: number; a: number; b: number; y: number }[];
  n: number;
  la: number;
  lb: number;
}

/** Null when the shapes do not broadcast (the stock kernel then reports it). */
function broadcastPlan(aShape: readonly number[], bShape: readonly number[]): BroadcastPlan | null {
  const rank = Math.max(aShape.length, bShape.length);
  const a = [...Array<number>(rank - aShape.length).fill(1), ...aShape];
  const b = [...Array<number>(rank - bShape.length).fill(1), ...bShape];
  const shape: number[] = [];
  // Axes of size > 1, adjacent ones merged when both operands span (or repeat along) both.
  const dims: { size: number; a: boolean; b: boolean }[] = [];
  for (let i = 0; i < rank; i++) {
    if (a[i] !== b[i] && a[i] !== 1 && b[i] !== 1) return null;
    const d = a[i] === 1 ? b[i] : a[i];
    shape.push(d);
    if (d === 1) continue;
    const last = dims[dims.length - 1];
    if (last !== undefined && last.a === (a[i] === d) && last.b === (b[i] === d)) last.size *= d;
    else dims.push({ size: d, a: a[i] === d, b: b[i] === d });
  }
  // The chunk: the longest suffix of dims over which one operand spans every axis and the
  // other repeats along leading axes only.
  const trailing = (from: number, side: "a" | "b"): boolean => {
    for (let i = from + 1; i < dims.length; i++)
      if (dims[i - 1][side] && !dims[i][side]) return false;
    return true;
  };
  const spans = (from: number, side: "a" | "b"): boolean => dims.slice(from).every((d) => d[side]);
  let j = dims.length;
  while (
    j > 0 &&
    trailing(j - 1, "a") &&
    trailing(j - 1, "b") &&
    (spans(j - 1, "a") || spans(j - 1, "b"))
  ) {
    j--;
  }
  const product = (ds: typeof dims): number => ds.reduce((p, d) => p * d.size, 1);
  const inner = dims.slice(j);
  const outer = dims.slice(0, j).map((d, l) => {
    const later = dims.slice(l + 1);
    return {
      size: d.size,
      a: d.a ? product(later.filter((e) => e.a)) : 0,
      b: d.b ? product(later.filter((e) => e.b)) : 0,
      y: product(later),
    };
  });
  return {
    shape,
    size: shape.reduce((p, d) => p * d, 1),
    outer,
    n: product(inner),
    la: product(inner.filter((d) => d.a)),
    lb: product(inner.filter((d) => d.b)),
  };
}

/** visit(ao, bo, yo) at the start of every chunk (offsets into a, b and the output). */
function forEachChunk(
  outer: BroadcastPlan["outer"],
  visit: (ao: number, bo: number, yo: number) => void,
): void {
  const idx = outer.map(() => 0);
  const count = outer.reduce((p, d) => p * d.size, 1);
  let [ao, bo, yo] = [0, 0, 0];
  for (let c = 0; c < count; c++) {
    visit(ao, bo, yo);
    for (let l = outer.length - 1; l >= 0; l--) {
      const d = outer[l];
      idx[l]++;
      ao += d.a;
      bo += d.b;
      yo += d.y;
      if (idx[l] < d.size) break;
      idx[l] = 0;
      ao -= d.a * d.size;
      bo -= d.b * d.size;
      yo -= d.y * d.size;
    }
  }
}

/**
 * out[i] = a[i] ∘ b[i mod b.length] when `bRepeats`, else a[i mod a.length] ∘ b[i]; one loop per
 * op so each stays monomorphic.
 */
export function binaryLoop(
  op: BinaryOp,
  a: Float32Array,
  b: Float32Array,
  out: Float32Array,
): void {
  const n = out.length;
  const la = a.length;
  const lb = b.length;
  if (la === n && lb === n) {
    switch (op) {
      case "add":
        for (let i = 0; i < n; i++) out[i] = a[i] + b[i];
        return;
      case "sub":
        for (let i = 0; i < n; i++) out[i] = a[i] - b[i];
        return;
      case "mul":
        for (let i = 0; i < n; i++) out[i] = a[i] * b[i];
        return;
      case "div":
        for (let i = 0; i < n; i++) out[i] = a[i] / b[i];
        return;
      default:
        op satisfies never;
    }
  }
  if (la === n) {
    for (let s = 0; s < n; s += lb) {
      switch (op) {
        case "add":
          for (let j = 0; j < lb; j++) out[s + j] = a[s + j] + b[j];
          break;
        case "sub":
          for (let j = 0; j < lb; j++) out[s + j] = a[s + j] - b[j];
          break;
        case "mul":
          for (let j = 0; j < lb; j++) out[s + j] = a[s + j] * b[j];
          break;
        case "div":
          for (let j = 0; j < lb; j++) out[s + j] = a[s + j] / b[j];
          break;
        default:
          op satisfies never;
      }
    }
    return;
  }
  for (let s = 0; s < n; s += la) {
    switch (op) {
      case "add":
        for (let j = 0; j < la; j++) out[s + j] = a[j] + b[s + j];
        break;
      case "sub":
        for (let j = 0; j < la; j++) out[s + j] = a[j] - b[s + j];
        break;
      case "mul":
        for (let j = 0; j < la; j++) out[s + j] = a[j] * b[s + j];
        break;
      case "div":
        for (let j = 0; j < la; j++) out[s + j] = a[j] / b[s + j];
        break;
      default:
        op satisfies never;
    }
  }
}

/** The SIMD loops, chunk by chunk, in the module's memory. Null without SIMD or memory. */
function simdBinary(
  op: BinaryOp,
  a: Float32Array,
  b: Float32Array,
  plan: BroadcastPlan,
): Float32Array | null {
  const s = simd();
  const ptrs = s?.alloc(a.length, b.length, plan.size);
  if (!s || !ptrs) return null;
  const [pa, pb, py] = ptrs;
  s.f32(pa, a.length).set(a);
  s.f32(pb, b.length).set(b);
  const { n, la, lb } = plan;
  forEachChunk(plan.outer, (ao, bo, yo) =>
    s.fn[op](pa + 4 * ao, la, pb + 4 * bo, lb, py + 4 * yo, n),
  );
  return copyOf(s.f32(py, plan.size));
}

function binary(op: BinaryOp, name: string): (args: KernelArgs) => TensorInfo | null {
  return (args) => {
    const backend = cpuBackend(args, name);
    const a = input(args, "a", name);
    const b = input(args, "b", name);
    const av = floatValues(backend, a);
    const bv = floatValues(backend, b);
    const plan = av && bv ? broadcastPlan(a.shape, b.shape) : null;
    if (!av || !bv || !plan) return null;
    const fast = plan.size >= SIMD_MIN ? simdBinary(op, av, bv, plan) : null;
    if (fast) return backend.makeTensorInfo(plan.shape, "float32", fast);
    const out = new Float32Array(plan.size);
    // An empty operand broadcasts to an empty output (nothing to loop over).
    if (out.length > 0) {
      const { n, la, lb } = plan;
      forEachChunk(plan.outer, (ao, bo, yo) =>
        binaryLoop(
          op,
          av.subarray(ao, ao + la),
          bv.subarray(bo, bo + lb),
          out.subarray(yo, yo + n),
        ),
      );
    }
    return backend.makeTensorInfo(plan.shape, "float32", out);
  };
}

export const addKernel: FastKernel = { kernelName: "Add", run: binary("add", "Add") };
export const subKernel: FastKernel = { kernelName: "Sub", run: binary("sub", "Sub") };
export const multiplyKernel: FastKernel = {
  kernelName: "Multiply",
  run: binary("mul", "Multiply"),
};
export const realDivKernel: FastKernel = { kernelName: "RealDiv", run: binary("div", "RealDiv") };
