// calibrate() on the fixture float models with TF's representative dataset (the first 100 MNIST
// training images): the per-tensor min/max must match TFLite's own calibrator
// (test/fixtures/quant/calibration_reference.json) and the parameters chosen from them must equal
// those TF wrote.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DataFormatError, ShapeError, UsageError } from "../errors";
import { mnist } from "../data/datasets";
import { readModel } from "../tflite/reader";
import { chooseQuantParams } from "../quant/params";
import { calibrate, type Sample } from "./calibrate";

const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..", "..");
const fixtures = join(root, "test", "fixtures");
const reference = JSON.parse(
  readFileSync(join(fixtures, "quant", "calibration_reference.json"), "utf8"),
) as {
  models: {
    model: string;
    inputShape: number[];
    tensors: { name: string; min: number; max: number; scale?: number[]; zeroPoint?: number[] }[];
  }[];
};

function representative(shape: number[]): Sample[] {
  const train = mnist().train;
  const x = train.asFloat().data; // fl32(u8 / 255), as numpy
  return Array.from({ length: 100 }, (_, i) => [
    { data: x.slice(i * 784, (i + 1) * 784), shape, dtype: "float32" as const },
  ]);
}

describe("calibrate matches TFLite's calibrator", () => {
  for (const m of reference.models) {
    test(`${m.model}: min/max of every activation over 100 samples`, async () => {
      const model = readModel(
        new Uint8Array(readFileSync(join(fixtures, "models", `${m.model}.tflite`))),
      );
      const result = await calibrate(model, representative(m.inputShape));
      assert.equal(result.samples, 100);
      let exact = 0;
      const aliased: string[] = [];
      for (const t of m.tensors) {
        const mine = result.get(t.name);
        assert.ok(mine, `tensor ${t.name} calibrated`);
        assert.ok(mine.histogram !== null && mine.histogram.total === mine.count);
        // Float kernels may sum in another order than TF's: allow a few float32 ulps.
        const tol = (v: number): number => 4 * 2 ** -23 * Math.max(1, Math.abs(v));
        const close =
          Math.abs(mine.min - t.min) <= tol(t.min) && Math.abs(mine.max - t.max) <= tol(t.max);
        if (!close) {
          // NOTE: TF's calibrator reads some tensors after an in-place op (ADD) has overwritten
          // them, so it records the later tensor's range (a RELU6 output with min −19.5). Such a
          // tensor's TF range is exactly another tensor's; anything else is a real mismatch.
          const other = m.tensors.find(
            (o) => o.name !== t.name && o.min === t.min && o.max === t.max,
          );
          assert.ok(other, `${t.name}: [${mine.min}, ${mine.max}] vs TF [${t.min}, ${t.max}]`);
          aliased.push(t.name);
          continue;
        }
        if (mine.min === t.min && mine.max === t.max) {
          exact++;
          if (t.scale !== undefined) {
            const p = chooseQuantParams(mine.min, mine.max);
            if (p.scale === t.scale[0]) assert.equal(p.zeroPoint, t.zeroPoint?.[0]);
          }
        }
      }
      assert.ok(aliased.length <= 2, `aliased in TF: ${aliased.join(", ")}`);
      console.log(
        `# ${m.model}: ${exact} of ${m.tensors.length} min/max bit-exact with TF, ${aliased.length} aliased in TF`,
      );
      assert.ok(exact >= m.tensors.length / 2, `${exact} of ${m.tensors.length} bit-exact`);
    });
  }
});

describe("calibrate: methods, dataset forms and errors", () => {
  const model = readModel(
    new Uint8Array(readFileSync(join(fixtures, "models", "cnn_float32.tflite"))),
  );
  const samples = representative([1, 28, 28]).slice(0, 8);

  test("a generator function, an async iterable, and batches of 4 give the same min/max", async () => {
    const fromArray = await calibrate(model, samples);
    const fromGenerator = await calibrate(model, function* () {
      yield* samples;
    });
    const fromAsync = await calibrate(
      model,
      (async function* () {
        for (const s of samples) yield s;
      })(),
    );
    const batched: Sample[] = [0, 4].map((k) => {
      const data = new Float32Array(4 * 784);
      for (let j = 0; j < 4; j++) {
        const s = samples[k + j][0];
        if (!("shape" in s) || Array.isArray(s)) throw new Error("unreachable");
        data.set(s.data as Float32Array, j * 784);
      }
      return [{ data, shape: [4, 28, 28], dtype: "float32" as const }];
    });
    const fromBatches = await calibrate(model, batched);
    for (const r of [fromGenerator, fromAsync, fromBatches]) {
      for (const t of fromArray.tensors) {
        assert.equal(r.get(t.name)?.min, t.min);
        assert.equal(r.get(t.name)?.max, t.max);
      }
    }
    assert.equal(fromBatches.samples, 2);
  });

  test("every method yields a range inside [min, max] and int8 parameters; samples limits the count", async () => {
    for (const method of [
      "minmax",
      "movingAverage",
      "histogram",
      "percentile",
      "entropy",
      "mse",
    ] as const) {
      const r = await calibrate(model, samples, { method, samples: 2, bins: 256 });
      assert.equal(r.samples, 2);
      for (const t of r.tensors) {
        if (t.constant) continue;
        assert.ok(
          t.range.min >= t.min - 1e-6 && t.range.max <= t.max + 1e-6,
          `${method} ${t.name}`,
        );
        assert.ok(t.qparams.scale > 0);
      }
    }
  });

  test("wrong shape, rank, dtype and input count are ShapeErrors naming the input", async () => {
    const name = "serving_default_image:0";
    await assert.rejects(
      calibrate(model, [[{ data: new Float32Array(27 * 28), shape: [1, 27, 28] }]]),
      (e: unknown) =>
        e instanceof ShapeError &&
        e.message.includes(name) &&
        /expected shape \[1, 28, 28\].*found \[1, 27, 28\]/.test(e.message),
    );
    await assert.rejects(
      calibrate(model, [[{ data: new Float32Array(784), shape: [784] }]]),
      ShapeError,
    );
    await assert.rejects(
      calibrate(model, [[new Int8Array(784)]]),
      (e: unknown) =>
        e instanceof ShapeError &&
        /expected float32 \(Float32Array\), found Int8Array/.test(e.message),
    );
    await assert.rejects(
      calibrate(model, [[new Float32Array(784), new Float32Array(784)]]),
      /has 2 inputs; the model has 1/,
    );
  });

  test("NaN in a sample is a DataFormatError; an empty dataset is a UsageError", async () => {
    const bad = new Float32Array(784);
    bad[5] = NaN;
    await assert.rejects(
      calibrate(model, [[bad]]),
      (e: unknown) => e instanceof DataFormatError && /flat index 5/.test(e.message),
    );
    await assert.rejects(calibrate(model, []), UsageError);
  });
});
