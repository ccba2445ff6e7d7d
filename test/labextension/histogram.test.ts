import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { binCenters, binWidth, histogramOf } from "../../labextension/src/histogram";

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
