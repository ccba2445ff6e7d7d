/**
 * Browser-side quantization math for the range plot: the grid a [min, max] range gives at a bit
 * width, and the error that grid would cause on a tensor, computed from the tensor's histogram
 * alone (no raw values), fast enough to run on every drag event.
 *
 * Pure and DOM-free: unit-tested under Node (test/labextension/rangeMath.test.ts).
 */
import type { HistogramData } from "../../kernel/src/display/payload";

/** What the user can change in the range plot. */
export interface QuantSpec {
  min: number;
  max: number;
  /** Integer bits, 2..16. */
  bits: number;
  symmetric: boolean;
  narrowRange: boolean;
}

/**
 * The quantization grid: `real = scale * (q - zeroPoint)` for integer `q` in [qmin, qmax].
 * `lo = scale * (qmin - zeroPoint)` and `hi = scale * (qmax - zeroPoint)` are the smallest and
 * largest representable values; anything outside [lo, hi] is clamped to them.
 */
export interface QuantGrid {
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
  lo: number;
  hi: number;
}

/** The smallest range width the converter accepts; narrower ranges are widened (TFLite does). */
const MIN_RANGE_WIDTH = 1e-6;

/** Round half away from zero, like C's `std::round` that TFLite uses for zero points. */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/**
 * The grid TFLite's converter would choose for a range.
 *
 * - qmax = 2^(bits-1) - 1; qmin = -2^(bits-1), or -qmax with `narrowRange`.
 * - Asymmetric: the range is first extended to include 0 (rmin = min(min, 0),
 *   rmax = max(max, 0)); scale = (rmax - rmin) / (qmax - qmin);
 *   zeroPoint = round(qmin - rmin / scale), clamped to [qmin, qmax].
 * - Symmetric: zeroPoint = 0, scale = max(|min|, |max|) / qmax.
 * - Degenerate case: a range narrower than 1e-6 (min == max, e.g. an all-zero tensor) is widened
 *   by 1e-6 on each side, so scale is tiny but positive.
 */
export function quantGrid(spec: QuantSpec): QuantGrid {
  const { bits, symmetric, narrowRange } = spec;
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new RangeError(`quantGrid: bits must be an integer in 2..16, got ${bits}`);
  }
  const qmax = 2 ** (bits - 1) - 1;
  const qmin = narrowRange ? -qmax : -qmax - 1;
  let rmin = Math.min(spec.min, 0);
  let rmax = Math.max(spec.max, 0);
  if (rmax - rmin < MIN_RANGE_WIDTH) {
    rmin -= MIN_RANGE_WIDTH;
    rmax += MIN_RANGE_WIDTH;
  }
  let scale: number;
  let zeroPoint: number;
  if (symmetric) {
    scale = Math.max(-rmin, rmax) / qmax;
    zeroPoint = 0;
  } else {
    scale = (rmax - rmin) / (qmax - qmin);
    const zeroPointFromMin = qmin - rmin / scale;
    zeroPoint =
      zeroPointFromMin < qmin
        ? qmin
        : zeroPointFromMin > qmax
          ? qmax
          : roundHalfAway(zeroPointFromMin);
  }
  return {
    scale,
    zeroPoint,
    qmin,
    qmax,
    lo: scale * (qmin - zeroPoint),
    hi: scale * (qmax - zeroPoint),
  };
}

/** Quantize then dequantize one value on the grid: scale * (clamp(round(x / scale) + zp) - zp). */
export function fakeQuantValue(x: number, grid: QuantGrid): number {
  const q = Math.min(
    grid.qmax,
    Math.max(grid.qmin, roundHalfAway(x / grid.scale) + grid.zeroPoint),
  );
  return grid.scale * (q - grid.zeroPoint);
}

/** What the range plot's readout shows. */
export interface RangeReadout {
  grid: QuantGrid;
  /** Number of values in the histogram. */
  total: number;
  /** Expected mean squared error E[(x - Q(x))²]; 0 for an empty histogram. */
  mse: number;
  /** Mean signal power E[x²]. */
  signalPower: number;
  /**
   * 10·log10(E[x²] / MSE) in dB; +Infinity when MSE is 0 (every value on the grid, e.g. all
   * zeros); NaN for an empty histogram.
   */
  sqnrDb: number;
  /**
   * Fraction of values the clamp changes: those below lo - scale/2 or above hi + scale/2. (Values
   * within half a step beyond lo or hi round to the end point anyway, so they are not counted:
   * a min/max range clips nothing even after the zero point is rounded.)
   */
  clippedFraction: number;
}

/** ∫_a^b (x - c)² dx. */
function squaredDistanceIntegral(a: number, b: number, c: number): number {
  return ((b - c) ** 3 - (a - c) ** 3) / 3;
}

/**
 * H(u) = ∫_{-1/2}^{u} (t - round(t))² dt, the integral of the squared rounding error of a unit
 * grid. Each whole period contributes 1/12; within a period the error runs from -1/2 to r - 1/2.
 */
function sawtoothIntegral(u: number): number {
  const w = u + 0.5;
  const periods = Math.floor(w);
  const r = w - periods;
  return periods / 12 + ((r - 0.5) ** 3 + 0.125) / 3;
}

/**
 * ∫_a^b (x - Q(x))² dx for a ≤ b, exactly: Q is constant `lo` below lo, `hi` above hi, and rounds
 * to the nearest grid point in between (error a sawtooth of period `scale`).
 */
function squaredErrorIntegral(a: number, b: number, grid: QuantGrid): number {
  const { lo, hi, scale } = grid;
  let sum = 0;
  if (a < lo) sum += squaredDistanceIntegral(a, Math.min(b, lo), lo);
  if (b > hi) sum += squaredDistanceIntegral(Math.max(a, hi), b, hi);
  const innerA = Math.max(a, lo);
  const innerB = Math.min(b, hi);
  if (innerB > innerA) {
    // In grid units u = (x - lo) / scale the grid points are the integers 0..qmax-qmin.
    const u0 = (innerA - lo) / scale;
    const u1 = (innerB - lo) / scale;
    sum += scale ** 3 * (sawtoothIntegral(u1) - sawtoothIntegral(u0));
  }
  return sum;
}

/**
 * Expected error of quantizing a tensor on the grid of `spec`, from the tensor's histogram.
 *
 * Model: the values of bin i are spread uniformly over [edge_i, edge_{i+1}); the error integral
 * is then exact per bin (clamped tails and the rounding sawtooth integrated in closed form), so
 * the cost is O(bins) whatever the bit width. A zero-width histogram (min == max) is a point
 * mass at min. The estimate is as good as the histogram is fine: with few bins and many grid
 * steps per bin it is the error of a uniformly spread tensor, not of the actual values.
 */
export function rangeReadout(histogram: HistogramData, spec: QuantSpec): RangeReadout {
  const grid = quantGrid(spec);
  const { counts } = histogram;
  const bins = counts.length;
  const width = bins > 0 ? (histogram.max - histogram.min) / bins : 0;
  let total = 0;
  let errorSum = 0;
  let signalSum = 0;
  let clipped = 0;
  const clipLo = grid.lo - grid.scale / 2;
  const clipHi = grid.hi + grid.scale / 2;
  for (let i = 0; i < bins; i++) {
    const count = counts[i] ?? 0;
    if (count <= 0) continue;
    total += count;
    if (width === 0) {
      const x = histogram.min;
      errorSum += count * (x - fakeQuantValue(x, grid)) ** 2;
      signalSum += count * x * x;
      if (x < clipLo || x > clipHi) clipped += count;
      continue;
    }
    const a = histogram.min + i * width;
    const b = a + width;
    const density = count / width;
    errorSum += density * squaredErrorIntegral(a, b, grid);
    signalSum += density * ((b ** 3 - a ** 3) / 3);
    const below = Math.max(0, Math.min(b, clipLo) - a);
    const above = Math.max(0, b - Math.max(a, clipHi));
    clipped += density * (below + above);
  }
  if (total === 0) {
    return { grid, total, mse: 0, signalPower: 0, sqnrDb: NaN, clippedFraction: 0 };
  }
  const mse = errorSum / total;
  const signalPower = signalSum / total;
  return {
    grid,
    total,
    mse,
    signalPower,
    sqnrDb: mse === 0 ? Infinity : 10 * Math.log10(signalPower / mse),
    clippedFraction: clipped / total,
  };
}

/**
 * The grid's representable values inside [from, to], or null if there are more than
 * `maxPoints` (the plot draws the grid only where bits are few enough to see it).
 */
export function gridValuesIn(
  grid: QuantGrid,
  from: number,
  to: number,
  maxPoints: number,
): number[] | null {
  const qFrom = Math.max(grid.qmin, Math.ceil(from / grid.scale + grid.zeroPoint));
  const qTo = Math.min(grid.qmax, Math.floor(to / grid.scale + grid.zeroPoint));
  if (qTo - qFrom + 1 > maxPoints) return null;
  const values: number[] = [];
  for (let q = qFrom; q <= qTo; q++) values.push(grid.scale * (q - grid.zeroPoint));
  return values;
}
