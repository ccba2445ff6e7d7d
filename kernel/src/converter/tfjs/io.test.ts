import { spawnSync } from "node:child_process";
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { DataFormatError, UsageError } from "../../errors";
import { layersModelToFloatModel } from "./convert";
import { fileSystem, loadLayersModelFromFile, modelJsonToFloatModel } from "./io";

function smallModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [5, 5, 2], filters: 3, kernelSize: 3, activation: "relu" }));
  m.add(tf.layers.batchNormalization({}));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 4, activation: "softmax" }));
  // Non-trivial weights: every weight i/7 − 0.5 (variances kept positive).
  m.layers.forEach((l) =>
    l.setWeights(
      l.weights.map((v) => {
        const n = v.shape.reduce((a: number, d) => a * (d ?? 1), 1);
        const positive = v.originalName.endsWith("variance");
        return tf.tensor(
          Float32Array.from({ length: n }, (_, i) => (positive ? 1 + i / 7 : (i % 7) / 7 - 0.5)),
          v.shape.map((d) => d ?? 1),
        );
      }),
    ),
  );
  return m;
}

function withDir(f: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), "tsquant-tfjs-io-"));
    try {
      await f(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe("fileSystem IOHandler and modelJsonToFloatModel", () => {
  test(
    "save, load back, convert: the same IR as converting the model in memory",
    withDir(async (dir) => {
      const m = smallModel();
      await m.save(fileSystem(`file://${join(dir, "saved")}`));
      assert.ok(existsSync(join(dir, "saved", "model.json")));
      assert.ok(existsSync(join(dir, "saved", "weights.bin")));
      const json = JSON.parse(readFileSync(join(dir, "saved", "model.json"), "utf8")) as {
        weightsManifest: { paths: string[] }[];
      };
      assert.deepEqual(json.weightsManifest[0]?.paths, ["weights.bin"]);
      const direct = layersModelToFloatModel(m);
      const loaded = await modelJsonToFloatModel(join(dir, "saved", "model.json"));
      assert.deepEqual(loaded.buffers, direct.buffers);
      assert.deepEqual(loaded.subgraphs[0]?.operators, direct.subgraphs[0]?.operators);
      // A directory path works too, and the tfjs model predicts as the original.
      const again = await loadLayersModelFromFile(join(dir, "saved"));
      const x = tf.ones([1, 5, 5, 2]);
      assert.deepEqual(
        (again.predict(x) as tf.Tensor).dataSync(),
        (m.predict(x) as tf.Tensor).dataSync(),
      );
      again.dispose();
      m.dispose();
    }),
  );

  test(
    "a model.json with several shards, read in manifest order",
    withDir(async (dir) => {
      const m = smallModel();
      await m.save(fileSystem(dir));
      const weights = readFileSync(join(dir, "weights.bin"));
      const json = JSON.parse(readFileSync(join(dir, "model.json"), "utf8")) as {
        weightsManifest: { paths: string[] }[];
      };
      const cut = 100;
      writeFileSync(join(dir, "shard1.bin"), weights.subarray(0, cut));
      writeFileSync(join(dir, "shard2.bin"), weights.subarray(cut));
      const group = json.weightsManifest[0];
      assert.ok(group !== undefined);
      group.paths = ["shard1.bin", "shard2.bin"];
      writeFileSync(join(dir, "sharded.json"), JSON.stringify(json));
      const loaded = await modelJsonToFloatModel(join(dir, "sharded.json"));
      assert.deepEqual(loaded.buffers, layersModelToFloatModel(m).buffers);
      m.dispose();
    }),
  );

  test(
    "bad files: named errors",
    withDir(async (dir) => {
      const m = smallModel();
      await m.save(fileSystem(dir));
      m.dispose();
      const json = join(dir, "model.json");
      await assert.rejects(modelJsonToFloatModel(join(dir, "missing.json")), (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, /cannot read '.*missing\.json'/);
        return true;
      });
      writeFileSync(join(dir, "bad.json"), "{ not json");
      await assert.rejects(modelJsonToFloatModel(join(dir, "bad.json")), (e: unknown) => {
        assert.ok(e instanceof DataFormatError);
        assert.match(e.message, /'.*bad\.json' is not JSON/);
        return true;
      });
      writeFileSync(join(dir, "graph.json"), JSON.stringify({ format: "graph-model" }));
      await assert.rejects(
        modelJsonToFloatModel(join(dir, "graph.json")),
        /'.*graph\.json' is not a tfjs model\.json: it has no 'modelTopology'/,
      );
      const size = readFileSync(join(dir, "weights.bin")).byteLength;
      truncateSync(join(dir, "weights.bin"), size - 4);
      await assert.rejects(modelJsonToFloatModel(json), (e: unknown) => {
        assert.ok(e instanceof DataFormatError);
        assert.match(
          e.message,
          new RegExp(
            `the manifest's 8 weights need ${size} bytes, the weight files hold ${size - 4}`,
          ),
        );
        return true;
      });
      rmSync(join(dir, "weights.bin"));
      await assert.rejects(
        modelJsonToFloatModel(json),
        /weight file 'weights\.bin' cannot be read/,
      );
    }),
  );
});

test("importing the front end does not load tfjs (it is import()ed when a file is loaded)", () => {
  const script =
    `require(${JSON.stringify(join(__dirname, "index.ts"))});` +
    `const n = Object.keys(require.cache).filter((k) => k.includes("@tensorflow")).length;` +
    `process.stdout.write(String(n));`;
  const r = spawnSync(process.execPath, ["--import", "tsx", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, "0");
});
