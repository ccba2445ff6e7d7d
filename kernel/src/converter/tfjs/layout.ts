/**
 * Weight layouts: tfjs stores kernels as TensorFlow does (conv HWIO `[kh, kw, in, out]`, dense
 * `[in, out]`); TFLite wants conv OHWI `[out, kh, kw, in]`, fully-connected `[out, in]` and
 * depthwise `[1, kh, kw, in·mult]`.
 */

/**
 * HWIO → OHWI: `out[o, y, x, i] = kernel[y, x, i, o]` (a 1×1 pointwise kernel is the case
 * kh = kw = 1).
 */
export function hwioToOhwi(
  kernel: Float32Array,
  kh: number,
  kw: number,
  cin: number,
  cout: number,
): Float32Array {
  const out = new Float32Array(kernel.length);
  let j = 0;
  for (let o = 0; o < cout; o++) {
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        for (let i = 0; i < cin; i++) out[j++] = kernel[((y * kw + x) * cin + i) * cout + o] ?? 0;
      }
    }
  }
  return out;
}

/** Dense `[in, out]` → FULLY_CONNECTED `[out, in]`: `out[o, i] = kernel[i, o]`. */
export function transpose2d(kernel: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = kernel[r * cols + c] ?? 0;
  }
  return out;
}

/**
 * Depthwise `[kh, kw, in, mult]` → `[1, kh, kw, in·mult]`: the same bytes. Output channel
 * `c·mult + m` of TFLite's DEPTHWISE_CONV_2D reads input channel c with weights `[y, x, c, m]`,
 * which is where `[kh, kw, in·mult]` row-major puts them.
 */
export function depthwiseShape(kh: number, kw: number, cin: number, mult: number): number[] {
  return [1, kh, kw, cin * mult];
}
