/**
 * Every supported layer and combination (cases.ts): the converted float IR has TF's op list,
 * and tsquant's interpreter gives the outputs of tfjs `model.predict` within 1e-5 of their
 * scale, on seeded random weights and 3 seeded random inputs run as one batch (the dynamic
 * batch at work) — both on the IR and on the bytes `writeModel` makes of it.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { layersModelToFloatModel } from "../../kernel/src/converter/tfjs";
import { writeModel } from "../../kernel/src/tflite";
import { CASES } from "./cases";
import { assertClose, interpret, opList, predict, randomInputs, randomizeWeights } from "./helpers";

describe("tfjs LayersModel → float IR, run in tsquant's interpreter, equals model.predict", () => {
  CASES.forEach((c, i) => {
    test(c.name, () => {
      const model = c.build();
      try {
        randomizeWeights(model, 1000 + i);
        const inputs = randomInputs(model, 3, 2000 + i);
        const expected = predict(model, inputs);
        const ir = layersModelToFloatModel(model);
        assert.deepEqual(opList(ir), c.ops);
        assertClose(interpret(ir, inputs), expected, 1e-5, `${c.name} (IR)`);
        assertClose(
          interpret(writeModel(ir, { finalize: true }), inputs),
          expected,
          1e-5,
          `${c.name} (bytes)`,
        );
      } finally {
        model.dispose();
        tf.disposeVariables();
      }
    });
  });
});
