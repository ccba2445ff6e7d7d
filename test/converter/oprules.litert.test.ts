/**
 * The converter rows added for ops users' models bring (converter/opRules.ts): integer-only
 * conversion of TF's dynamic-batch CNN (its SHAPE → STRIDED_SLICE → PACK → RESHAPE path stays
 * int32) and of the MobileNetV3-Small family (HARD_SWISH, and same-scale data movement, in int8),
 * each run in LiteRT's reference kernels and in tsquant's interpreter with identical outputs; in
 * 16x8 mode an int8-only op (HARD_SWISH) stays in float.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { TFLiteConverter } from "../../kernel/src/converter/converter";
import { Interpreter } from "../../kernel/src/interpreter/interpreter";
import { type NDArray, opName } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite/reader";
import { FIXTURES_DIR, familyInput, familyModel, mnistTest300Float32 } from "../helpers/fixtures";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";

/** Samples [n, …] as one-sample float32 inputs (uint8 images as fl32(u / 255)). */
function samples(
  x: NDArray,
  n: number,
): { data: Float32Array; shape: number[]; dtype: "float32" }[][] {
  const per = x.data.length / (x.shape[0] ?? 1);
  const integer = x.dtype !== "float32";
  return Array.from({ length: n }, (_, i) => {
    const data = new Float32Array(per);
    for (let k = 0; k < per; k++) {
      const v = Number(x.data[i * per + k]);
      data[k] = integer ? Math.fround(v / 255) : v;
    }
    return [{ data, shape: [1, ...x.shape.slice(1)], dtype: "float32" as const }];
  });
}

async function convertIntegerOnly(
  bytes: Uint8Array,
  data: ReturnType<typeof samples>,
): Promise<Uint8Array> {
  const c = TFLiteConverter.fromBuffer(bytes);
  c.optimizations = ["DEFAULT"];
  c.targetSpec.supportedOps = ["TFLITE_BUILTINS_INT8"];
  c.representativeDataset = data;
  return c.convert();
}

/** tsquant's interpreter on each sample (float I/O), outputs stacked. */
function runOurs(bytes: Uint8Array, data: ReturnType<typeof samples>): Float32Array {
  const it = new Interpreter({ modelContent: bytes });
  it.allocateTensors();
  const [input] = it.getInputDetails();
  const [output] = it.getOutputDetails();
  assert.ok(input !== undefined && output !== undefined);
  const rows: number[] = [];
  for (const [s] of data) {
    if (s === undefined) continue;
    it.setTensor(input.index, s);
    it.invoke();
    rows.push(...(it.getTensor(output.index).data as Float32Array));
  }
  return Float32Array.from(rows);
}

function opsOf(bytes: Uint8Array): { op: string; inputTypes: string[] }[] {
  const m = readModel(bytes);
  const sg = m.subgraphs[0];
  return sg.operators.map((o) => ({
    op: opName(m.operatorCodes[o.opcodeIndex]?.builtinCode ?? -1),
    inputTypes: o.inputs.map((i) => (i < 0 ? "-" : (sg.tensors[i]?.type ?? "?"))),
  }));
}

describe("converter rules for the ops of users' models", { skip: !liteRTAvailable() }, () => {
  test("dynamic-batch CNN: integer-only converts; the shape path stays int32; tsquant = LiteRT", async () => {
    const float = new Uint8Array(
      readFileSync(join(FIXTURES_DIR, "models", "cnn_dynbatch_float32.tflite")),
    );
    const data = samples(mnistTest300Float32(), 20);
    const int8 = await convertIntegerOnly(float, data);
    const ops = opsOf(int8);
    const shape = ops.find((o) => o.op === "SHAPE");
    assert.ok(shape !== undefined, "SHAPE kept");
    assert.deepEqual(shape.inputTypes, ["int8"]);
    const slice = ops.find((o) => o.op === "STRIDED_SLICE");
    assert.ok(
      slice?.inputTypes.every((t) => t === "int32"),
      JSON.stringify(slice),
    );
    const x: NDArray = {
      data: Float32Array.from(data.flatMap(([s]) => [...(s?.data ?? [])])),
      shape: [20, 28, 28],
      dtype: "float32",
    };
    const [ref] = (await runLiteRT(int8, [x], { resolver: "ref" })).outputs;
    assert.ok(ref !== undefined);
    assert.deepEqual([...runOurs(int8, data)], [...(ref.data as Float32Array)]);
  });

  test("MobileNetV3-Small: integer-only converts with int8 HARD_SWISH; tsquant = LiteRT", async () => {
    const data = samples(familyInput("mobilenet_v3_small", 0), 8);
    const int8 = await convertIntegerOnly(familyModel("mobilenet_v3_small"), data);
    const ops = opsOf(int8);
    const hs = ops.filter((o) => o.op === "HARD_SWISH");
    assert.ok(hs.length > 0, "the family has HARD_SWISH");
    for (const o of hs) assert.deepEqual(o.inputTypes, ["int8"]);
    const x = familyInput("mobilenet_v3_small", 0);
    const first: NDArray = {
      data: Float32Array.from(data.flatMap(([s]) => [...(s?.data ?? [])])),
      shape: [8, ...x.shape.slice(1)],
      dtype: "float32",
    };
    const [ref] = (await runLiteRT(int8, [first], { resolver: "ref" })).outputs;
    assert.ok(ref !== undefined);
    assert.deepEqual([...runOurs(int8, data)], [...(ref.data as Float32Array)]);
  });

  test("16x8 with float fallback: HARD_SWISH (int8 kernels only) stays in float", async () => {
    const c = TFLiteConverter.fromBuffer(familyModel("mobilenet_v3_small"));
    c.optimizations = ["DEFAULT"];
    c.targetSpec.supportedOps = [
      "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8",
      "TFLITE_BUILTINS",
    ];
    c.representativeDataset = samples(familyInput("mobilenet_v3_small", 0), 4);
    const ops = opsOf(await c.convert());
    const hs = ops.filter((o) => o.op === "HARD_SWISH");
    assert.ok(hs.length > 0);
    for (const o of hs) assert.deepEqual(o.inputTypes, ["float32"]);
    assert.ok(ops.some((o) => o.op === "CONV_2D" && o.inputTypes[0] === "int16"));
  });
});
