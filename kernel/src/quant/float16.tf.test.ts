// Cross-check of float16 conversion against TF's float16 post-training quantization: every
// float16 constant of test/fixtures/models/*_float16.tflite equals tsquant's conversion of the
// float model's constant of the same name, bit for bit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readModel } from "../tflite/reader";
import { toFloat16Array } from "./float16";

const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..", "..");
const models = join(root, "test", "fixtures", "models");

test("float16 weights of the TF float16 model equal toFloat16Array of the float weights", () => {
  const f32 = readModel(new Uint8Array(readFileSync(join(models, "cnn_float32.tflite"))));
  const f16 = readModel(new Uint8Array(readFileSync(join(models, "cnn_float16.tflite"))));
  const floatByName = new Map(f32.subgraphs[0].tensors.map((t) => [t.name, t]));
  let tensors = 0;
  let values = 0;
  for (const t of f16.subgraphs[0].tensors) {
    if (t.type !== "float16") continue;
    const source = floatByName.get(t.name);
    assert.ok(source, `float model has a tensor named ${t.name}`);
    const fdata = f32.buffers[source.buffer].data;
    const hdata = f16.buffers[t.buffer].data;
    assert.ok(fdata && hdata);
    const mine = toFloat16Array(new Float32Array(fdata.slice().buffer), { saturate: true });
    assert.deepEqual([...mine], [...new Uint16Array(hdata.slice().buffer)], t.name);
    tensors++;
    values += mine.length;
  }
  assert.ok(tensors >= 4 && values > 1000, `${tensors} tensors, ${values} values`);
});
