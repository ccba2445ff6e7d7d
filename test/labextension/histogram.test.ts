import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  binCenters,
  binWidth,
  coarsenHistogram,
  dominatedBySpike,
  histogramOf,
  maxOf,
  minOf,
  strideIndices,
} from "../../labextension/src/histogram";

describe("histogramOf", () => {
  test("uniform bins over [min, max], the maximum in the last bin", () => {
    // values 0..4 in 2 bins of width 2: [0,2) holds 0,1; [2,4] holds 2,3,4
    const h = histogramOf([0, 1, 2, 3, 4], 2);
    assert.deepEqual(h, { min: 0, max: 4, counts: [2, 3] });
    assert.equal(binWidth(h), 2);
    assert.deepEqual(binCenters(h), [1, 3]);
  });

  test("all values equal: min == max, everything in bin 0; non-finite values skipped", () => {
    assert.deepEqual(histogramOf([2, 2, NaN, 2, Infinity], 3), {
      min: 2,
      max: 2,
      counts: [3, 0, 0],
    });
  });

  test("no finite values: an all-zero histogram at 0", () => {
    assert.deepEqual(histogramOf([], 2), { min: 0, max: 0, counts: [0, 0] });
  });

  test("bins must be a positive integer", () => {
    assert.throws(() => histogramOf([1], 0), /positive integer/);
  });
});

describe("coarsenHistogram (what the range plot draws)", () => {
  test("at most maxBins bins: the histogram itself", () => {
    const h = { min: 0, max: 1, counts: [1, 2, 3] };
    assert.equal(coarsenHistogram(h, 3), h);
  });

  test("7 bins into at most 3: groups of k = 3, the last padded; width 3w, max extended", () => {
    // w = 7/7 = 1; groups [0,3) [3,6) [6,9): counts 1+2+3, 4+5+6, 7 (+ two empty bins)
    const c = coarsenHistogram({ min: 0, max: 7, counts: [1, 2, 3, 4, 5, 6, 7] }, 3);
    assert.deepEqual(c, { min: 0, max: 9, counts: [6, 15, 7] });
    assert.equal(binWidth(c), 3);
  });

  test("a million bins: at most 1000 bars, same total, every value still under its bar", () => {
    const counts = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 13);
    const h = { min: -2, max: 3, counts };
    const c = coarsenHistogram(h);
    assert.equal(c.counts.length, 1000);
    assert.equal(
      c.counts.reduce((a, b) => a + b, 0),
      counts.reduce((a, b) => a + b, 0),
    );
    assert.equal(c.min, -2);
    assert.ok(Math.abs(c.max - 3) < 1e-9);
    // bar 123 covers [-2 + 123·5e-3, -2 + 124·5e-3): original bins 123000..123999
    assert.equal(
      c.counts[123],
      counts.slice(123_000, 124_000).reduce((a, b) => a + b, 0),
    );
  });

  test("maxBins must be a positive integer", () => {
    assert.throws(() => coarsenHistogram({ min: 0, max: 1, counts: [1] }, 0), /positive integer/);
  });
});

describe("array helpers for huge payload arrays", () => {
  test("minOf / maxOf work where Math.min(...a) overflows the stack", () => {
    const a = Array.from({ length: 1_000_000 }, (_, i) => Math.sin(i));
    assert.throws(() => Math.max(...a), RangeError);
    assert.equal(
      maxOf(a),
      a.reduce((m, v) => (v > m ? v : m), -Infinity),
    );
    assert.equal(
      minOf(a),
      a.reduce((m, v) => (v < m ? v : m), Infinity),
    );
    assert.equal(maxOf([]), -Infinity);
    assert.equal(minOf([]), Infinity);
  });

  test("strideIndices: all when few, else max evenly spaced, first index 0", () => {
    assert.deepEqual(strideIndices(3, 5), [0, 1, 2]);
    assert.deepEqual(strideIndices(10, 4), [0, 2, 5, 7]);
    const many = strideIndices(1_000_000, 5000);
    assert.equal(many.length, 5000);
    assert.equal(many[4999], 999_800);
  });
});

describe("dominatedBySpike", () => {
  test("a ReLU output's zero bin (600k) over a spread of ~10k bars: true", () => {
    assert.equal(dominatedBySpike([600_000, 9_000, 12_000, 8_000, 3_000]), true);
  });
  test("a bell-shaped histogram: false", () => {
    assert.equal(dominatedBySpike([100, 900, 4_000, 9_000, 4_100, 800, 90]), false);
  });
  test("at the ratio exactly: false; just above: true", () => {
    assert.equal(dominatedBySpike([100, 10, 0]), false);
    assert.equal(dominatedBySpike([101, 10, 0]), true);
  });
  test("one non-empty bin or none: false (nothing else to show)", () => {
    assert.equal(dominatedBySpike([0, 5_000, 0]), false);
    assert.equal(dominatedBySpike([]), false);
  });
});
