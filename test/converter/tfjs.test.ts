// TFLiteConverter.fromLayersModel and `tsquant convert model.json`: a tfjs model goes through
// the tfjs front end (kernel/src/converter/tfjs) into the same quantization passes, and the
// int8 result agrees with the tfjs model's own predictions.
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
import { readModel } from "../../kernel/src/tflite/reader";
import { opName } from "../../kernel/src/ir";
import { REPO_ROOT } from "../helpers/litert";
import { representative } from "./helpers";

describe("TFLiteConverter.fromLayersModel", () => {
  let model: tf.LayersModel;
  let dir = "";
  before(() => {
    tf.setBackend("cpu");
    model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [28, 28, 1],
          filters: 4,
          kernelSize: 3,
          activation: "relu",
          kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
        }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({
          units: 10,
          activation: "softmax",
          kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
        }),
      ],
    });
    dir = mkdtempSync(join(tmpdir(), "tsquant-tfjs-"));
  });
  after(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  test("int8 from a LayersModel: quantized ops, and top-1 equal to tfjs on most images", async () => {
    const data = representative("everyop", 20); // [1, 28, 28, 1] float images
    const c = TFLiteConverter.fromLayersModel(model);
    c.optimizations = ["DEFAULT"];
    c.representativeDataset = data;
    const bytes = await c.convert();
    const m = readModel(bytes);
    const ops = m.subgraphs[0].operators.map((o) =>
      opName(m.operatorCodes[o.opcodeIndex].builtinCode),
    );
    assert.equal(ops[0], "QUANTIZE");
    assert.equal(ops[ops.length - 1], "DEQUANTIZE");
    assert.ok(ops.includes("CONV_2D") && ops.includes("FULLY_CONNECTED"));
    const interp = new Interpreter({ modelContent: bytes });
    interp.allocateTensors();
    let agree = 0;
    for (const [x] of data) {
      if (Array.isArray(x) || ArrayBuffer.isView(x)) throw new Error("unreachable");
      interp.setTensor(interp.getInputDetails()[0].index, x.data);
      interp.invoke();
      const q = interp.getTensor(interp.getOutputDetails()[0].index).data;
      const y = tf.tidy(() =>
        (model.predict(tf.tensor(x.data as Float32Array, [1, 28, 28, 1])) as tf.Tensor).dataSync(),
      );
      const argmax = (v: ArrayLike<number | bigint>): number => {
        let b = 0;
        for (let k = 1; k < v.length; k++) if (Number(v[k]) > Number(v[b])) b = k;
        return b;
      };
      if (argmax(q) === argmax(y)) agree++;
    }
    assert.ok(agree >= 18, `${agree}/20 predictions agree`);
  });

  test("tsquant convert reads a tfjs model.json", async () => {
    await model.save(fileSystem(dir));
    const out = join(dir, "float16.tflite");
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO_ROOT, "kernel", "src", "cli", "main.ts"),
        "convert",
        join(dir, "model.json"),
        "-o",
        out,
        "--mode",
        "float16",
      ],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    const m = readModel(new Uint8Array(readFileSync(out)));
    assert.ok(m.subgraphs[0].tensors.some((t) => t.type === "float16"));
  });
});
