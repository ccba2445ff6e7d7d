// Cross-check of weight quantization against TF's dynamic-range quantization (the old TOCO
// weight quantizer): every int8 weight of test/fixtures/models/*_dynamic_range.tflite equals
// quantizeWeights of the float model's tensor of the same name, scales and values. (TF 2.21
// quantizes these models' FC weights per channel too; the per-tensor rule is unit-tested.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readModel } from "../tflite/reader";
import { quantizeWeights } from "./affine";

const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..", "..");
const models = join(root, "test", "fixtures", "models");

for (const family of ["cnn", "everyop"]) {
  test(`${family}: dynamic-range int8 weights (scales and values) bit for bit`, () => {
    const f32 = readModel(new Uint8Array(readFileSync(join(models, `${family}_float32.tflite`))));
    const dyn = readModel(
      new Uint8Array(readFileSync(join(models, `${family}_dynamic_range.tflite`))),
    );
    const floatByName = new Map(f32.subgraphs[0].tensors.map((t) => [t.name, t]));
    const kinds = new Set<string>();
    for (const t of dyn.subgraphs[0].tensors) {
      const scale = t.quantization?.scale;
      if (t.type !== "int8" || t.buffer === 0 || !scale) continue;
      const source = floatByName.get(t.name);
      assert.ok(source, `float model has a tensor named ${t.name}`);
      const fdata = f32.buffers[source.buffer].data;
      const qdata = dyn.buffers[t.buffer].data;
      assert.ok(fdata && qdata);
      const perChannel = scale.length > 1;
      const mine = quantizeWeights(new Float32Array(fdata.slice().buffer), source.shape, {
        axis: perChannel ? t.quantization?.quantizedDimension : undefined,
      });
      kinds.add(perChannel ? "per-channel" : "per-tensor");
      assert.deepEqual(
        perChannel ? mine.params.scale : [mine.params.scale],
        scale,
        `${t.name} scale`,
      );
      assert.deepEqual(
        [...mine.values],
        [...new Int8Array(qdata.slice().buffer)],
        `${t.name} values`,
      );
    }
    assert.ok(kinds.size > 0, "at least one int8 weight checked");
  });
}
