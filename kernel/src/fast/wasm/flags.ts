/** Bits of the SIMD GEMMs' `flags` argument (./kernels.ts builds them, ./runtime.ts passes them). */
export const GEMM_ACCUMULATE = 1;
/** Add bias[j] (n floats at the `bias` argument) to each finished sum. */
export const GEMM_BIAS = 2;
/** Then relu (x < 0 ? 0 : x, NaN and −0 kept, as tfjs). */
export const GEMM_RELU = 4;
