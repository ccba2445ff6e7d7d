/**
 * The WebAssembly SIMD kernels at run time: one instance of the committed module (./binary.ts),
 * its memory used as a scratch arena that each kernel call fills from the start (tfjs kernels
 * run one at a time and do not nest), and typed wrappers that copy tfjs's arrays in and results
 * out. `simd()` is null where WebAssembly SIMD is unavailable; callers then use the TypeScript
 * loops. The memory grows on demand; a request past what it can grow to also returns null.
 */
import type { ConvGeometry } from "../../interpreter/kernels/convolution";
import { type WasmMemory, wasmApi } from "./api";
import { WASM_BASE64 } from "./binary";
import { copyOf, floats } from "../outputs";
import { GEMM_BIAS, GEMM_RELU } from "./flags";

interface Exports {
  memory: WasmMemory;
  gemm(...args: number[]): void;
  gemmTA(...args: number[]): void;
  im2col(...args: number[]): void;
  relu(x: number, y: number, n: number): void;
  step(x: number, y: number, n: number, alpha: number): void;
  add(a: number, la: number, b: number, lb: number, y: number, n: number): void;
  sub(a: number, la: number, b: number, lb: number, y: number, n: number): void;
  mul(a: number, la: number, b: number, lb: number, y: number, n: number): void;
  div(a: number, la: number, b: number, lb: number, y: number, n: number): void;
  colsum(x: number, rows: number, cols: number, out: number): void;
  maxpool(...args: number[]): void;
  adam(...args: number[]): void;
  maxpoolgrad(dy: number, where: number, m: number, dx: number, n: number): void;
  dwconv(...args: number[]): void;
  dwconvdx(...args: number[]): void;
  dwconvdw(...args: number[]): void;
}

export type BinaryName = "add" | "sub" | "mul" | "div";

export class Simd {
  constructor(readonly fn: Exports) {}

  /** Bytes at the start of memory kept across calls (the patch cache); the arena starts here. */
  private base = 0;
  private patchKey: { x: object; geometry: string; probe: number[] } | null = null;

  /**
   * Where the batch's patch matrix for input `x` (data id) with this geometry lives, kept across
   * kernel calls so Conv2DBackpropFilter reuses the one Conv2D built for the same input.
   * `fill(ptr, scratch)` builds it when it is not there (with `scratchFloats` of scratch memory
   * after it); `floats` is its size. Null when memory cannot
   * grow. The probe values (a few of x's elements) guard against a data id whose values changed.
   */
  patches(
    x: object,
    values: Float32Array,
    geometry: string,
    floats: number,
    fill: (ptr: number, scratch: number) => void,
    scratchFloats = 0,
  ): number | null {
    const probe = [0, values.length >> 1, values.length - 1].map((i) => values[i] ?? 0);
    const k = this.patchKey;
    if (
      k !== null &&
      k.x === x &&
      k.geometry === geometry &&
      k.probe.every((v, i) => Object.is(v, probe[i]))
    ) {
      return 0;
    }
    this.patchKey = null;
    this.base = 0;
    const ptrs = this.alloc(floats, scratchFloats);
    if (ptrs === null) return null;
    fill(ptrs[0], ptrs[1]);
    this.base = (floats * 4 + 15) & ~15;
    this.patchKey = { x, geometry, probe };
    return 0;
  }

  /**
   * Byte addresses of blocks holding `sizes[i]` float32 (or int32) elements, 16-byte aligned,
   * from the start of memory (earlier blocks of the same call are not overwritten). Null when
   * memory cannot grow that far. Call before taking views: growing detaches old ones.
   */
  alloc(...sizes: number[]): number[] | null {
    let top = this.base;
    const ptrs = sizes.map((s) => {
      const p = top;
      top += (s * 4 + 15) & ~15;
      return p;
    });
    const mem = this.fn.memory;
    const need = top - mem.buffer.byteLength;
    if (need > 0) {
      try {
        mem.grow(Math.ceil(need / 65536));
      } catch {
        return null;
      }
    }
    return ptrs;
  }

  f32(ptr: number, n: number): Float32Array {
    return new Float32Array(this.fn.memory.buffer, ptr, n);
  }

  i32(ptr: number, n: number): Int32Array {
    return new Int32Array(this.fn.memory.buffer, ptr, n);
  }
}

let instance: Simd | null | undefined;

/** The SIMD kernels, or null where WebAssembly SIMD is unavailable (or disabled for a test). */
export function simd(): Simd | null {
  if (instance === undefined) {
    try {
      if (wasmApi === undefined) throw new Error("no WebAssembly");
      const module = new wasmApi.Module(Buffer.from(WASM_BASE64, "base64"));
      instance = new Simd(new wasmApi.Instance(module, {}).exports as Exports);
    } catch {
      instance = null;
    }
  }
  return disabled ? null : instance;
}

let disabled = false;

/** Tests: run the TypeScript paths instead of the SIMD ones (so both stay correct). */
export function setSimdEnabled(on: boolean): void {
  disabled = !on;
}

/** Round up to a multiple of 4 (the SIMD GEMM's column granularity). */
export const ceil4 = (n: number): number => (n + 3) & ~3;

/**
 * Write a rows×cols matrix into `dst` with row stride `ld` ≥ cols, zeroing columns cols..ld.
 * Source element [i, j] is src[off + i·cols + j], or src[off + j·rows + i] when `transposed`
 * (src holds the cols×rows transpose).
 */
export function writeMatrix(
  dst: Float32Array,
  ld: number,
  src: Float32Array,
  off: number,
  rows: number,
  cols: number,
  transposed: boolean,
): void {
  if (!transposed && ld === cols) {
    dst.set(src.subarray(off, off + rows * cols));
    return;
  }
  for (let i = 0; i < rows; i++) {
    const d = i * ld;
    if (transposed) {
      for (let j = 0, s = off + i; j < cols; j++, s += rows) dst[d + j] = src[s];
    } else if (cols < 64) {
      // short rows: a loop beats creating a subarray per row
      for (let j = 0, s = off + i * cols; j < cols; j++, s++) dst[d + j] = src[s];
    } else {
      dst.set(src.subarray(off + i * cols, off + (i + 1) * cols), d);
    }
    for (let j = cols; j < ld; j++) dst[d + j] = 0;
  }
}

/** Copy an m×ld matrix's first n columns out (a new compact m×n array). */
export function readMatrix(src: Float32Array, m: number, n: number, ld: number): Float32Array {
  if (ld === n) return copyOf(src.subarray(0, m * n));
  const out = floats(m * n);
  if (n < 64) {
    for (let i = 0, o = 0; i < m; i++) for (let j = 0, s = i * ld; j < n; j++) out[o++] = src[s++];
  } else {
    for (let i = 0; i < m; i++) out.set(src.subarray(i * ld, i * ld + n), i * n);
  }
  return out;
}

/** Where `simdGemm`'s operands live, for writers that call other SIMD functions (im2col). */
export interface GemmScratch {
  simd: Simd;
  /** Byte address of A. */
  a: number;
  /** Byte address of `scratch` extra floats (0 when none were asked for). */
  scratch: number;
}

/**
 * C = A · B (m×n, compact, new array) with the SIMD GEMM. `writeA(a)` fills A (m×k, row
 * stride k; with `transposedA`, Aᵀ stored k×m, row stride m) and `writeB(b, ldb)` fills B
 * (k×n, row stride ldb = ceil4(n), padding columns zeroed — writeMatrix does that). `scratch`
 * floats of extra memory are reserved for writeA; `a` gives A's address when A is already in
 * memory (the patch cache) and writeA is not called. Null when SIMD is unavailable or memory
 * cannot grow.
 */
export function simdGemm(
  m: number,
  n: number,
  k: number,
  writeA: (a: Float32Array, where: GemmScratch) => void,
  writeB: (b: Float32Array, ldb: number) => void,
  options: {
    transposedA?: boolean;
    scratch?: number;
    a?: number;
    /**
     * Added to each row of C (n values, or one for all) before relu when `relu`, inside the
     * GEMM's store (./kernels.ts GEMM_BIAS, GEMM_RELU).
     */
    bias?: Float32Array;
    relu?: boolean;
  } = {},
): Float32Array | null {
  const s = simd();
  if (s === null) return null;
  const np = ceil4(n);
  const given = options.a;
  const bias = options.bias;
  const p = s.alloc(
    given === undefined ? m * k : 0,
    k * np,
    m * np,
    options.scratch ?? 0,
    bias === undefined ? 0 : np,
  );
  if (p === null) return null;
  const [pb, pc, ps, pbias] = p.slice(1);
  const pa = given ?? p[0];
  if (given === undefined) writeA(s.f32(pa, m * k), { simd: s, a: pa, scratch: ps });
  writeB(s.f32(pb, k * np), np);
  let flags = 0;
  if (bias !== undefined) {
    const padded = s.f32(pbias, np);
    if (bias.length === 1) padded.fill(bias[0]);
    else padded.fill(0).set(bias);
    flags |= GEMM_BIAS;
  }
  if (options.relu === true) flags |= GEMM_RELU;
  if (options.transposedA === true) s.fn.gemmTA(m, np, k, pa, m, pb, np, pc, np, flags, pbias);
  else s.fn.gemm(m, np, k, pa, k, pb, np, pc, np, flags, pbias);
  return readMatrix(s.f32(pc, m * np), m, n, np);
}

/** Geometry fields the SIMD im2col needs: a convolution's, without the output channels. */
export type PatchGeometry = Omit<ConvGeometry, "outC">;

/**
 * Byte address of the whole batch's patch matrix ((batch·outH·outW) × (kH·kW·inC)) for input x
 * (tfjs data id `xId`, values `xv`), built by the SIMD im2col unless the patch cache already holds
 * it. Null without SIMD or memory.
 */
export function simdPatches(xId: object, xv: Float32Array, g: PatchGeometry): number | null {
  const s = simd();
  if (s === null) return null;
  const rows = g.batches * g.outH * g.outW;
  const taps = g.kH * g.kW * g.inC;
  const key = Object.values(g).join(",");
  return s.patches(
    xId,
    xv,
    key,
    rows * taps,
    (ptr, xp) => {
      s.f32(xp, xv.length).set(xv);
      s.fn.im2col(
        xp,
        g.batches,
        g.inH,
        g.inW,
        g.inC,
        g.outH,
        g.outW,
        g.kH,
        g.kW,
        g.strideH,
        g.strideW,
        g.dilationH,
        g.dilationW,
        g.padTop,
        g.padLeft,
        ptr,
      );
    },
    xv.length,
  );
}
