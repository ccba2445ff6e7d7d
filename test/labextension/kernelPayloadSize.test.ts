/**
 * "Large payloads (a million-element histogram request) are refused or downsampled by the kernel
 * side": what the kernel's bundles send for a million-bin histogram. The renderer copes either
 * way (it draws at most ~1000 bars and the browser test drags a million-bin range plot), but a
 * notebook should not store megabytes per output.
 *
 * rangeBundle re-bins such a histogram (kernel/src/display/bundles.ts `rebinHistogram`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { rangeBundle } from "../../kernel/src/display/bundles";
import type { RangePayload } from "../../kernel/src/display/payload";
import { TSQUANT_MIME } from "../../kernel/src/display/payload";
import { TsquantError } from "../../kernel/src/errors";

/** Generous: a payload histogram needs no more bins than a plot has pixels, a few thousand. */
const MAX_SENT_BINS = 16_384;

test("rangeBundle of a million-bin histogram refuses with a typed error or sends ≤ 16,384 bins", () => {
  const counts = Array.from({ length: 1_000_000 }, (_, i) => (i * 7919) % 13);
  const payload: RangePayload = {
    kind: "range",
    tensor: "big",
    histogram: { min: -1, max: 1, counts },
    range: { min: -1, max: 1 },
    bits: 8,
    symmetric: false,
    narrowRange: false,
    methods: [],
  };
  let sent: number;
  try {
    const bundle = rangeBundle(payload);
    sent =
      bundle[TSQUANT_MIME]?.kind === "range" ? bundle[TSQUANT_MIME].histogram.counts.length : 0;
  } catch (e) {
    assert.ok(e instanceof TsquantError, `a typed error: ${String(e)}`);
    assert.match(String(e), /1,?000,?000|bins/);
    return;
  }
  assert.ok(sent <= MAX_SENT_BINS, `the bundle carries ${sent} bins`);
  const out = rangeBundle(payload)[TSQUANT_MIME];
  assert.ok(out?.kind === "range");
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  assert.equal(sum(out.histogram.counts), sum(counts), "every value still counted");
  assert.ok(JSON.stringify(out).length < 200_000, "the stored output stays small");
});
