/**
 * BatchMatMul and _FusedMatMul (Dense layers): C[t] = op(A[t]) · op(B[t]) with op = transpose when
 * asked, one product per batch: WebAssembly SIMD (../wasm) where available, else 4×4-tiled
 * TypeScript (../gemm.ts). Transposed operands are copied to row-major first (the copy is
 * O(size), the product O(m·n·k)). Batch dims must be equal, or one side's must
 * be all 1 (broadcast); anything else falls back. _FusedMatMul adds a bias of n values and applies
 * linear or relu; other activations and PReLU fall back.
 */
import {
  type KernelArgs,
  type TensorInfo,
  attrs,
  boolAttr,
  cpuBackend,
  floatValues,
  input,
  stringAttr,
} from "../backend";
import { gemm, transpose } from "../gemm";
import type { FastKernel } from "../kernel";
import { floats } from "../outputs";
import { simdGemm, writeMatrix } from "../wasm/runtime";

interface Product {
  shape: number[];
  values: Float32Array;
  n: number;
}

function product(args: KernelArgs, name: string): Product | null {
  const backend = cpuBackend(args, name);
  const a = input(args, "a", name);
  const b = input(args, "b", name);
  const av = floatValues(backend, a);
  const bv = floatValues(backend, b);
  if (!av || !bv || a.shape.length < 2 || b.shape.length < 2) return null;
  const at = attrs(args);
  const tA = boolAttr(at, "transposeA") ?? false;
  const tB = boolAttr(at, "transposeB") ?? false;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const [m, kA] = tA ? [a.shape[ra - 1], a.shape[ra - 2]] : [a.shape[ra - 2], a.shape[ra - 1]];
  const [kB, n] = tB ? [b.shape[rb - 1], b.shape[rb - 2]] : [b.shape[rb - 2], b.shape[rb - 1]];
  if (kA !== kB) return null; // the stock kernel reports the mismatch
  const k = kA;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const sizeA = batchA.reduce((p, d) => p * d, 1);
  const sizeB = batchB.reduce((p, d) => p * d, 1);
  const same = batchA.length === batchB.length && batchA.every((d, i) => d === batchB[i]);
  if (!same && sizeA !== 1 && sizeB !== 1) return null;
  // The side with more than one matrix sets the batch shape; if both have one, the longer shape.
  const batchShape =
    sizeA !== 1 ? batchA : sizeB !== 1 ? batchB : batchA.length >= batchB.length ? batchA : batchB;
  const batch = Math.max(sizeA, sizeB);
  // One matrix (Dense layers): the SIMD product's array is the result, no second copy.
  let out = batch === 1 ? null : floats(batch * m * n);
  // Transposition buffers of the TypeScript path, allocated only if it runs.
  let aRow: Float32Array | undefined;
  let bRow: Float32Array | undefined;
  for (let t = 0; t < batch; t++) {
    const aOff = (sizeA === 1 ? 0 : t) * m * k;
    const bOff = (sizeB === 1 ? 0 : t) * k * n;
    // SIMD: A as stored (the GEMM reads it transposed if asked); B transposed while copied.
    const fast = simdGemm(
      m,
      n,
      k,
      (A) => A.set(av.subarray(aOff, aOff + m * k)),
      (B, ld) => writeMatrix(B, ld, bv, bOff, k, n, tB),
      { transposedA: tA },
    );
    if (fast !== null) {
      if (out === null) out = fast;
      else out.set(fast, t * m * n);
      continue;
    }
    out ??= floats(batch * m * n);
    const A = tA
      ? {
          data: transpose(av, aOff, k, m, (aRow ??= new Float32Array(m * k))),
          offset: 0,
          rowStride: k,
        }
      : { data: av, offset: aOff, rowStride: k };
    const B = tB
      ? {
          data: transpose(bv, bOff, n, k, (bRow ??= new Float32Array(k * n))),
          offset: 0,
          rowStride: n,
        }
      : { data: bv, offset: bOff, rowStride: n };
    gemm(m, n, k, A, B, { data: out, offset: t * m * n, rowStride: n });
  }
  out ??= floats(0);
  const rankOut = Math.max(ra, rb);
  const lead =
    batchShape.length < rankOut - 2
      ? new Array<number>(rankOut - 2 - batchShape.length).fill(1)
      : [];
  return { shape: [...lead, ...batchShape, m, n], values: out, n };
}

export function batchMatMul(args: KernelArgs): TensorInfo | null {
  const p = product(args, "BatchMatMul");
  if (p === null) return null;
  return cpuBackend(args, "BatchMatMul").makeTensorInfo(p.shape, "float32", p.values);
}

export function fusedMatMul(args: KernelArgs): TensorInfo | null {
  const backend = cpuBackend(args, "_FusedMatMul");
  const at = attrs(args);
  const activation = stringAttr(at, "activation") ?? "linear";
  if (activation !== "linear" && activation !== "relu") return null;
  if (args.inputs["preluActivationWeights"] !== undefined) return null;
  const biasInfo = args.inputs["bias"];
  const bias = biasInfo === undefined ? null : floatValues(backend, biasInfo);
  if (biasInfo !== undefined && bias === null) return null;
  // The bias must be n values (shape [n] or [1, …, n]); other broadcasts fall back.
  if (biasInfo !== undefined && biasInfo.shape[biasInfo.shape.length - 1] !== bias?.length)
    return null;
  const p = product(args, "_FusedMatMul");
  if (p === null) return null;
  const y = p.values;
  if (bias !== null && bias.length !== p.n) return null;
  for (let s = 0; s < y.length; s += p.n) {
    for (let j = 0; j < p.n; j++) {
      let v = y[s + j] + (bias === null ? 0 : bias[j]);
      if (activation === "relu" && v < 0) v = 0;
      y[s + j] = v;
    }
  }
  return backend.makeTensorInfo(p.shape, "float32", y);
}

export const batchMatMulKernel: FastKernel = { kernelName: "BatchMatMul", run: batchMatMul };
export const fusedMatMulKernel: FastKernel = { kernelName: "_FusedMatMul", run: fusedMatMul };
