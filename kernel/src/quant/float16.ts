/**
 * IEEE binary16 (float16) and bfloat16 conversions, as bit patterns in a uint16.
 *
 * float16: 1 sign, 5 exponent (bias 15), 10 mantissa bits; largest finite 65504, smallest
 * normal 2^-14, smallest subnormal 2^-24. bfloat16: the top 16 bits of a float32 (8 exponent
 * bits, 7 mantissa bits). Both round to nearest, ties to even (as Eigen::half / Eigen::bfloat16,
 * which TF's float16 conversion uses). Inputs are first taken as float32, since tensors are.
 */

import { roundHalfToEven } from "./rounding";

const scratch = new DataView(new ArrayBuffer(4));

function float32Bits(x: number): number {
  scratch.setFloat32(0, x);
  return scratch.getUint32(0);
}

function bitsToFloat32(bits: number): number {
  scratch.setUint32(0, bits >>> 0);
  return scratch.getFloat32(0);
}

/**
 * float32 → float16 bits, round to nearest even. Overflow (|x| ≥ 65520) gives ±Infinity,
 * values below half the smallest subnormal (2^-25) give ±0, NaN stays NaN (quiet, sign kept).
 */
export function toFloat16(x: number): number {
  return float32BitsToFloat16(float32Bits(x));
}

function float32BitsToFloat16(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const abs = bits & 0x7fffffff;
  if (abs >= 0x7f800000) {
    // Inf stays Inf; NaN keeps its top mantissa bits and is made quiet.
    return abs === 0x7f800000 ? sign | 0x7c00 : sign | 0x7e00 | ((abs >>> 13) & 0x3ff);
  }
  if (abs >= 0x47800000) return sign | 0x7c00; // ≥ 2^16: beyond any rounding to 65504
  if (abs < 0x38800000) {
    // Below 2^-14: a subnormal half, value = m · 2^-24. Scale exactly in double and round.
    const m = roundHalfToEven(bitsToFloat32(abs) * 2 ** 24);
    return sign | m; // m may reach 0x400, which is exactly the smallest normal's bit pattern
  }
  // Normal: re-bias the exponent (127 → 15), keep 10 of 23 mantissa bits, round on the other 13.
  let h = (((abs >>> 23) - 112) << 10) | ((abs >>> 13) & 0x3ff);
  const rest = abs & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (h & 1) === 1)) h += 1; // a carry may reach Inf (0x7c00)
  return sign | h;
}

/** float16 bits → its value (exact in float32 and in a double). */
export function fromFloat16(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >>> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa === 0 ? sign * Infinity : NaN;
  return sign * (1024 + mantissa) * 2 ** (exponent - 25);
}

/** float32 → bfloat16 bits, round to nearest even; NaN stays (quiet) NaN. */
export function toBfloat16(x: number): number {
  const bits = float32Bits(x);
  if ((bits & 0x7fffffff) > 0x7f800000) return ((bits >>> 16) | 0x40) & 0xffff;
  // Adding 0x7fff plus the lowest kept bit rounds ties to even; a carry into the exponent is the
  // correct next binade (or Inf).
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

/** bfloat16 bits → its value (the float32 with those top 16 bits). */
export function fromBfloat16(b: number): number {
  return bitsToFloat32((b & 0xffff) << 16);
}

export interface Float16ConvertOptions {
  /**
   * Clamp to ±65504 before converting, as TF's float16 post-training quantization does, so large
   * weights saturate instead of becoming Infinity. Default false (plain IEEE conversion).
   */
  saturate?: boolean;
}

/** Bulk float32 → float16 bits. */
export function toFloat16Array(
  x: ArrayLike<number>,
  options: Float16ConvertOptions = {},
): Uint16Array {
  const out = new Uint16Array(x.length);
  const bits = new Uint32Array(Float32Array.from(x).buffer);
  for (let i = 0; i < bits.length; i++) {
    let b = bits[i];
    if (options.saturate && (b & 0x7fffffff) > 0x477fe000 && (b & 0x7fffffff) <= 0x7f800000) {
      b = (b & 0x80000000) | 0x477fe000; // ±65504 (NaN excluded)
    }
    out[i] = float32BitsToFloat16(b);
  }
  return out;
}

/** Bulk float16 bits → float32. */
export function fromFloat16Array(h: ArrayLike<number>): Float32Array {
  const out = new Float32Array(h.length);
  for (let i = 0; i < h.length; i++) out[i] = fromFloat16(h[i]);
  return out;
}

/** Bulk float32 → bfloat16 bits. */
export function toBfloat16Array(x: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = toBfloat16(x[i]);
  return out;
}

/** Bulk bfloat16 bits → float32. */
export function fromBfloat16Array(b: ArrayLike<number>): Float32Array {
  const bits = new Uint32Array(b.length);
  for (let i = 0; i < b.length; i++) bits[i] = (b[i] & 0xffff) << 16;
  return new Float32Array(bits.buffer);
}
