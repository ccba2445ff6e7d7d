// Files written by writeModel run in the official LiteRT runtime (project .venv): TF fixtures
// rewritten with 16-byte-aligned data give TF's golden outputs exactly, and a model built in
// memory (finalizeModel + writeModel) loads and computes what its weights say.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { NDArray } from "../ir";
import {
  fixtureGolden,
  fixtureInputs,
  fixtureModelBytes,
  type FixtureModel,
} from "../../../test/helpers/fixtures";
import { runLiteRT } from "../../../test/helpers/litert";
import { readModel } from "./reader";
import { floatDenseModel } from "./testing";
import { finalizeModel } from "./versions";
import { writeModel } from "./writer";

function assertSameArray(actual: NDArray, expected: NDArray): void {
  assert.deepEqual(actual.shape, expected.shape);
  assert.equal(actual.dtype, expected.dtype);
  assert.equal(actual.data.length, expected.data.length);
  for (let i = 0; i < actual.data.length; i++) {
    if (actual.data[i] !== expected.data[i])
      assert.fail(`element ${i}: ${actual.data[i]} != ${expected.data[i]}`);
  }
}

describe("rewritten TF fixtures in LiteRT (reference kernels)", () => {
  const models: FixtureModel[] = ["cnn_int8", "everyop_int8", "everyop_float32", "cnn_float16"];
  for (const name of models) {
    test(`${name}: 16-byte-aligned rewrite reproduces TF's golden outputs`, async () => {
      const original = fixtureModelBytes(name);
      const rewritten = writeModel(readModel(original), { dataAlignment: 16 });
      assert.notDeepEqual(rewritten, original); // the layout did change
      const result = await runLiteRT(rewritten, [fixtureInputs(name)], { resolver: "ref" });
      assert.equal(result.outputs.length, 1);
      const [output] = result.outputs;
      assert.ok(output !== undefined);
      assertSameArray(output, fixtureGolden(name, "ref"));
    });
  }
});

describe("a model built in memory", () => {
  test("finalizeModel + writeModel: LiteRT runs it and computes softmax(W x + b)", async () => {
    const model = finalizeModel(floatDenseModel());
    const bytes = writeModel(model);
    const x = Float32Array.from({ length: 8 }, (_, i) => (i - 3.5) / 4);
    const result = await runLiteRT(bytes, [{ data: x, shape: [1, 8], dtype: "float32" }]);
    const [y] = result.outputs;
    assert.ok(y !== undefined);
    assert.deepEqual(y.shape, [1, 3]);
    // Expected, from the same constants the model holds: W[i][j] = fl32(sin(8 i + j)),
    // b = [0.1, -0.2, 0.3]; h = W x + b, y = softmax(h).
    const b = [0.1, -0.2, 0.3].map(Math.fround);
    const h = [0, 1, 2].map(
      (i) => (b[i] ?? 0) + x.reduce((s, xj, j) => s + Math.fround(Math.sin(8 * i + j)) * xj, 0),
    );
    const e = h.map((v) => Math.exp(v - Math.max(...h)));
    const sum = e.reduce((s, v) => s + v, 0);
    e.forEach((v, i) => assert.ok(Math.abs(Number(y.data[i]) - v / sum) < 1e-6, `y[${i}]`));
    assert.equal(result.inputDetails[0]?.name, "x");
  });
});
