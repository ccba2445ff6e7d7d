/**
 * The front end feeds `TFLiteConverter` what TF's float file would: for the fixture models
 * rebuilt in tfjs with TF's weights, `TFLiteConverter.fromLayersModel(tfjsModel)` and
 * `TFLiteConverter.fromBuffer(TF's float .tflite)` give bit-identical outputs in tsquant's
 * interpreter, mode by mode (same 100 calibration images, 16x8 included), on 20 test images, and
 * the same constants (every weight and bias, quantized or not, except RESHAPE targets: −1 for
 * our dynamic batch, 1 in TF's file) and the same dtypes and quantization parameters on every
 * tensor.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as tf from "@tensorflow/tfjs";
import { TFLiteConverter } from "../../kernel/src/converter";
import { Interpreter } from "../../kernel/src/interpreter";
import type { Model, NDArray } from "../../kernel/src/ir";
import { BuiltinOperator } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite";
import type { FixtureModel } from "../helpers/fixtures";
import { fixtureInputs, fixtureModelBytes } from "../helpers/fixtures";
import { everyOpCnnWithTfWeights, tutorialCnnWithTfWeights } from "./fixtures";

type Mode = "float16" | "dynamic" | "int8" | "int8-only" | "int16x8";

function configure(c: TFLiteConverter, mode: Mode, images: NDArray): TFLiteConverter {
  const per = images.data.length / (images.shape[0] ?? 1);
  c.optimizations = ["DEFAULT"];
  if (mode === "float16") c.targetSpec.supportedTypes = ["float16"];
  if (mode === "int8" || mode === "int8-only" || mode === "int16x8") {
    c.representativeDataset = Array.from({ length: 100 }, (_, i) => [
      {
        data: images.data.slice(i * per, (i + 1) * per),
        shape: [1, ...images.shape.slice(1)],
        dtype: "float32" as const,
      },
    ]);
  }
  if (mode === "int8-only") {
    c.targetSpec.supportedOps = ["TFLITE_BUILTINS_INT8"];
    c.inferenceInputType = "int8";
    c.inferenceOutputType = "int8";
  }
  if (mode === "int16x8") {
    c.targetSpec.supportedOps = ["EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"];
  }
  return c;
}

/** Outputs on the first `n` images, one invoke each; int8 inputs quantized with the input's (scale, zeroPoint). */
function run(bytes: Uint8Array, images: NDArray, n: number): { outputs: number[]; input: string } {
  const it = new Interpreter({ modelContent: bytes });
  it.allocateTensors();
  const d = it.getInputDetails()[0];
  const o = it.getOutputDetails()[0];
  assert.ok(d !== undefined && o !== undefined);
  const per = images.data.length / (images.shape[0] ?? 1);
  const outputs: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = images.data.slice(i * per, (i + 1) * per) as Float32Array;
    const [scale, zeroPoint] = d.quantization;
    const data =
      d.dtype === "int8"
        ? Int8Array.from(x, (v) => Math.max(-128, Math.min(127, Math.round(v / scale + zeroPoint))))
        : x;
    it.setTensor(d.index, data);
    it.invoke();
    outputs.push(...Array.from(it.getTensor(o.index).data, Number));
  }
  return { outputs, input: `${d.dtype} ${d.quantization.join(" ")}` };
}

/** Constants (but RESHAPE targets) and every tensor's dtype and quantization, sorted. */
function signature(bytes: Uint8Array): { constants: string[]; tensors: string[] } {
  const model: Model = readModel(bytes);
  const sg = model.subgraphs[0];
  assert.ok(sg !== undefined);
  const reshape = model.operatorCodes.findIndex((c) => c.builtinCode === BuiltinOperator.RESHAPE);
  const targets = new Set(
    sg.operators.filter((o) => o.opcodeIndex === reshape).map((o) => o.inputs[1]),
  );
  const constants: string[] = [];
  const tensors: string[] = [];
  sg.tensors.forEach((t, i) => {
    const q = t.quantization;
    const quant = q === null ? "" : JSON.stringify([q.scale, q.zeroPoint, q.quantizedDimension]);
    tensors.push(`${t.type} ${quant}`);
    const data = model.buffers[t.buffer]?.data ?? null;
    if (data !== null && !targets.has(i))
      constants.push(`${t.type} ${Buffer.from(data).toString("hex")} ${quant}`);
  });
  return { constants: constants.sort(), tensors: tensors.sort() };
}

function compare(name: FixtureModel, build: () => tf.LayersModel, modes: Mode[]): Promise<void> {
  const model = build();
  const images = fixtureInputs(name);
  return (async () => {
    try {
      for (const mode of modes) {
        const ours = await configure(
          TFLiteConverter.fromLayersModel(model),
          mode,
          images,
        ).convert();
        const tfs = await configure(
          TFLiteConverter.fromBuffer(fixtureModelBytes(name)),
          mode,
          images,
        ).convert();
        const [sa, sb] = [signature(ours), signature(tfs)];
        assert.deepEqual(sa.constants, sb.constants, `${name} ${mode}: constants`);
        assert.deepEqual(sa.tensors, sb.tensors, `${name} ${mode}: tensor types and quantization`);
        const a = run(ours, images, 20);
        const b = run(tfs, images, 20);
        assert.equal(a.input, b.input, `${name} ${mode}: input type and quantization`);
        assert.deepEqual(a.outputs, b.outputs, `${name} ${mode}: outputs`);
      }
    } finally {
      model.dispose();
      tf.disposeVariables();
    }
  })();
}

describe("TFLiteConverter.fromLayersModel equals fromBuffer(TF's float file)", () => {
  test("tutorial CNN, every mode", () =>
    compare("cnn_float32", tutorialCnnWithTfWeights, [
      "float16",
      "dynamic",
      "int8",
      "int8-only",
      "int16x8",
    ]));
  test("every-op model, dynamic range and int8", () =>
    compare("everyop_float32", everyOpCnnWithTfWeights, ["dynamic", "int8"]));
});
