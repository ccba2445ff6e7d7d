import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { DataFormatError, UsageError } from "../errors";
import { chooseQuantParams } from "../quant/params";
import { Histogram } from "./histogram";
import { MinMaxObserver, MovingAverageMinMaxObserver } from "./minmax";
import { HistogramObserver, MseObserver, PercentileObserver } from "./histogramObservers";
import { EntropyObserver } from "./entropy";
import { type Observer, PerAxisObserver } from "./observer";
import { histogramPayload } from "./payload";

const f32 = Math.fround;

/** Deterministic standard normal samples (LCG + Box–Muller), so tests never flake. */
function gaussian(n: number, seed = 1): Float32Array {
  let s = seed;
  const uniform = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s + 0.5) / 2147483648;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++)
    out[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  return out;
}

describe("MinMaxObserver", () => {
  test("global min/max over batches; qparams through chooseQuantParams", () => {
    const o = new MinMaxObserver();
    o.observe([1, -2]);
    o.observe(new Float32Array([3, 0.5]));
    assert.deepEqual(o.computeRange(), { min: -2, max: 3 });
    assert.deepEqual(o.computeQParams(), chooseQuantParams(-2, 3));
    assert.equal(o.count, 4);
  });
  test("merge, reset, and no range before data", () => {
    const a = new MinMaxObserver();
    const b = new MinMaxObserver();
    a.observe([1, 2]);
    b.observe([-4, 0]);
    a.merge(b);
    assert.deepEqual(a.computeRange(), { min: -4, max: 2 });
    a.reset();
    assert.throws(() => a.computeRange(), UsageError);
  });
  test("NaN and Infinity are DataFormatErrors naming the tensor and index", () => {
    const o = new MinMaxObserver({ name: "conv1/Relu" });
    assert.throws(
      () => o.observe([1, NaN, 2]),
      (e: unknown) =>
        e instanceof DataFormatError && /"conv1\/Relu": value NaN at index 1/.test(e.message),
    );
    assert.throws(() => o.observe([Infinity]), DataFormatError);
  });
});

describe("MovingAverageMinMaxObserver (tfmot EMA)", () => {
  test("decay 0.5: first batch initializes, then var ← var − (var − value)·0.5 with zero-extended batch extremes", () => {
    const o = new MovingAverageMinMaxObserver({ decay: 0.5 });
    o.observe([-1, 2]);
    o.observe([1, 4]); // batch range zero-extended to [0, 4]
    // min: −1 − (−1 − 0)·0.5 = −0.5; max: 2 − (2 − 4)·0.5 = 3
    assert.deepEqual(o.computeRange(), { min: -0.5, max: 3 });
  });
  test("tfmot start at ±6 with decay 0.999, in float32", () => {
    const o = new MovingAverageMinMaxObserver({ initial: { min: -6, max: 6 } });
    o.observe([0, 1]);
    // rate = f32(1 − 0.999); min = f32(−6 − f32(f32(−6 − 0)·rate)); max = f32(6 − f32(f32(6 − 1)·rate))
    const rate = f32(1 - 0.999);
    assert.equal(o.min, f32(-6 - f32(-6 * rate)));
    assert.equal(o.max, f32(6 - f32(5 * rate)));
  });
  test("observedRange is the exact data extent, not the average; merge and reset keep it", () => {
    const o = new MovingAverageMinMaxObserver({ decay: 0.5 });
    assert.throws(() => o.observedRange(), UsageError);
    o.observe([-1, 2]);
    o.observe([1, 4]);
    assert.deepEqual(o.computeRange(), { min: -0.5, max: 3 });
    assert.deepEqual(o.observedRange(), { min: -1, max: 4 });
    const other = new MovingAverageMinMaxObserver({ decay: 0.5 });
    other.observe([-3, 0.5]);
    o.merge(other);
    assert.deepEqual(o.observedRange(), { min: -3, max: 4 });
    o.reset();
    assert.throws(() => o.observedRange(), UsageError);
  });
});

describe("an observer computes its own quantization parameters", () => {
  test("computeQParams(range) maps a given range with the observer's options", () => {
    const o = new MinMaxObserver({ qparams: { symmetric: true, role: "weight" } });
    o.observe([-2, 1]);
    assert.deepEqual(
      o.computeQParams({ min: -4, max: 4 }),
      chooseQuantParams(-4, 4, { symmetric: true, role: "weight" }),
    );
    assert.deepEqual(
      o.computeQParams(),
      chooseQuantParams(-2, 1, { symmetric: true, role: "weight" }),
    );
  });
  test("observedRange: min/max and histogram observers report the exact extent; clipping ones too", () => {
    const x = Float32Array.from([-1, 0.25, 3, 100]);
    for (const o of [
      new MinMaxObserver(),
      new HistogramObserver(),
      new PercentileObserver({ percentile: 60 }),
    ]) {
      o.observe(x);
      assert.deepEqual(o.observedRange(), { min: -1, max: 100 }, o.kind);
    }
    const p = new PercentileObserver({ percentile: 60 });
    p.observe(x);
    assert.ok(p.computeRange().max < 100, "the percentile range clips the outlier");
  });
  test("histogram: kept by histogram observers, absent on min/max ones", () => {
    const plain: Observer = new MinMaxObserver();
    assert.equal(plain.histogram, undefined);
    assert.ok(new EntropyObserver().histogram instanceof Histogram);
  });
});

describe("Histogram (growing by doubling)", () => {
  test("hand-traced growth to the right and to the left keeps counts exact", () => {
    const h = new Histogram(4);
    h.add([0, 1, 2, 3], 0, 3); // [0, 3], width 0.75: bins 0, 1, 2, 3
    assert.deepEqual([...h.counts], [1, 1, 1, 1]);
    h.add([7], 7, 7); // → [0, 6]: [2, 2, 0, 0] → [0, 12]: [4, 0, 0, 0]; 7 → bin ⌊7/3⌋ = 2
    assert.deepEqual([h.lo, h.hi], [0, 12]);
    assert.deepEqual([...h.counts], [4, 0, 1, 0]);
    h.add([-5], -5, -5); // → [−12, 12]: pairs merged into the upper half: [0, 0, 4, 1]; −5 → bin 1
    assert.deepEqual([h.lo, h.hi], [-12, 12]);
    assert.deepEqual([...h.counts], [0, 1, 4, 1]);
    assert.deepEqual([h.min, h.max, h.total], [-5, 7, 6]);
  });
  test("all-zero data first, then real data: zeros stay in the bin holding 0", () => {
    const h = new Histogram(8);
    h.add([0, 0, 0], 0, 0);
    h.add([1], 1, 1);
    assert.equal(h.total, 4);
    assert.equal(h.counts[0], 3);
    assert.ok(h.hi >= 1 && h.hi < 2);
  });
  test("quantile interpolates inside bins and hits exact min/max at 0 and 1", () => {
    const h = new Histogram(1000);
    const x = Float32Array.from({ length: 1000 }, (_, i) => i);
    h.add(x, 0, 999);
    assert.ok(Math.abs(h.quantile(0.5) - 500) <= 1);
    assert.equal(h.quantile(0), 0);
    assert.equal(h.quantile(1), 999);
  });
  test("merge re-bins the other histogram proportionally; totals add up", () => {
    const a = new Histogram(16);
    const b = new Histogram(16);
    a.add([0, 1, 2], 0, 2);
    b.add([-3, 5], -3, 5);
    a.merge(b);
    assert.equal(a.total, 5);
    assert.ok(Math.abs(a.counts.reduce((s, c) => s + c, 0) - 5) < 1e-9);
    assert.deepEqual([a.min, a.max], [-3, 5]);
    assert.ok(a.lo <= -3 && a.hi >= 5);
  });
});

describe("clipping observers", () => {
  const bulk = Float32Array.from({ length: 10000 }, (_, i) => i / 10000);
  test("HistogramObserver range is the exact min/max", () => {
    const o = new HistogramObserver();
    o.observe(bulk);
    o.observe([100]);
    assert.deepEqual(o.computeRange(), { min: 0, max: 100 });
  });
  test("PercentileObserver 99.9 drops a lone outlier", () => {
    const o = new PercentileObserver({ percentile: 99.9 });
    o.observe(bulk);
    o.observe([100]);
    const r = o.computeRange();
    assert.ok(r.max < 1.1 && r.max > 0.9, `max ${r.max}`);
    assert.ok(r.min >= 0 && r.min < 0.01);
  });
  test("MseObserver keeps a full range for uniform data and clips far outliers", () => {
    const u = new MseObserver();
    const sym = Float32Array.from({ length: 20001 }, (_, i) => i / 10000 - 1);
    u.observe(sym);
    const r = u.computeRange();
    assert.ok(r.max >= 0.9 && r.min <= -0.9, `uniform [-1,1] → ${r.min}, ${r.max}`);
    // Squared error weighs a lone far outlier heavily, so it is not clipped; at 4 bits, though,
    // the MSE-optimal range for Gaussian data is about ±2.5σ, well inside the sample max (~4.4σ).
    const o = new MseObserver({ qparams: { bits: 4 } });
    o.observe(gaussian(100000, 3));
    const c = o.computeRange();
    assert.ok(c.max > 1.5 && c.max < 3.5, `4-bit gaussian → ${c.min}, ${c.max}`);
    assert.ok(o.expectedError(c.min, c.max) <= o.expectedError(o.histogram.min, o.histogram.max));
  });
  test("EntropyObserver clips gaussian tails: threshold between 2σ and 8σ", () => {
    const o = new EntropyObserver();
    const x = gaussian(100000);
    o.observe(x);
    o.observe([40, -40]);
    const r = o.computeRange();
    assert.ok(r.max > 2 && r.max < 8, `max ${r.max}`);
    assert.ok(r.min < -2 && r.min > -8, `min ${r.min}`);
  });
  test("EntropyObserver on non-negative data keeps the data's min (only the top is clipped)", () => {
    const o = new EntropyObserver();
    o.observe(gaussian(50000, 7).map(Math.abs));
    const r = o.computeRange();
    assert.equal(r.min, o.histogram.min);
    assert.ok(r.max > 1);
  });
});

describe("PerAxisObserver", () => {
  test("slices along axis 1 of [2, 3] get their own ranges", () => {
    const o = new PerAxisObserver(() => new MinMaxObserver(), 1, { qparams: { role: "weight" } });
    o.observe([1, -2, 3, -4, 5, 0.5], [2, 3]);
    const r = o.computeRange();
    assert.deepEqual(r.min, [-4, -2, 0.5]);
    assert.deepEqual(r.max, [1, 5, 3]);
    assert.deepEqual(
      o.computeQParams(),
      chooseQuantParams([-4, -2, 0.5], [1, 5, 3], { role: "weight", axis: 1 }),
    );
  });
  test("a batch whose shape disagrees is a UsageError naming the shapes", () => {
    const o = new PerAxisObserver(() => new MinMaxObserver(), 0);
    o.observe([1, 2], [2, 1]);
    assert.throws(
      () => o.observe([1, 2, 3], [3, 1]),
      /dimension 0 has size 3 but earlier batches had 2/,
    );
    assert.throws(() => o.observe([1, 2, 3], [2, 1]), UsageError);
  });
});

describe("display payloads", () => {
  test("histogramPayload trims empty bins at both ends and keeps bin edges", () => {
    // lo 0, hi 8, 8 bins of width 1: counts at bins 2..4
    const p = histogramPayload({
      lo: 0,
      hi: 8,
      counts: [0, 0, 1, 0, 2, 0, 0, 0],
      min: 2.5,
      max: 4.5,
      total: 3,
    });
    assert.deepEqual(p, { min: 2, max: 5, counts: [1, 0, 2] });
  });
});
