// evaluate(): predictions equal the argmax of LiteRT's goldens (the fixtures' TF-tutorial inputs),
// "round" feeds the TFLite-quantized pixels, the CLI's eval prints the same accuracy, progress
// stays at ~20 updates for 10,000 images, and an interrupt stops it with the model still usable.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { mnist } from "../data/datasets";
import { Interpreter } from "../interpreter/interpreter";
import type { NDArray } from "../ir";
import { InterruptedError, nextCellSignal, runInCell } from "../services/context";
import { ShapeError, UsageError } from "../errors";
import { evaluate } from "./evaluate";
import {
  type FixtureModel,
  fixtureGolden,
  fixtureModelBytes,
  fixtureModelPath,
  mnistTest300Float32,
  mnistTest300Labels,
  mnistTest300Uint8,
} from "../../../test/helpers/fixtures";

const root = join(__dirname, "..", "..", "..");

/** argmax of each row of a [n, classes] golden (first maximum on ties, as np.argmax). */
function goldenArgmax(g: NDArray): Int32Array {
  const classes = g.shape[g.shape.length - 1] ?? 1;
  const n = g.data.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) {
      if (Number(g.data[i * classes + k]) > Number(g.data[i * classes + best])) best = k;
    }
    out[i] = best;
  }
  return out;
}

describe("evaluate", () => {
  const images = mnistTest300Float32();
  const labels = mnistTest300Labels();

  // The goldens' integer inputs are the tutorial's truncated `x / scale + zero_point`; float
  // models take the images as they are.
  const cases: [FixtureModel, "round" | "truncate"][] = [
    ["cnn_float32", "round"],
    ["cnn_int8", "round"],
    ["cnn_int8_only_uint8_io", "truncate"],
    ["everyop_int8_only_int8_io", "truncate"],
  ];
  for (const [name, inputRounding] of cases) {
    test(`${name}: predictions equal the argmax of LiteRT's reference outputs`, async () => {
      const r = await evaluate(fixtureModelBytes(name), images, labels, { inputRounding });
      assert.deepEqual(r.predictions, goldenArgmax(fixtureGolden(name, "ref")));
      assert.equal(r.total, 300);
      let correct = 0;
      r.predictions.forEach((p, i) => (correct += p === labels.data[i] ? 1 : 0));
      assert.equal(r.correct, correct);
      assert.equal(r.accuracy, correct / 300);
      assert.ok(r.msPerImage > 0);
    });
  }

  test('uint8 input, inputRounding "round": the raw pixels are fed (round(fl32(u/255) / fl32(1/255)) = u)', async () => {
    const name: FixtureModel = "cnn_int8_only_uint8_io";
    const pixels = mnistTest300Uint8();
    const interp = new Interpreter({ modelContent: fixtureModelBytes(name) });
    interp.allocateTensors();
    const input = interp.getInputDetails()[0];
    const output = interp.getOutputDetails()[0];
    const expected = new Int32Array(300);
    for (let i = 0; i < 300; i++) {
      interp.setTensor(input.index, pixels.data.slice(i * 784, (i + 1) * 784) as Uint8Array);
      interp.invoke();
      const y = interp.getTensor(output.index).data;
      let best = 0;
      for (let k = 1; k < y.length; k++) if (Number(y[k]) > Number(y[best])) best = k;
      expected[i] = best;
    }
    // uint8 pixels and their float32 images give the same feed.
    const fromPixels = await evaluate(fixtureModelBytes(name), pixels, labels);
    const fromFloats = await evaluate(
      new Interpreter({ modelContent: fixtureModelBytes(name) }),
      images,
      labels.data,
    );
    assert.deepEqual(fromPixels.predictions, expected);
    assert.deepEqual(fromFloats.predictions, expected);
  });

  test("the CLI's eval reports the same accuracy on the same images", async () => {
    const name: FixtureModel = "cnn_int8";
    const api = await evaluate(fixtureModelBytes(name), images, labels);
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "kernel", "src", "cli", "main.ts"),
        "eval",
        fixtureModelPath(name),
        "--images",
        join(root, "test", "fixtures", "data", "mnist_test300_images_uint8.npy"),
        "--labels",
        join(root, "test", "fixtures", "data", "mnist_test300_labels.npy"),
        "--json",
      ],
      { cwd: root, encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    const cli = JSON.parse(r.stdout) as { images: number; correct: number; accuracy: number };
    assert.deepEqual([cli.images, cli.correct, cli.accuracy], [300, api.correct, api.accuracy]);
  });

  test("10,000 MNIST test images in a cell: one progress output, at most ~20 updates", async () => {
    const test10k = mnist().test;
    const sent: [string, Record<string, unknown>][] = [];
    const cell = {
      executionCount: 1,
      signal: nextCellSignal(),
      publish: (t: string, c: Record<string, unknown>) => sent.push([t, c]),
    };
    const r = await runInCell(cell, () => evaluate(fixtureModelBytes("cnn_float32"), test10k));
    // The fixture README: 97.18 % through LiteRT; tsquant's float kernels agree on the argmax.
    assert.equal(r.total, 10000);
    assert.ok(Math.abs(r.accuracy - 0.9718) <= 0.0002, `accuracy ${r.accuracy}`);
    const ids = new Set(sent.map(([, c]) => JSON.stringify(c["transient"])));
    assert.equal(ids.size, 1, "one display id");
    assert.equal(sent[0]?.[0], "display_data");
    assert.ok(sent.slice(1).every(([t]) => t === "update_display_data"));
    assert.ok(sent.length >= 2 && sent.length <= 22, `${sent.length} messages`);
    const last = sent[sent.length - 1]?.[1]["data"] as Record<
      string,
      { status?: string; done?: number }
    >;
    const payload = last["application/vnd.tsquant.v1+json"];
    assert.equal(payload?.status, "done");
    assert.equal(payload?.done, 10000);
  });

  test("an aborted signal stops it with InterruptedError; the interpreter still works", async () => {
    const interp = new Interpreter({ modelContent: fixtureModelBytes("cnn_int8") });
    const test10k = mnist().test;
    const controller = new AbortController();
    let seen = 0;
    const run = evaluate(interp, test10k, undefined, {
      signal: controller.signal,
      progress: false,
      onProgress: (done) => {
        seen = done;
        if (done >= 1000) controller.abort(new InterruptedError());
      },
    });
    await assert.rejects(run, InterruptedError);
    assert.ok(seen >= 1000 && seen < 10000, `stopped after ${seen}`);
    const again = await evaluate(interp, images, labels, { limit: 50 });
    assert.equal(again.total, 50);
  });

  test("bad input: wrong image size, label count, missing labels, bad limit", async () => {
    const model = fixtureModelBytes("cnn_float32");
    await assert.rejects(
      evaluate(model, new Float32Array(10 * 100), new Int32Array(10)),
      (e: unknown) =>
        e instanceof ShapeError && /takes \[28, 28\] \(784 values\) per image/.test(e.message),
    );
    await assert.rejects(
      evaluate(model, images, new Int32Array(299)),
      /ShapeError|299 labels for 300 images/,
    );
    await assert.rejects(evaluate(model, images), UsageError);
    await assert.rejects(
      evaluate(model, images, labels, { limit: 0 }),
      /limit must be a positive integer/,
    );
    // A flat array with an explicit per-image shape is fine.
    const flat = await evaluate(model, images.data as Float32Array, labels, {
      shape: [28, 28],
      limit: 5,
    });
    assert.equal(flat.total, 5);
  });
});
