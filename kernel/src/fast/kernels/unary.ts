/**
 * Relu (max(x, 0), NaN kept) and Step (1 where x > 0, else alpha; NaN kept — the relu gradient's
 * mask) on float32: branch-free WebAssembly SIMD (a data-dependent branch per element mispredicts
 * on activations of random sign), tight loops for small tensors or without SIMD.
 */
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  cpuBackend,
  floatValues,
  input,
  numberAttr,
} from "../backend";
import type { FastKernel } from "../kernel";
import { simd } from "../wasm/runtime";
import { copyOf } from "../outputs";

/** Below this many elements the copies into WebAssembly memory cost more than they save. */
export const SIMD_MIN = 256;

/** `op` applied in place to a copy of xv in the SIMD module's memory; null without SIMD. */
function simdInPlace(xv: Float32Array, op: (p: number, n: number) => void): Float32Array | null {
  const s = xv.length >= SIMD_MIN ? simd() : null;
  const ptrs = s?.alloc(xv.length);
  if (!s || !ptrs) return null;
  const view = s.f32(ptrs[0], xv.length);
  view.set(xv);
  op(ptrs[0], xv.length);
  return copyOf(view);
}

export function relu(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Relu");
  const x = input(args, "x", "Relu");
  const xv = floatValues(backend, x);
  if (!xv) return null;
  const fast = simdInPlace(xv, (p, n) => simd()?.fn.relu(p, p, n));
  if (fast) return backend.makeTensorInfo(x.shape.slice(), "float32", fast);
  const y = new Float32Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    y[i] = v < 0 ? 0 : v;
  }
  return backend.makeTensorInfo(x.shape.slice(), "float32", y);
}

export function step(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "Step");
  const x = input(args, "x", "Step");
  const xv = floatValues(backend, x);
  if (!xv) return null;
  const alpha = numberAttr(attrs(args), "alpha") ?? 0;
  const fast = simdInPlace(xv, (p, n) => simd()?.fn.step(p, p, n, alpha));
  if (fast) return backend.makeTensorInfo(x.shape.slice(), "float32", fast);
  const y = new Float32Array(xv.length);
  for (let i = 0; i < xv.length; i++) {
    const v = xv[i];
    y[i] = v > 0 ? 1 : v !== v ? NaN : alpha;
  }
  return backend.makeTensorInfo(x.shape.slice(), "float32", y);
}

export const reluKernel: FastKernel = { kernelName: "Relu", run: relu };
export const stepKernel: FastKernel = { kernelName: "Step", run: step };
