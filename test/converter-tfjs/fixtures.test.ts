/**
 * tsquant's conversion against TF's on the same Keras models with the same weights: the two
 * fixture models rebuilt in tfjs with the weights of TF's float `.tflite` files
 * (./fixtures.ts). Checks the op lists, that every constant buffer (weights, biases, shapes,
 * paddings, axes) is byte-identical to TF's, the file size (within 2 %), TF's golden outputs,
 * and the conversion time.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { layersModelToFloatModel } from "../../kernel/src/converter/tfjs";
import type { FixtureModel } from "../helpers/fixtures";
import type { Model } from "../../kernel/src/ir";
import { readModel, writeModel } from "../../kernel/src/tflite";
import {
  fixtureGolden,
  fixtureInputs,
  fixtureManifest,
  fixtureModelBytes,
} from "../helpers/fixtures";
import { everyOpCnnWithTfWeights, firstSamples, tutorialCnnWithTfWeights } from "./fixtures";
import { assertClose, interpret, opList, predict, relativeError } from "./helpers";

/** Every constant buffer of the model, as hex strings, sorted. */
function constants(model: Model): string[] {
  const sg = model.subgraphs[0];
  if (sg === undefined) return [];
  return sg.tensors
    .map((t) => model.buffers[t.buffer]?.data ?? null)
    .filter((d): d is Uint8Array => d !== null)
    .map((d) => Buffer.from(d).toString("hex"))
    .sort();
}

const SAMPLES = 50;

function compare(name: FixtureModel, build: () => tf.LayersModel, sameOrder: boolean): void {
  const entry = fixtureManifest().models[name];
  const model = build();
  try {
    const ref = readModel(fixtureModelBytes(name));
    // TF converted a batch-1 copy: compare with batchSize 1 (static shapes, as TF wrote).
    const static1 = layersModelToFloatModel(model, { batchSize: 1 });
    if (sameOrder) assert.deepEqual(opList(static1), entry.ops);
    else assert.deepEqual([...opList(static1)].sort(), [...entry.ops].sort());
    assert.deepEqual(constants(static1), constants(ref));

    const dynamic = layersModelToFloatModel(model);
    for (const [what, ir] of [
      ["batch 1", static1],
      ["dynamic batch", dynamic],
    ] as const) {
      const size = writeModel(ir, { finalize: true }).length;
      const off = Math.abs(size - entry.bytes) / entry.bytes;
      assert.ok(
        off < 0.02,
        `${what}: ${size} bytes vs TF's ${entry.bytes} (${(off * 100).toFixed(2)} %)`,
      );
    }

    const inputs = [firstSamples(fixtureInputs(name), SAMPLES)];
    const golden = firstSamples(fixtureGolden(name, "ref"), SAMPLES);
    const ours = interpret(dynamic, inputs);
    assertClose(ours, [golden], 1e-5, `${name}: tsquant's conversion vs TF's golden`);
    // The tfjs model with TF's weights computes what TF's file computes (a check of ./fixtures.ts).
    assertClose(predict(model, inputs), [golden], 1e-5, `${name}: tfjs vs TF's golden`);
  } finally {
    model.dispose();
    tf.disposeVariables();
  }
}

describe("against TF's converter on the fixture models (same weights)", () => {
  test("tutorial CNN: TF's op list and order, identical constants, size within 2 %, TF's outputs", () => {
    compare("cnn_float32", tutorialCnnWithTfWeights, true);
  });

  test("every-op model: TF's ops (branch order may differ), identical constants, size within 2 %, TF's outputs", () => {
    compare("everyop_float32", everyOpCnnWithTfWeights, false);
  });

  test("the tutorial CNN's outputs equal TF's golden to float32 summation order", () => {
    const model = tutorialCnnWithTfWeights();
    try {
      const inputs = [firstSamples(fixtureInputs("cnn_float32"), SAMPLES)];
      const golden = firstSamples(fixtureGolden("cnn_float32", "ref"), SAMPLES);
      const [ours] = interpret(layersModelToFloatModel(model), inputs);
      assert.ok(ours !== undefined);
      // Same weights, same graph, same float32 kernels as LiteRT's reference: bit-identical.
      assert.equal(relativeError(ours, golden), 0);
    } finally {
      model.dispose();
      tf.disposeVariables();
    }
  });

  test("converting the tutorial CNN takes milliseconds", () => {
    const model = tutorialCnnWithTfWeights();
    try {
      layersModelToFloatModel(model); // warm-up (JIT)
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        layersModelToFloatModel(model);
        times.push(performance.now() - t0);
      }
      const best = Math.min(...times);
      // Measured ~3 ms on 2 shared cores; TF's converter takes ~0.3 s per mode.
      assert.ok(best < 50, `best of 5: ${best.toFixed(1)} ms`);
    } finally {
      model.dispose();
      tf.disposeVariables();
    }
  });
});
