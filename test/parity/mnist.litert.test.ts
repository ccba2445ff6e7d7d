/**
 * Accuracy on the full 10,000-image MNIST test set: tsquant's Interpreter and LiteRT's reference
 * interpreter (BUILTIN_REF), fed the same inputs, must predict the same class for every image —
 * hence equal accuracy — for every tutorial-CNN fixture (float32, float16, dynamic range, int8,
 * integer-only uint8 I/O). The "every op" CNN is covered on 300 images by goldens.test.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mnist, toFloat32 } from "../../kernel/src/data/datasets";
import { Interpreter } from "../../kernel/src/interpreter";
import type { NDArray } from "../../kernel/src/ir";
import { fixtureManifest, fixtureModelBytes, type FixtureModel } from "../helpers/fixtures";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";
import { argmaxRows, runTsquant } from "./parity";

const MODELS: FixtureModel[] = [
  "cnn_float32",
  "cnn_float16",
  "cnn_dynamic_range",
  "cnn_int8",
  "cnn_int8_only_uint8_io",
];

/**
 * The model's input from float images: unchanged for float inputs; for integer inputs the TF
 * tutorial's `(x / scale + zeroPoint).astype(dtype)` (float32 arithmetic, truncation).
 */
function modelInput(name: FixtureModel, images: NDArray<Float32Array>): NDArray {
  const [input] = new Interpreter({ modelContent: fixtureModelBytes(name) }).getInputDetails();
  assert.ok(input !== undefined);
  const shape = [images.shape[0] ?? 0, ...input.shape.slice(1)];
  if (input.dtype === "float32") return { ...images, shape };
  const [scale, zeroPoint] = input.quantization;
  const q =
    input.dtype === "uint8"
      ? new Uint8Array(images.data.length)
      : new Int8Array(images.data.length);
  images.data.forEach((x, i) => {
    q[i] = Math.trunc(Math.fround(Math.fround(x / scale) + zeroPoint));
  });
  return { data: q, shape, dtype: input.dtype };
}

describe("MNIST 10k accuracy equals LiteRT's", { skip: !liteRTAvailable() }, () => {
  const { test: testSet } = mnist();
  const images = toFloat32(testSet.images);
  const labels = testSet.labels.data;
  for (const name of MODELS) {
    test(name, async () => {
      const x = modelInput(name, images);
      // LiteRT runs in its own process while tsquant computes here.
      const pending = runLiteRT(fixtureModelBytes(name), [x], { resolver: "ref" });
      const ours = argmaxRows(runTsquant(name, x));
      const [theirOutput] = (await pending).outputs;
      assert.ok(theirOutput !== undefined);
      const theirs = argmaxRows(theirOutput);
      const disagree = ours.filter((c, i) => c !== theirs[i]).length;
      assert.equal(disagree, 0, `${disagree} of ${ours.length} predictions differ`);
      const accuracy = ours.filter((c, i) => c === labels[i]).length / ours.length;
      // Sanity: close to what the fixture generator measured with LiteRT's default resolver.
      assert.ok(
        Math.abs(accuracy - fixtureManifest().models[name].accuracy10kLiteRT) <= 0.002,
        `accuracy ${accuracy}`,
      );
    });
  }
});
