/**
 * Dense float32 matrix products for the fast kernels, accumulated in float64 registers and
 * stored as float32.
 *
 *   gemm:  C[i, j] (+)= Σ_k A[i, k] · B[k, j]       A: m×k, B: k×n, C: m×n, all row-major
 *
 * NOTE: the inner loop computes a 4×4 tile of C from 4 rows of A and 4 columns of B, so each
 * loaded A and B value feeds 4 multiply-adds; V8 keeps the 16 accumulators in registers. Edge
 * rows and columns (m or n not a multiple of 4) take narrower loops. Degenerate: k = 0 writes
 * zeros (or leaves C unchanged when accumulating).
 */
export interface MatrixView {
  data: Float32Array;
  /** Index of element [0, 0]. */
  offset: number;
  /** Distance between rows. */
  rowStride: number;
}

export function gemm(
  m: number,
  n: number,
  k: number,
  A: MatrixView,
  B: MatrixView,
  C: MatrixView,
  accumulate = false,
): void {
  const a = A.data;
  const b = B.data;
  const c = C.data;
  const lda = A.rowStride;
  const ldb = B.rowStride;
  const ldc = C.rowStride;
  const m4 = m - (m % 4);
  const n4 = n - (n % 4);
  for (let i = 0; i < m4; i += 4) {
    const a0 = A.offset + i * lda;
    const a1 = a0 + lda;
    const a2 = a1 + lda;
    const a3 = a2 + lda;
    const c0 = C.offset + i * ldc;
    for (let j = 0; j < n4; j += 4) {
      let s00 = 0,
        s01 = 0,
        s02 = 0,
        s03 = 0;
      let s10 = 0,
        s11 = 0,
        s12 = 0,
        s13 = 0;
      let s20 = 0,
        s21 = 0,
        s22 = 0,
        s23 = 0;
      let s30 = 0,
        s31 = 0,
        s32 = 0,
        s33 = 0;
      let bi = B.offset + j;
      for (let p = 0; p < k; p++, bi += ldb) {
        const b0 = b[bi];
        const b1 = b[bi + 1];
        const b2 = b[bi + 2];
        const b3 = b[bi + 3];
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
        const x2 = a[a2 + p];
        const x3 = a[a3 + p];
        s00 += x0 * b0;
        s01 += x0 * b1;
        s02 += x0 * b2;
        s03 += x0 * b3;
        s10 += x1 * b0;
        s11 += x1 * b1;
        s12 += x1 * b2;
        s13 += x1 * b3;
        s20 += x2 * b0;
        s21 += x2 * b1;
        s22 += x2 * b2;
        s23 += x2 * b3;
        s30 += x3 * b0;
        s31 += x3 * b1;
        s32 += x3 * b2;
        s33 += x3 * b3;
      }
      const o0 = c0 + j;
      const o1 = o0 + ldc;
      const o2 = o1 + ldc;
      const o3 = o2 + ldc;
      if (accumulate) {
        c[o0] += s00;
        c[o0 + 1] += s01;
        c[o0 + 2] += s02;
        c[o0 + 3] += s03;
        c[o1] += s10;
        c[o1 + 1] += s11;
        c[o1 + 2] += s12;
        c[o1 + 3] += s13;
        c[o2] += s20;
        c[o2 + 1] += s21;
        c[o2 + 2] += s22;
        c[o2 + 3] += s23;
        c[o3] += s30;
        c[o3 + 1] += s31;
        c[o3 + 2] += s32;
        c[o3 + 3] += s33;
      } else {
        c[o0] = s00;
        c[o0 + 1] = s01;
        c[o0 + 2] = s02;
        c[o0 + 3] = s03;
        c[o1] = s10;
        c[o1 + 1] = s11;
        c[o1 + 2] = s12;
        c[o1 + 3] = s13;
        c[o2] = s20;
        c[o2 + 1] = s21;
        c[o2 + 2] = s22;
        c[o2 + 3] = s23;
        c[o3] = s30;
        c[o3 + 1] = s31;
        c[o3 + 2] = s32;
        c[o3 + 3] = s33;
      }
    }
    if (n4 < n) edge(i, i + 4, n4, n);
  }
  if (m4 < m) edge(m4, m, 0, n);

  /** C[i0..i1, j0..j1] one element at a time. */
  function edge(i0: number, i1: number, j0: number, j1: number): void {
    for (let i = i0; i < i1; i++) {
      const ai = A.offset + i * lda;
      const ci = C.offset + i * ldc;
      for (let j = j0; j < j1; j++) {
        let s = 0;
        let bi = B.offset + j;
        for (let p = 0; p < k; p++, bi += ldb) s += a[ai + p] * b[bi];
        if (accumulate) c[ci + j] += s;
        else c[ci + j] = s;
      }
    }
  }
}

/** out[j, i] = x[i, j] for an r×c row-major x (out is c×r). */
export function transpose(
  x: Float32Array,
  offset: number,
  r: number,
  c: number,
  out: Float32Array,
): Float32Array {
  for (let i = 0; i < r; i++) {
    const xi = offset + i * c;
    for (let j = 0; j < c; j++) out[j * r + i] = x[xi + j];
  }
  return out;
}
