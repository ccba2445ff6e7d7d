// Cross-check of the KL-divergence calibrator against the numpy reference implementation in
// test/fixtures/quant/make_quant_reference.py, on fixed histograms recorded there.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { entropyThreshold } from "./entropy";

interface Case {
  name: string;
  counts: number[];
  width: number;
  numQuantizedBins: number;
  threshold: number;
  bins: number;
  divergence: (number | null)[];
}

const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..", "..");
const ref = JSON.parse(
  readFileSync(join(root, "test", "fixtures", "quant", "entropy_reference.json"), "utf8"),
) as { cases: Case[] };

for (const c of ref.cases) {
  test(`entropyThreshold equals the reference: ${c.name}`, () => {
    const r = entropyThreshold(c.counts, c.width, c.numQuantizedBins);
    assert.equal(r.bins, c.bins);
    assert.equal(r.threshold, c.threshold);
    assert.equal(r.divergence.length, c.divergence.length);
    for (let i = 0; i < c.divergence.length; i++) {
      const expected = c.divergence[i] ?? Infinity;
      const actual = r.divergence[i];
      if (!Number.isFinite(expected)) assert.equal(actual, Infinity);
      else
        assert.ok(
          Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)),
          `D(${i}): ${actual} vs ${expected}`,
        );
    }
  });
}
