import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  fakeQuantValue,
  gridValuesIn,
  quantGrid,
  rangeReadout,
  type QuantSpec,
} from "../../labextension/src/rangeMath";
import { histogramOf } from "../../labextension/src/histogram";
import { activationValues, seededNormal } from "../browser/samplePayloads";

const int8 = { bits: 8, symmetric: false, narrowRange: false };

function close(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tol,
    `${what}: expected ${expected} ± ${tol}, got ${actual}`,
  );
}

/** The error measured directly on the values: the ground truth the histogram estimate targets. */
function direct(
  values: number[],
  spec: QuantSpec,
): { mse: number; sqnrDb: number; clipped: number } {
  const grid = quantGrid(spec);
  let err = 0;
  let sig = 0;
  let clipped = 0;
  for (const x of values) {
    err += (x - fakeQuantValue(x, grid)) ** 2;
    sig += x * x;
    if (x < grid.lo - grid.scale / 2 || x > grid.hi + grid.scale / 2) clipped++;
  }
  return {
    mse: err / values.length,
    sqnrDb: 10 * Math.log10(sig / err),
    clipped: clipped / values.length,
  };
}

describe("quantGrid", () => {
  test("int8 asymmetric [-1, 1]: scale 2/255, zero point rounds -0.5 away from zero to -1", () => {
    // scale = (1 - (-1)) / (127 - (-128)) = 2/255; zp = -128 - (-1)/(2/255) = -128 + 127.5 = -0.5
    const g = quantGrid({ min: -1, max: 1, ...int8 });
    close(g.scale, 2 / 255, 1e-15, "scale");
    assert.equal(g.zeroPoint, -1);
    assert.deepEqual([g.qmin, g.qmax], [-128, 127]);
    close(g.lo, (-128 + 1) * (2 / 255), 1e-12, "lo"); // -0.99608
    close(g.hi, (127 + 1) * (2 / 255), 1e-12, "hi"); // 1.00392
  });

  test("a range that excludes 0 is extended to include it (zero point on the edge)", () => {
    // [1, 3] → [0, 3]: scale = 3/255, zp = -128 - 0 = -128, so lo = 0 exactly
    const g = quantGrid({ min: 1, max: 3, ...int8 });
    close(g.scale, 3 / 255, 1e-15, "scale");
    assert.equal(g.zeroPoint, -128);
    assert.equal(g.lo, 0);
    const neg = quantGrid({ min: -4, max: -2, ...int8 });
    assert.equal(neg.zeroPoint, 127);
    assert.equal(neg.hi, 0);
  });

  test("symmetric: zero point 0, scale = max|x| / qmax; narrow range drops -128", () => {
    // max(|-0.5|, |2|) / 127
    const narrow = quantGrid({ min: -0.5, max: 2, bits: 8, symmetric: true, narrowRange: true });
    assert.equal(narrow.zeroPoint, 0);
    close(narrow.scale, 2 / 127, 1e-15, "scale");
    assert.deepEqual([narrow.qmin, narrow.qmax], [-127, 127]);
    close(narrow.lo, -2, 1e-12, "lo");
    const wide = quantGrid({ min: -0.5, max: 2, bits: 8, symmetric: true, narrowRange: false });
    assert.equal(wide.qmin, -128);
    close(wide.lo, (-128 * 2) / 127, 1e-12, "lo");
  });

  test("empty range (min == max == 0) is widened by 1e-6, so scale > 0 and 0 is exact", () => {
    const g = quantGrid({ min: 0, max: 0, ...int8 });
    close(g.scale, 2e-6 / 255, 1e-18, "scale");
    assert.equal(fakeQuantValue(0, g), 0);
  });

  test("bits outside 2..16 are refused", () => {
    assert.throws(
      () => quantGrid({ min: 0, max: 1, bits: 1, symmetric: false, narrowRange: false }),
      /2\.\.16/,
    );
    assert.throws(
      () => quantGrid({ min: 0, max: 1, bits: 17, symmetric: false, narrowRange: false }),
      /2\.\.16/,
    );
  });
});

describe("rangeReadout: hand-computed goldens", () => {
  // 2 bits, asymmetric, [0, 1]: qmin = -2, qmax = 1, scale = 1/3, zp = -2, grid {0, 1/3, 2/3, 1}.
  const twoBits = { min: 0, max: 1, bits: 2, symmetric: false, narrowRange: false };

  test("uniform values on the grid's span: MSE = scale²/12, no clipping", () => {
    // one bin over [0, 1] = uniform density; error is a sawtooth of period 1/3:
    // MSE = (1/3)²/12 = 1/108; E[x²] = 1/3; SQNR = 10·log10((1/3)/(1/108)) = 10·log10(36)
    const r = rangeReadout({ min: 0, max: 1, counts: [1000] }, twoBits);
    close(r.mse, 1 / 108, 1e-15, "mse");
    close(r.signalPower, 1 / 3, 1e-15, "signal");
    close(r.sqnrDb, 10 * Math.log10(36), 1e-12, "sqnr");
    assert.equal(r.clippedFraction, 0);
    assert.equal(r.total, 1000);
  });

  test("half the values beyond max: clamp error integrated exactly", () => {
    // uniform on [0, 2] (one bin), grid [0, 1]: ∫_0^1 sawtooth² = 1/108, ∫_1^2 (x-1)² = 1/3;
    // MSE = (1/108 + 36/108) / 2 = 37/216; E[x²] = (8/3)/2 = 4/3.
    // Clipped: values above hi + scale/2 = 1 + 1/6, i.e. (2 - 7/6) / 2 = 5/12 of them.
    const r = rangeReadout({ min: 0, max: 2, counts: [7] }, twoBits);
    close(r.mse, 37 / 216, 1e-15, "mse");
    close(r.signalPower, 4 / 3, 1e-15, "signal");
    close(r.clippedFraction, 5 / 12, 1e-15, "clipped");
  });

  test("point mass (min == max): the error of that one value", () => {
    // 0.3 on the 2-bit [0, 1] grid rounds to 1/3: error² = (1/30)²
    const r = rangeReadout({ min: 0.3, max: 0.3, counts: [5] }, twoBits);
    close(r.mse, (0.3 - 1 / 3) ** 2, 1e-15, "mse");
    assert.equal(r.clippedFraction, 0);
  });

  test("all values zero: MSE 0 and SQNR +Infinity; empty histogram: SQNR NaN", () => {
    const zeros = rangeReadout({ min: 0, max: 0, counts: [10] }, { min: 0, max: 0, ...int8 });
    assert.equal(zeros.mse, 0);
    assert.equal(zeros.sqnrDb, Infinity);
    const empty = rangeReadout(
      { min: -1, max: 1, counts: [0, 0, 0] },
      { min: -1, max: 1, ...int8 },
    );
    assert.equal(empty.total, 0);
    assert.ok(Number.isNaN(empty.sqnrDb));
  });

  test("partial grid cells at both bin ends integrate exactly (vs a 1e6-point midpoint rule)", () => {
    // one bin [-0.37, 1.23] against a 6-bit grid whose steps do not align with the bin edges
    const spec = { min: -0.2, max: 0.9, bits: 6, symmetric: false, narrowRange: false };
    const r = rangeReadout({ min: -0.37, max: 1.23, counts: [1] }, spec);
    const grid = quantGrid(spec);
    const n = 1_000_000;
    const width = 1.6 / n;
    let err = 0;
    for (let i = 0; i < n; i++) {
      const x = -0.37 + (i + 0.5) * width;
      err += (x - fakeQuantValue(x, grid)) ** 2;
    }
    close(r.mse, err / n, 1e-6 * (err / n), "mse");
  });
});

describe("rangeReadout vs. the error measured on the values", () => {
  // 20k values of a skewed activation with outliers, and 50k normal values; histograms of 2048
  // bins. Within a bin the values are not uniform, so the estimate is close, not exact.
  const activations = activationValues();
  const normalGen = seededNormal(3);
  const normal = Array.from({ length: 50000 }, () => normalGen());
  const cases: [string, number[], QuantSpec][] = [
    ["int8 min/max", activations, { min: -1.5, max: 9, ...int8 }],
    ["int8 clipping the tail", activations, { min: -1.5, max: 2, ...int8 }],
    ["4-bit", activations, { min: -1, max: 2.5, bits: 4, symmetric: false, narrowRange: false }],
    [
      "int8 symmetric narrow",
      normal,
      { min: -3, max: 3, bits: 8, symmetric: true, narrowRange: true },
    ],
    [
      "3-bit symmetric, heavy clipping",
      normal,
      { min: -1, max: 1, bits: 3, symmetric: true, narrowRange: false },
    ],
  ];
  for (const [name, values, spec] of cases) {
    test(name, () => {
      const est = rangeReadout(histogramOf(values, 2048), spec);
      const truth = direct(values, spec);
      close(est.mse, truth.mse, 0.03 * truth.mse, "mse");
      close(est.sqnrDb, truth.sqnrDb, 0.15, "sqnr dB");
      close(est.clippedFraction, truth.clipped, 0.001, "clipped fraction");
    });
  }

  test("more bits never hurts on the same range; clipping the tail trades clipped mass for MSE", () => {
    const h = histogramOf(activations, 2048);
    const mse = [4, 6, 8, 10].map(
      (bits) =>
        rangeReadout(h, { min: -1.5, max: 9, bits, symmetric: false, narrowRange: false }).mse,
    );
    for (let i = 1; i < mse.length; i++)
      assert.ok((mse[i] ?? 0) < (mse[i - 1] ?? 0), `mse ${mse.join(", ")}`);
    const full = rangeReadout(h, { min: h.min, max: h.max, ...int8 });
    const clipped = rangeReadout(h, { min: -1.5, max: 2, ...int8 });
    assert.equal(full.clippedFraction, 0);
    assert.ok(clipped.clippedFraction > 0.001);
  });
});

describe("gridValuesIn", () => {
  test("3-bit [0, 1] has 8 grid points k/7; too many for maxPoints 4 gives null", () => {
    // qmin = -4, qmax = 3, scale = 1/7, zp = -4: values (q + 4)/7 for q = -4..3
    const g = quantGrid({ min: 0, max: 1, bits: 3, symmetric: false, narrowRange: false });
    const v = gridValuesIn(g, -10, 10, 16);
    assert.ok(v);
    assert.equal(v.length, 8);
    v.forEach((x, k) => close(x, k / 7, 1e-12, `grid[${k}]`));
    assert.equal(gridValuesIn(g, -10, 10, 4), null);
    assert.deepEqual(gridValuesIn(g, 0.2, 0.3, 16)?.length, 1); // only 2/7 ≈ 0.2857
  });
});
