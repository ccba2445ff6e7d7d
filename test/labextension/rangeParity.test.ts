/**
 * Parity of the range plot's in-browser readout (labextension/src/rangeMath.ts, which sees only
 * the histogram) with the kernel's own computation on the same tensor.
 *
 * The kernel has no metric that works from a histogram (the MSE observer's `expectedError`
 * approximates every in-range value by scale²/12 and is a search criterion, not a readout), so
 * the reference is the kernel measuring the raw values that produced the histogram:
 * `chooseQuantParams` → `quantize` → `dequantize` → `errorMetrics`, as
 * `quantizationError` does. The histogram is the kernel's too: its calibration `Histogram`
 * filled with the values, turned into the payload by `histogramPayload` (what `rangeBundle`
 * sends).
 *
 * Tolerances, derived from the bin width. The browser assumes each bin's values are spread
 * uniformly over the bin; whatever the real values inside a bin are, their mean of a function f
 * and the uniform model's mean of f both lie in [min f, max f] over that bin. So
 *   |MSE_browser − MSE_kernel| ≤ Σ_bins count · (max − min of e(x) = (x − Q(x))² on the bin) / n
 *   |P_browser − P_kernel|     ≤ Σ_bins count · (max − min of x² on the bin) / n
 *   |clipped_browser − clipped_kernel| ≤ (counts of the bins holding a clip threshold) / n
 * and SQNR = 10·log10(P / MSE) must lie in the interval these bounds give. e(x) is monotone
 * between consecutive grid points, grid midpoints and the grid's ends, so its extremes on a bin
 * are among those points and the bin's edges. The bound shrinks with the bin width: with 2^17
 * bins it is a few % of the MSE at 8 bits, which each case checks (so the test can fail).
 * Float32 rounding in the kernel (scale, x / scale, the dequantized value) adds ~1e-7 relative.
 *
 * Clipped fraction: the browser counts values the clamp changes, those beyond half a step past
 * the grid's ends; `errorMetrics` takes the clip range as an argument, so the kernel is asked
 * for the fraction outside [lo − scale/2, hi + scale/2] of its own grid.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { Histogram } from "../../kernel/src/calib/histogram";
import { histogramPayload } from "../../kernel/src/calib/payload";
import type { HistogramData } from "../../kernel/src/display/payload";
import { dequantize, quantize } from "../../kernel/src/quant/affine";
import { errorMetrics } from "../../kernel/src/quant/metrics";
import { chooseQuantParams, representableRange } from "../../kernel/src/quant/params";
import { quantGrid, rangeReadout, type QuantSpec } from "../../labextension/src/rangeMath";
import { seededNormal, seededUniform } from "../browser/samplePayloads";

/** Random tensor values (float32, as tensors are) from one of a few shapes real tensors have. */
function randomValues(seed: number, n: number): Float32Array {
  const u = seededUniform(seed);
  const normal = seededNormal(seed + 1);
  const shape = seed % 4;
  const mean = (u() - 0.3) * 2;
  const spread = 0.05 + 2 * u();
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    switch (shape) {
      case 0: // normal
        x[i] = mean + spread * normal();
        break;
      case 1: // uniform
        x[i] = mean + spread * (u() - 0.5);
        break;
      case 2: // ReLU output: non-negative, a spike at 0
        x[i] = Math.max(0, Math.abs(mean) + spread * normal());
        break;
      default: // normal with a thin tail of outliers (where clipping pays)
        x[i] = u() < 0.003 ? mean + spread * (4 + 6 * u()) : mean + spread * normal();
    }
  }
  return x;
}

/** The grid as the bounds need it: representable values lo + k·scale up to hi. */
interface Grid {
  scale: number;
  lo: number;
  hi: number;
}

/**
 * e(x) = (x − Q(x))², Q(x) the nearest grid value (clamped to [lo, hi]). The grid points
 * scale·(q − zeroPoint) are lo + k·scale with k = q − qmin, so no zero point is needed here.
 */
function squaredError(x: number, g: Grid): number {
  const k = Math.round((x - g.lo) / g.scale);
  return (x - Math.min(g.hi, Math.max(g.lo, g.lo + k * g.scale))) ** 2;
}

/** max − min of e(x) over [a, b]: e is monotone between grid points, midpoints and the ends. */
function errorSpread(a: number, b: number, g: Grid): number {
  const points = [a, b];
  for (const end of [g.lo, g.hi]) if (end > a && end < b) points.push(end);
  const kFrom = Math.ceil((Math.max(a, g.lo) - g.lo) / g.scale - 0.5);
  const kTo = Math.floor((Math.min(b, g.hi) - g.lo) / g.scale);
  for (let k = Math.max(0, kFrom); k <= kTo; k++) {
    for (const p of [g.lo + k * g.scale, g.lo + (k + 0.5) * g.scale]) {
      if (p > a && p < b) points.push(p);
    }
  }
  const e = points.map((p) => squaredError(p, g));
  return Math.max(...e) - Math.min(...e);
}

interface Bounds {
  mse: number;
  signal: number;
  clipped: number;
}

/** The bounds of the file comment, bin by bin. */
function histogramBounds(h: HistogramData, g: Grid): Bounds {
  const bins = h.counts.length;
  const w = (h.max - h.min) / bins;
  let total = 0;
  let mse = 0;
  let signal = 0;
  let clipped = 0;
  const clipLo = g.lo - g.scale / 2;
  const clipHi = g.hi + g.scale / 2;
  for (let i = 0; i < bins; i++) {
    const n = h.counts[i] ?? 0;
    if (n === 0) continue;
    total += n;
    const a = h.min + i * w;
    const b = a + w;
    mse += n * errorSpread(a, b, g);
    const sq = [a * a, b * b, ...(a < 0 && b > 0 ? [0] : [])];
    signal += n * (Math.max(...sq) - Math.min(...sq));
    if ((a <= clipLo && clipLo <= b) || (a <= clipHi && clipHi <= b)) clipped += n;
  }
  return { mse: mse / total, signal: signal / total, clipped: clipped / total };
}

interface Case {
  seed: number;
  spec: QuantSpec;
}

/** 56 cases: bits 2..8 × symmetric × narrow range × two random tensors and ranges each. */
function cases(): Case[] {
  const out: Case[] = [];
  let seed = 1;
  for (let bits = 2; bits <= 8; bits++) {
    for (const symmetric of [false, true]) {
      for (const narrowRange of [false, true]) {
        for (let rep = 0; rep < 2; rep++) {
          seed++;
          out.push({ seed, spec: { min: 0, max: 0, bits, symmetric, narrowRange } });
        }
      }
    }
  }
  return out;
}

const N = 20_000;
const BINS = 2 ** 17;

describe("range readout (browser, from the histogram) vs. the kernel on the raw values", () => {
  for (const { seed, spec: base } of cases()) {
    const name = `${base.bits}-bit ${base.symmetric ? "symmetric" : "asymmetric"}${base.narrowRange ? " narrow" : ""} (seed ${seed})`;
    test(name, () => {
      const values = randomValues(seed, N);
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of values) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      const histogram = new Histogram(BINS);
      histogram.add(values, lo, hi);
      const payload = histogramPayload(histogram.toJSON());
      // A range somewhere between clipping half the extent and covering 1.2× of it.
      const u = seededUniform(seed * 7919);
      const spec: QuantSpec = {
        ...base,
        min: lo * (0.5 + 0.7 * u()),
        max: hi * (0.5 + 0.7 * u()),
      };

      const params = chooseQuantParams(spec.min, spec.max, {
        bits: spec.bits,
        symmetric: spec.symmetric,
        narrowRange: spec.narrowRange,
      });
      const browser = rangeReadout(payload, spec);
      const grid = quantGrid(spec);
      // Same grid: the kernel rounds the scale to float32, the browser keeps the double.
      assert.ok(
        Math.abs(grid.scale - params.scale) <= 1e-7 * params.scale,
        `scale ${grid.scale} vs kernel ${params.scale}`,
      );
      assert.equal(grid.zeroPoint, params.zeroPoint, "zero point");
      assert.deepEqual([grid.qmin, grid.qmax], [params.format.qmin, params.format.qmax]);

      const kernelGrid = representableRange(params);
      const approx = dequantize(quantize(values, params), params);
      const kernel = errorMetrics(values, approx, {
        min: kernelGrid.min - params.scale / 2,
        max: kernelGrid.max + params.scale / 2,
      });
      const bounds = histogramBounds(payload, {
        scale: params.scale,
        lo: kernelGrid.min,
        hi: kernelGrid.max,
      });
      const float32Slack = 1e-6 * kernel.mse + 1e-12;

      assert.ok(
        bounds.mse < 0.05 * kernel.mse,
        `the bound is tight enough to mean something: ${bounds.mse} vs MSE ${kernel.mse}`,
      );
      assert.ok(
        Math.abs(browser.mse - kernel.mse) <= bounds.mse + float32Slack,
        `MSE: browser ${browser.mse}, kernel ${kernel.mse}, bound ${bounds.mse}`,
      );
      assert.ok(
        Math.abs(browser.clippedFraction - kernel.clippedFraction) <= bounds.clipped + 1e-12,
        `clipped: browser ${browser.clippedFraction}, kernel ${kernel.clippedFraction}, bound ${bounds.clipped}`,
      );
      // SQNR: the kernel's value lies in the interval the browser's P and MSE and the bounds give.
      const sqnrLow =
        10 *
        Math.log10(
          (browser.signalPower - bounds.signal) / (browser.mse + bounds.mse + float32Slack),
        );
      const mseLow = browser.mse - bounds.mse - float32Slack;
      const sqnrHigh =
        mseLow > 0
          ? 10 * Math.log10((browser.signalPower + bounds.signal) / mseLow)
          : Number.POSITIVE_INFINITY;
      assert.ok(
        kernel.sqnrDb >= sqnrLow - 1e-9 && kernel.sqnrDb <= sqnrHigh + 1e-9,
        `SQNR: kernel ${kernel.sqnrDb} dB not in [${sqnrLow}, ${sqnrHigh}] (browser ${browser.sqnrDb})`,
      );
      assert.ok(sqnrHigh - sqnrLow < 1, `SQNR interval under 1 dB: [${sqnrLow}, ${sqnrHigh}]`);
    });
  }
});
