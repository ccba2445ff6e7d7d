/**
 * The `.tflite` files written from every case of cases.ts run in LiteRT (reference kernels,
 * `BUILTIN_REF`) and give tfjs `model.predict`'s outputs within 1e-5 of their scale, on seeded
 * random weights and 3 inputs in one invoke (LiteRT resizes the dynamic batch).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { layersModelToFloatModel } from "../../kernel/src/converter/tfjs";
import { writeModel } from "../../kernel/src/tflite";
import { runLiteRT } from "../helpers/litert";
import { CASES } from "./cases";
import { assertClose, predict, randomInputs, randomizeWeights } from "./helpers";

describe("tfjs LayersModel → .tflite, run in LiteRT, equals model.predict", () => {
  CASES.forEach((c, i) => {
    test(c.name, async () => {
      const model = c.build();
      try {
        randomizeWeights(model, 1000 + i);
        const inputs = randomInputs(model, 3, 2000 + i);
        const expected = predict(model, inputs);
        const bytes = writeModel(layersModelToFloatModel(model), { finalize: true });
        const result = await runLiteRT(bytes, inputs, { batch: 3 });
        assert.equal(result.invocations, 1);
        assertClose(result.outputs, expected, 1e-5, c.name);
      } finally {
        model.dispose();
        tf.disposeVariables();
      }
    });
  });
});
