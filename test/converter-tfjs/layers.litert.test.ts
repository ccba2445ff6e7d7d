/**
 * The `.tflite` files written from every case of cases.ts run in LiteRT (reference kernels,
 * `BUILTIN_REF`) and give tfjs `model.predict`'s outputs within 1e-5 of their scale, on seeded
 * random weights and 3 inputs in one invoke (LiteRT resizes the dynamic batch).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { layersModelToFloatModel } from "../../kernel/src/converter/tfjs";
import { writeModel } from "../../kernel/src/tflite";
import { runLiteRT } from "../helpers/litert";
import { CASES } from "./cases";
import { assertClose, predict, randomInputs, randomizeWeights } from "./helpers";

describe(
  "tfjs LayersModel → .tflite, run in LiteRT, equals model.predict",
  { concurrency: 2 },
  () => {
    CASES.forEach((c, i) => {
      test(c.name, async () => {
        // All tfjs work happens before the first await, so concurrent cases never share tfjs state.
        const model = c.build();
        let inputs, expected, bytes;
        try {
          randomizeWeights(model, 1000 + i);
          inputs = randomInputs(model, 3, 2000 + i);
          expected = predict(model, inputs);
          bytes = writeModel(layersModelToFloatModel(model), { finalize: true });
        } finally {
          model.dispose();
        }
        const result = await runLiteRT(bytes, inputs, { batch: 3 });
        assert.equal(result.invocations, 1);
        assertClose(result.outputs, expected, 1e-5, c.name);
      });
    });
  },
);
