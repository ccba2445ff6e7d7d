/**
 * Every case of cases.ts in LiteRT (reference kernels, `BUILTIN_REF`): outputs within 1e-5 of
 * tfjs `model.predict`'s scale, on seeded random weights and 3 inputs in one invoke (LiteRT
 * resizes the dynamic batch).
 *
 * NOTE: one LiteRT process for all cases (half a second of Python start-up each would be most
 * of this suite's time): the cases are nested side by side in one functional model, each on its
 * own inputs, their outputs the model's outputs. Nesting changes no op (a nested model is walked
 * in place) and every case's outputs stay graph outputs, so each case is converted as on its
 * own; the expected values come from each case model's own `predict`. The standalone files of
 * the two fixture models run in LiteRT in fixtures.litert.test.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { layersModelToFloatModel } from "../../kernel/src/converter/tfjs";
import type { NDArray } from "../../kernel/src/ir";
import { writeModel } from "../../kernel/src/tflite";
import { runLiteRT } from "../helpers/litert";
import { CASES } from "./cases";
import { assertClose, opList, predict, randomInputs, randomizeWeights } from "./helpers";

test("every layer case, converted and written, runs in LiteRT and equals model.predict", async () => {
  const models = CASES.map((c, i) => {
    const model = c.build();
    randomizeWeights(model, 1000 + i);
    return model;
  });
  const inputs: NDArray[][] = [];
  const expected: NDArray[][] = [];
  const symbolicInputs: tf.SymbolicTensor[] = [];
  const symbolicOutputs: tf.SymbolicTensor[] = [];
  let bytes: Uint8Array;
  try {
    models.forEach((model, i) => {
      const x = randomInputs(model, 3, 2000 + i);
      inputs.push(x);
      expected.push(predict(model, x));
      const xs = model.inputs.map((t) => tf.input({ shape: t.shape.slice(1).map((d) => d ?? 1) }));
      const ys = model.apply(xs.length === 1 ? (xs[0] ?? []) : xs) as
        tf.SymbolicTensor | tf.SymbolicTensor[];
      symbolicInputs.push(...xs);
      symbolicOutputs.push(...(Array.isArray(ys) ? ys : [ys]));
    });
    const all = tf.model({ inputs: symbolicInputs, outputs: symbolicOutputs });
    const ir = layersModelToFloatModel(all);
    // Side by side, each case's ops are its own: the op list is the cases' lists in order.
    assert.deepEqual(
      opList(ir),
      CASES.flatMap((c) => c.ops),
    );
    bytes = writeModel(ir, { finalize: true });
  } finally {
    models.forEach((m) => m.dispose());
    tf.disposeVariables();
  }
  const result = await runLiteRT(bytes, inputs.flat(), { batch: 3 });
  assert.equal(result.invocations, 1);
  let k = 0;
  CASES.forEach((c, i) => {
    const want = expected[i] ?? [];
    assertClose(result.outputs.slice(k, k + want.length), want, 1e-5, c.name);
    k += want.length;
  });
  assert.equal(k, result.outputs.length);
});
