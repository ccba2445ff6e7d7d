// `TFLiteConverter.fromLayersModel(model, { batchSize: 1 })` and `tsquant convert model.json
// --batch-size 1`: a fixed batch, so no tensor's shape_signature holds -1 (LiteRT.js refuses
// [-1, 28, 28] inputs), and the file still runs in LiteRT with tsquant's outputs. The default
// stays a dynamic batch.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { TFLiteConverter } from "../../kernel/src/converter/converter";
import { fileSystem } from "../../kernel/src/converter/tfjs";
import { Interpreter } from "../../kernel/src/interpreter/interpreter";
import type { Model, NDArray } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite/reader";
import { mnistTest300Float32 } from "../helpers/fixtures";
import { REPO_ROOT, liteRTAvailable, runLiteRT } from "../helpers/litert";
import { assertParity } from "../parity/parity";

/** Every shape_signature of the model that holds a -1, as "name [sig]". */
function dynamicSignatures(m: Model): string[] {
  return m.subgraphs.flatMap((sg) =>
    sg.tensors
      .filter((t) => t.shapeSignature?.includes(-1) === true)
      .map((t) => `${t.name} [${(t.shapeSignature ?? []).join(", ")}]`),
  );
}

/** tsquant's output 0 for each of `x`'s images, one invoke per image (batch-1 model). */
function runOurs(bytes: Uint8Array, x: NDArray<Float32Array>): NDArray {
  const it = new Interpreter({ modelContent: bytes });
  it.allocateTensors();
  const [input] = it.getInputDetails();
  const [output] = it.getOutputDetails();
  assert.ok(input !== undefined && output !== undefined);
  const n = x.shape[0] ?? 0;
  const per = x.data.length / n;
  const out = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) {
    it.setTensor(input.index, x.data.subarray(i * per, (i + 1) * per));
    it.invoke();
    out.set(Array.from(it.getTensor(output.index).data, Number), i * 10);
  }
  return { data: out, shape: [n, 10], dtype: "float32" };
}

describe("fixed batch size (fromLayersModel { batchSize }, convert --batch-size)", () => {
  let model: tf.LayersModel;
  let dir = "";
  before(() => {
    tf.setBackend("cpu");
    // The TF tutorial's CNN (untrained weights from seeded initializers).
    model = tf.sequential({
      layers: [
        tf.layers.reshape({ inputShape: [28, 28], targetShape: [28, 28, 1] }),
        tf.layers.conv2d({
          filters: 12,
          kernelSize: 3,
          activation: "relu",
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({
          units: 10,
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    dir = mkdtempSync(join(tmpdir(), "tsquant-batchsize-"));
  });
  after(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test("default: dynamic batch (input signature [-1, 28, 28])", async () => {
    const m = readModel(await TFLiteConverter.fromLayersModel(model).convert());
    const sg = m.subgraphs[0];
    assert.deepEqual(sg.tensors[sg.inputs[0]].shapeSignature, [-1, 28, 28]);
  });

  for (const mode of ["float32", "int8"] as const) {
    test(`batchSize 1, ${mode}: no -1 signature; LiteRT equals tsquant on 50 images`, async () => {
      const images = mnistTest300Float32() as NDArray<Float32Array>;
      const x: NDArray<Float32Array> = {
        data: images.data.subarray(0, 50 * 784),
        shape: [50, 28, 28],
        dtype: "float32",
      };
      const c = TFLiteConverter.fromLayersModel(model, { batchSize: 1 });
      if (mode === "int8") {
        c.optimizations = ["DEFAULT"];
        c.representativeDataset = Array.from({ length: 20 }, (_, i) => [
          { data: images.data.slice(i * 784, (i + 1) * 784), shape: [1, 28, 28], dtype: "float32" },
        ]);
      }
      const bytes = await c.convert();
      const m = readModel(bytes);
      assert.deepEqual(dynamicSignatures(m), []);
      const sg = m.subgraphs[0];
      assert.deepEqual(sg.tensors[sg.inputs[0]].shape, [1, 28, 28]);
      if (!liteRTAvailable()) return;
      const [theirs] = (await runLiteRT(bytes, [x])).outputs;
      assert.ok(theirs !== undefined);
      assertParity(runOurs(bytes, x), theirs, `batchSize 1 ${mode}`);
    });
  }

  test("an invalid batch size is refused by name", () => {
    assert.throws(() => TFLiteConverter.fromLayersModel(model, { batchSize: 0 }), {
      name: "UsageError",
      message: /batchSize must be a positive integer, found 0/,
    });
  });

  test("tsquant convert model.json --batch-size 1 (and refusals)", async () => {
    await model.save(fileSystem(dir));
    const cli = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ["--import", "tsx", join(REPO_ROOT, "kernel", "src", "cli", "main.ts"), "convert", ...args],
        { cwd: REPO_ROOT, encoding: "utf8" },
      );
    const out = join(dir, "fixed.tflite");
    const ok = cli(join(dir, "model.json"), "-o", out, "--mode", "float16", "--batch-size", "1");
    assert.equal(ok.status, 0, ok.stderr);
    const m = readModel(new Uint8Array(readFileSync(out)));
    assert.deepEqual(dynamicSignatures(m), []);
    assert.ok(m.subgraphs[0].tensors.some((t) => t.type === "float16"));

    const zero = cli(join(dir, "model.json"), "-o", out, "--mode", "float16", "--batch-size", "0");
    assert.notEqual(zero.status, 0);
    assert.match(zero.stderr, /--batch-size must be a positive integer; got 0/);
    const tflite = cli(out, "-o", join(dir, "x.tflite"), "--mode", "float16", "--batch-size", "1");
    assert.notEqual(tflite.status, 0);
    assert.match(tflite.stderr, /--batch-size applies to tfjs model.json inputs/);
  });
});
