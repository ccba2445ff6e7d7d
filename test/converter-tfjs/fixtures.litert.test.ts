/**
 * tsquant's `.tflite` of the two fixture models (TF's weights, ./fixtures.ts) run in LiteRT:
 * the same outputs as TF's own file (its `ref` golden) on the first 100 fixture images, one
 * invoke per image as the goldens were made. (LiteRT resizing the dynamic batch: in
 * layers.litert.test.ts.)
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { layersModelToFloatModel } from "../../kernel/src/converter/tfjs";
import { writeModel } from "../../kernel/src/tflite";
import type { FixtureModel } from "../helpers/fixtures";
import { fixtureGolden, fixtureInputs } from "../helpers/fixtures";
import { runLiteRT } from "../helpers/litert";
import { everyOpCnnWithTfWeights, firstSamples, tutorialCnnWithTfWeights } from "./fixtures";
import { assertClose } from "./helpers";

const SAMPLES = 100;

async function check(name: FixtureModel, build: () => tf.LayersModel): Promise<void> {
  const model = build();
  try {
    const bytes = writeModel(layersModelToFloatModel(model), { finalize: true });
    const inputs = [firstSamples(fixtureInputs(name), SAMPLES)];
    const golden = firstSamples(fixtureGolden(name, "ref"), SAMPLES);
    const result = await runLiteRT(bytes, inputs);
    assert.equal(result.invocations, SAMPLES);
    assertClose(result.outputs, [golden], 1e-5, name);
  } finally {
    model.dispose();
    tf.disposeVariables();
  }
}

describe("tsquant's conversion of the fixture models runs in LiteRT with TF's outputs", () => {
  test("tutorial CNN", () => check("cnn_float32", tutorialCnnWithTfWeights));
  test("every-op model", () => check("everyop_float32", everyOpCnnWithTfWeights));
});
