// Cross-check of MovingAverageMinMaxObserver against TensorFlow 2.21's
// moving_averages.assign_moving_average as tfmot's MovingAvgQuantize uses it (zero-extended batch
// extremes, zero_debias=False, variables starting at ±6), recorded by
// test/fixtures/quant/make_quant_reference.py.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MovingAverageMinMaxObserver } from "./minmax";

interface Case {
  decay: number;
  initial: [number, number];
  batches: number[][];
  min: number[];
  max: number[];
}
const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..", "..");
const ref = JSON.parse(
  readFileSync(join(root, "test", "fixtures", "quant", "ema_reference.json"), "utf8"),
) as {
  cases: Case[];
};

for (const c of ref.cases) {
  test(`moving average with decay ${c.decay} equals TF's assign_moving_average step by step`, () => {
    const o = new MovingAverageMinMaxObserver({
      decay: c.decay,
      initial: { min: c.initial[0], max: c.initial[1] },
    });
    c.batches.forEach((batch, step) => {
      o.observe(Float32Array.from(batch));
      assert.equal(o.min, c.min[step], `step ${step} min`);
      assert.equal(o.max, c.max[step], `step ${step} max`);
    });
  });
}
