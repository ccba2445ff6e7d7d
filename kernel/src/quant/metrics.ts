/**
 * Error metrics between a float tensor x and its quantized approximation x̂ (e.g. the dequantized
 * codes). All sums run in double.
 */
import { ShapeError } from "../errors";
import { dequantize, quantize } from "./affine";
import { type QuantParams, representableRange } from "./params";

export interface ErrorMetrics {
  /** Σ (x − x̂)² / n. */
  mse: number;
  /** 10 · log10(Σ x² / Σ (x − x̂)²) in dB; +∞ when x̂ = x exactly, −∞ when x = 0 but x̂ ≠ 0. */
  sqnrDb: number;
  /** max |x − x̂|. */
  maxAbsError: number;
  /** x · x̂ / (|x| |x̂|); 1 when both are all zero, 0 when exactly one is. */
  cosineSimilarity: number;
  /** Fraction of x outside the clipping range [min, max] (0 when no range is given). */
  clippedFraction: number;
  /** Number of elements compared. */
  count: number;
}

/**
 * Compare `reference` (x) with `approx` (x̂). `clipRange` is the representable float range of the
 * quantization, for `clippedFraction`. Empty inputs give zeros (and cosine similarity 1).
 */
export function errorMetrics(
  reference: ArrayLike<number>,
  approx: ArrayLike<number>,
  clipRange?: { min: number; max: number },
): ErrorMetrics {
  if (reference.length !== approx.length) {
    throw new ShapeError(
      `errorMetrics: reference has ${reference.length} elements but the approximation has ${approx.length}`,
    );
  }
  const n = reference.length;
  let noise = 0;
  let signal = 0;
  let approxEnergy = 0;
  let dot = 0;
  let maxAbs = 0;
  let clipped = 0;
  const lo = clipRange?.min ?? -Infinity;
  const hi = clipRange?.max ?? Infinity;
  for (let i = 0; i < n; i++) {
    const x = reference[i];
    const y = approx[i];
    const d = x - y;
    noise += d * d;
    signal += x * x;
    approxEnergy += y * y;
    dot += x * y;
    const a = Math.abs(d);
    if (a > maxAbs) maxAbs = a;
    if (x < lo || x > hi) clipped++;
  }
  let sqnrDb: number;
  if (noise === 0) sqnrDb = Infinity;
  else if (signal === 0) sqnrDb = -Infinity;
  else sqnrDb = 10 * Math.log10(signal / noise);
  let cosineSimilarity: number;
  if (signal === 0 && approxEnergy === 0) cosineSimilarity = 1;
  else if (signal === 0 || approxEnergy === 0) cosineSimilarity = 0;
  else cosineSimilarity = dot / Math.sqrt(signal * approxEnergy);
  return {
    mse: n ? noise / n : 0,
    sqnrDb,
    maxAbsError: maxAbs,
    cosineSimilarity,
    clippedFraction: n ? clipped / n : 0,
    count: n,
  };
}

/** Quantize x with `params`, dequantize, and measure the error (clipping range from the params). */
export function quantizationError(x: ArrayLike<number>, params: QuantParams): ErrorMetrics {
  const approx = dequantize(quantize(x, params), params);
  return errorMetrics(x, approx, representableRange(params));
}
