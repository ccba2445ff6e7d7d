/**
 * Element-wise float32 Add, Sub, Multiply and RealDiv with the broadcasts training produces:
 * equal shapes, and one operand repeating along the other's leading axes (a bias of shape [c]
 * added to [n, h, w, c], a scalar times a tensor). The stock kernels index every element through a
 * generic broadcast, which dominated Adam's and the bias's time. WebAssembly SIMD from 256 elements
 * (../wasm), tight TypeScript loops below that or without it. Other broadcasts fall back.
 */
import * as tf from "@tensorflow/tfjs";
import { type KernelArgs, type TensorInfo, cpuBackend, floatValues, input } from "../backend";
import type { FastKernel } from "../kernel";
import { simd } from "../wasm/runtime";
import { SIMD_MIN } from "./unary";
import { copyOf } from "../outputs";

export type BinaryOp = "add" | "sub" | "mul" | "div";

/** True when `small`, left-padded with 1s to the rank of `big`, equals a suffix of `big` preceded only by 1s. */
function isTrailingBroadcast(small: readonly number[], big: readonly number[]): boolean {
  if (small.length > big.length) return false;
  const off = big.length - small.length;
  let i = 0;
  while (i < small.length && small[i] === 1) i++;
  for (let j = i; j < small.length; j++) if (small[j] !== big[off + j]) return false;
  return true;
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

/**
 * The SIMD loop: both operands copied into the module's memory, the result written over the
 * full-size one. Null without SIMD or when an operand is empty.
 */
function simdBinary(
  op: BinaryOp,
  a: Float32Array,
  b: Float32Array,
  n: number,
): Float32Array | null {
  const s = simd();
  if (s === null || a.length === 0 || b.length === 0) return null;
  const ptrs = s.alloc(a.length, b.length);
  if (ptrs === null) return null;
  const [pa, pb] = ptrs;
  s.f32(pa, a.length).set(a);
  s.f32(pb, b.length).set(b);
  const py = a.length === n ? pa : pb;
  s.fn[op](pa, a.length, pb, b.length, py, n);
  return copyOf(s.f32(py, n));
}

function binary(op: BinaryOp, name: string): (args: KernelArgs) => TensorInfo | null {
  return (args) => {
    const backend = cpuBackend(args, name);
    const a = input(args, "a", name);
    const b = input(args, "b", name);
    const av = floatValues(backend, a);
    const bv = floatValues(backend, b);
    if (!av || !bv) return null;
    let shape: number[];
    if (isTrailingBroadcast(b.shape, a.shape)) shape = a.shape;
    else if (isTrailingBroadcast(a.shape, b.shape)) shape = b.shape;
    else return null;
    const size = tf.util.sizeFromShape(shape);
    const fast = size >= SIMD_MIN ? simdBinary(op, av, bv, size) : null;
    if (fast) return backend.makeTensorInfo(shape.slice(), "float32", fast);
    const out = new Float32Array(size);
    // An empty operand broadcasts to an empty output (nothing to loop over).
    if (out.length > 0) binaryLoop(op, av, bv, out);
    return backend.makeTensorInfo(shape.slice(), "float32", out);
  };
}

export const addKernel: FastKernel = { kernelName: "Add", run: binary("add", "Add") };
export const subKernel: FastKernel = { kernelName: "Sub", run: binary("sub", "Sub") };
export const multiplyKernel: FastKernel = {
  kernelName: "Multiply",
  run: binary("mul", "Multiply"),
};
export const realDivKernel: FastKernel = { kernelName: "RealDiv", run: binary("div", "RealDiv") };
