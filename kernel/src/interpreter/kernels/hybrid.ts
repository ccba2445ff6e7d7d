/**
 * Run-time input quantization of TFLite's hybrid (dynamic-range) kernels: each batch row of a
 * float input is quantized to int8 just before an int8-weight matmul or convolution
 * (`tensor_utils::SymmetricQuantizeFloats` / `AsymmetricQuantizeFloats`).
 *
 * NOTE: LiteRT's x86-64 wheels run the NEON versions of these functions through the NEON_2_SSE
 * translator (`optimized/neon_tensor_utils.cc`; `neon_check.h` enables it under SSE4.1), and
 * their rounding differs from the portable C++ in two ways this file reproduces (parity tests
 * against LiteRT's reference resolver confirm it): (1) the asymmetric variant rounds x / scale
 * first and then adds the zero point (the portable code rounds the float sum); (2) all but the
 * last `length mod 8` elements round as trunc(float32(p ± 0.5)) (a float add, then truncation),
 * the tail with round-half-away `roundf`. Every float step is rounded to float32 (`Math.fround`).
 */
import { roundHalfAwayFromZero } from "../../quant/fixedpoint";

// Local bindings: an imported function is read through a module getter at each call under
// some loaders (tsx); hot loops call these instead.
const roundHalfAway = roundHalfAwayFromZero;

/** The 8-lane vector loop's rounding: p ± 0.5 in float32, then truncation toward zero. */
function roundVectorLane(p: number): number {
  return Math.trunc(Math.fround(p + (p < 0 ? -0.5 : 0.5)));
}

/** Min and max of a row, both starting from 0 (as `NeonMinMax` does). */
function rowRange(values: Float32Array, start: number, length: number): [number, number] {
  let min = 0;
  let max = 0;
  for (let i = start; i < start + length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/**
 * Symmetric: range = max(|min|, |max|), scalingFactor = range / 127, q = round(x · (127 / range))
 * clamped to ±127. Degenerate case: an all-zero row gives q = 0 and scalingFactor 1.
 * Returns the scaling factor (real ≈ scalingFactor · q).
 */
export function symmetricQuantizeRow(
  values: Float32Array,
  start: number,
  length: number,
  quantized: Int8Array,
): number {
  const [min, max] = rowRange(values, start, length);
  const range = Math.max(Math.abs(min), Math.abs(max));
  if (range === 0) {
    quantized.fill(0, start, start + length);
    return 1;
  }
  const inverse = Math.fround(127 / range);
  const vectorEnd = start + length - (length % 8);
  for (let i = start; i < start + length; i++) {
    const p = Math.fround(values[i] * inverse);
    const q = i < vectorEnd ? roundVectorLane(p) : roundHalfAway(p);
    quantized[i] = q > 127 ? 127 : q < -127 ? -127 : q;
  }
  return Math.fround(range / 127);
}

/**
 * Asymmetric: the row's range [min(0, min), max(0, max)], scale = (rmax − rmin) / 255 (the
 * difference in float32, the division in double, stored as float32), zero point from whichever
 * end has the smaller error, nudged into [−128, 127]; q = round(x / scale) + zeroPoint, clamped.
 * Degenerate case: rmin = rmax (an all-zero row) gives q = 0, scale 1, zero point 0.
 * Writes `out.scale` and `out.zeroPoint`.
 */
export function asymmetricQuantizeRow(
  values: Float32Array,
  start: number,
  length: number,
  quantized: Int8Array,
  out: { scale: number; zeroPoint: number },
): void {
  const [rmin, rmax] = rowRange(values, start, length);
  if (rmin === rmax) {
    quantized.fill(0, start, start + length);
    out.scale = 1;
    out.zeroPoint = 0;
    return;
  }
  const scale = Math.fround(rmax - rmin) / 255;
  const zeroPointFromMin = -128 - rmin / scale;
  const zeroPointFromMax = 127 - rmax / scale;
  const errorFromMin = 128 + Math.abs(rmin / scale);
  const errorFromMax = 127 + Math.abs(rmax / scale);
  const zeroPointReal = errorFromMin < errorFromMax ? zeroPointFromMin : zeroPointFromMax;
  const zeroPoint =
    zeroPointReal <= -128 ? -128 : zeroPointReal >= 127 ? 127 : roundHalfAway(zeroPointReal);
  const scale32 = Math.fround(scale);
  const inverse = Math.fround(1 / scale32);
  const vectorEnd = start + length - (length % 8);
  for (let i = start; i < start + length; i++) {
    const p = Math.fround(values[i] * inverse);
    const q = (i < vectorEnd ? roundVectorLane(p) : roundHalfAway(p)) + zeroPoint;
    quantized[i] = q > 127 ? 127 : q < -128 ? -128 : q;
  }
  out.scale = scale32;
  out.zeroPoint = zeroPoint;
}
