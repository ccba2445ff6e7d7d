/**
 * Accuracy on the full 10,000-image MNIST test set: tsquant's Interpreter and LiteRT's reference
 * interpreter (BUILTIN_REF), fed the same inputs, must predict the same class for every image —
 * hence equal accuracy — for every fixture: the tutorial CNN (float32, float16, dynamic range,
 * int8, integer-only uint8 I/O) and the "every op" CNN (float32, dynamic range, int8,
 * integer-only int8 I/O). The every-op models run in chunks of 500 images: tsquant keeps every
 * intermediate tensor, which for 10,000 images at once would take gigabytes.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { mnist, toFloat32 } from "../../kernel/src/data/datasets";
import { Interpreter } from "../../kernel/src/interpreter";
import type { NDArray } from "../../kernel/src/ir";
import { fixtureManifest, fixtureModelBytes, type FixtureModel } from "../helpers/fixtures";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";
import { argmaxRows, runTsquant } from "./parity";

/** Like `runTsquant`, `chunk` images per invoke; outputs concatenated in order. */
function runTsquantChunked(name: FixtureModel, x: NDArray, chunk: number): NDArray {
  const n = x.shape[0] ?? 0;
  const per = x.data.length / n;
  const parts: NDArray[] = [];
  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(n, start + chunk);
    const data = x.data.subarray(start * per, end * per);
    parts.push(
      runTsquant(name, { data, shape: [end - start, ...x.shape.slice(1)], dtype: x.dtype }),
    );
  }
  const [first] = parts;
  assert.ok(first !== undefined);
  const rowLength = first.data.length / (first.shape[0] ?? 1);
  const out = new Float32Array(n * rowLength);
  let offset = 0;
  for (const p of parts) {
    for (let i = 0; i < p.data.length; i++) out[offset + i] = Number(p.data[i]);
    offset += p.data.length;
  }
  return { data: out, shape: [n, ...first.shape.slice(1)], dtype: "float32" };
}

const MODELS: FixtureModel[] = [
  "cnn_float32",
  "cnn_float16",
  "cnn_dynamic_range",
  "cnn_int8",
  "cnn_int8_only_uint8_io",
  "everyop_float32",
  "everyop_dynamic_range",
  "everyop_int8",
  "everyop_int8_only_int8_io",
];
const CHUNK = 500;

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
      const everyOp = name.startsWith("everyop");
      const pending = runLiteRT(fixtureModelBytes(name), [x], {
        resolver: "ref",
        ...(everyOp ? { batch: CHUNK } : {}),
      });
      const ours = argmaxRows(everyOp ? runTsquantChunked(name, x, CHUNK) : runTsquant(name, x));
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
