import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as flatbuffers from "flatbuffers";
import { UnsupportedError } from "../errors";
import type { BuiltinOptions, Model } from "../ir";
import { Model as FbModel } from "./generated/tflite/model";
import { readModel } from "./reader";
import { GraphBuilder, SAMPLE_OPTIONS, everyOpModel, floatDenseModel, perTensor } from "./testing";
import { DATA_ALIGNMENT, writeModel } from "./writer";

/** The written file seen through the generated bindings (for byte-level facts). */
function fb(bytes: Uint8Array): FbModel {
  return FbModel.getRootAsModel(new flatbuffers.ByteBuffer(bytes));
}

/** Absolute position of the first data byte of buffer `i`, or null without a `data` field. */
function dataPosition(bytes: Uint8Array, i: number): number | null {
  const b = fb(bytes).buffers(i);
  assert.ok(b !== null && b.bb !== null);
  const off = b.bb.__offset(b.bb_pos, 4);
  return off === 0 ? null : b.bb.__vector(b.bb_pos + off);
}

/** write → read → write: the IR survives and the second write is byte-identical. */
function assertStable(model: Model, dataAlignment?: 1 | 16): Uint8Array {
  const bytes = writeModel(model, { dataAlignment });
  const back = readModel(bytes);
  assert.deepEqual(back, model);
  assert.deepEqual(writeModel(back, { dataAlignment }), bytes);
  return bytes;
}

function oneOpModel(
  code: Parameters<GraphBuilder["op"]>[0],
  options: BuiltinOptions | null,
  extraInputs = 0,
): Model {
  const g = new GraphBuilder();
  const x = g.tensor("x", "int8", [1, 2, 2, 4], { quantization: perTensor(0.5, 1) });
  const ins = [x];
  for (let i = 0; i < extraInputs; i++) ins.push(g.constant(`c${i}`, "int32", [2]));
  const y = g.tensor("y", "int8", [1, 2, 2, 4], { quantization: perTensor(0.25, -2) });
  g.op(code, ins, [y], options);
  return g.io([x], [y]).build();
}

describe("writeModel round trip", () => {
  const cases: [string, Parameters<GraphBuilder["op"]>[0], BuiltinOptions | null, number][] = [
    ["CONV_2D", "CONV_2D", SAMPLE_OPTIONS.conv, 2],
    ["DEPTHWISE_CONV_2D", "DEPTHWISE_CONV_2D", SAMPLE_OPTIONS.depthwise, 2],
    ["FULLY_CONNECTED", "FULLY_CONNECTED", SAMPLE_OPTIONS.fc, 2],
    ["MAX_POOL_2D", "MAX_POOL_2D", SAMPLE_OPTIONS.pool, 0],
    ["AVERAGE_POOL_2D", "AVERAGE_POOL_2D", SAMPLE_OPTIONS.pool, 0],
    ["RESHAPE with new_shape", "RESHAPE", SAMPLE_OPTIONS.reshape, 1],
    ["RESHAPE without new_shape", "RESHAPE", { type: "ReshapeOptions", newShape: null }, 1],
    ["RESHAPE with empty new_shape", "RESHAPE", { type: "ReshapeOptions", newShape: [] }, 1],
    ["SOFTMAX", "SOFTMAX", SAMPLE_OPTIONS.softmax, 0],
    ["QUANTIZE", "QUANTIZE", SAMPLE_OPTIONS.quantize, 0],
    ["QUANTIZE without options", "QUANTIZE", null, 0],
    ["DEQUANTIZE", "DEQUANTIZE", SAMPLE_OPTIONS.dequantize, 0],
    ["ADD", "ADD", SAMPLE_OPTIONS.add, 1],
    ["ADD with default pot_scale_int16", "ADD", { ...SAMPLE_OPTIONS.add, potScaleInt16: true }, 1],
    ["MUL", "MUL", SAMPLE_OPTIONS.mul, 1],
    ["CONCATENATION", "CONCATENATION", SAMPLE_OPTIONS.concat, 1],
    ["MEAN", "MEAN", SAMPLE_OPTIONS.mean, 1],
    ["PAD", "PAD", SAMPLE_OPTIONS.pad, 1],
    ["LOGISTIC", "LOGISTIC", null, 0],
    ["TANH", "TANH", null, 0],
    ["RELU", "RELU", null, 0],
    ["RELU6", "RELU6", null, 0],
    ["GELU (code 150, past the signed byte), no options", 150, null, 0],
  ];
  for (const [name, code, options, extra] of cases) {
    test(name, () => {
      assertStable(oneOpModel(code, options, extra));
    });
  }

  test("a model using every supported op, at data alignment 16 and 1", () => {
    const model = everyOpModel();
    assertStable(model, 16);
    assertStable(model, 1);
  });

  test("custom ops (custom_code, custom_options) and a second subgraph survive", () => {
    const model = floatDenseModel();
    model.operatorCodes.push({ builtinCode: 32, customCode: "TsquantTestOp", version: 2 });
    const sg = model.subgraphs[0];
    assert.ok(sg !== undefined);
    const op = sg.operators[1];
    assert.ok(op !== undefined);
    op.opcodeIndex = 2;
    op.builtinOptions = null;
    op.customOptions = Uint8Array.of(1, 2, 3, 250);
    model.subgraphs.push({ ...structuredClone(sg), name: "second" });
    const bytes = assertStable(model);
    assert.equal(readModel(bytes).operatorCodes[2]?.customCode, "TsquantTestOp");
  });

  test("absent and empty fields stay apart", () => {
    const model = floatDenseModel();
    const sg = model.subgraphs[0];
    assert.ok(sg !== undefined);
    const [x, w] = sg.tensors;
    assert.ok(x !== undefined && w !== undefined);
    x.quantization = null; // no table (w keeps TF's empty table)
    x.shapeSignature = [-1, 8];
    w.shapeSignature = [];
    model.description = null;
    sg.name = null;
    model.metadata = [];
    model.signatureDefs = [];
    const op = sg.operators[0];
    assert.ok(op !== undefined);
    op.customOptions = new Uint8Array(0);
    op.intermediates = [];
    model.buffers.push({ data: new Uint8Array(0) }); // present but empty
    const back = readModel(assertStable(model));
    assert.equal(back.subgraphs[0]?.tensors[0]?.quantization, null);
    assert.deepEqual(back.subgraphs[0]?.tensors[1]?.quantization?.scale, null);
    assert.deepEqual(back.buffers.at(-1)?.data, new Uint8Array(0));
  });

  test("int64 zero points beyond 32 bits and per-axis quantization survive", () => {
    const g = new GraphBuilder();
    const x = g.tensor("x", "int16", [1, 3], {
      quantization: {
        min: [-1],
        max: [1],
        scale: [0.5],
        zeroPoint: [2 ** 40],
        quantizedDimension: 0,
      },
    });
    const y = g.tensor("y", "int16", [1, 3], {
      quantization: {
        min: null,
        max: null,
        scale: [1, 2, 3],
        zeroPoint: [0, -1, 1],
        quantizedDimension: 1,
      },
    });
    g.op("RELU", [x], [y]);
    assertStable(g.io([x], [y]).build());
  });
});

describe("writeModel layout", () => {
  test("TFL3 identifier, schema version 3, empty buffer 0, no data field for activations", () => {
    const model = everyOpModel();
    const bytes = writeModel(model);
    assert.equal(String.fromCharCode(...bytes.subarray(4, 8)), "TFL3");
    assert.equal(fb(bytes).version(), 3);
    assert.equal(dataPosition(bytes, 0), null);
    const sg = model.subgraphs[0];
    assert.ok(sg !== undefined);
    for (const t of sg.tensors) {
      const hasData = model.buffers[t.buffer]?.data != null;
      assert.equal(dataPosition(bytes, t.buffer) !== null, hasData, t.name);
    }
  });

  test("constant data starts on a 16-byte boundary by default, on 4 with dataAlignment 1", () => {
    const model = everyOpModel();
    const aligned = writeModel(model);
    const packed = writeModel(model, { dataAlignment: 1 });
    let misaligned16 = 0;
    model.buffers.forEach((b, i) => {
      if (b.data === null) return;
      assert.equal((dataPosition(aligned, i) ?? -1) % DATA_ALIGNMENT, 0, `buffer ${i}`);
      // The 4-byte length prefix keeps packed data 4-aligned; some start off the 16 grid.
      assert.equal((dataPosition(packed, i) ?? -1) % 4, 0, `buffer ${i}`);
      if ((dataPosition(packed, i) ?? 0) % 16 !== 0) misaligned16++;
    });
    assert.ok(misaligned16 > 0, "dataAlignment 1 should differ from 16 on this model");
    // A model read from a file keeps that file's alignment when written again.
    assert.deepEqual(writeModel(readModel(packed)), packed);
    assert.deepEqual(writeModel(readModel(aligned)), aligned);
  });

  test("builtin_code and deprecated_builtin_code: both set, deprecated = min(code, 127)", () => {
    const g = new GraphBuilder();
    const x = g.tensor("x", "float32", [4]);
    const y = g.tensor("y", "float32", [4]);
    const z = g.tensor("z", "float32", [4]);
    g.op("CONV_2D", [x], [y], SAMPLE_OPTIONS.conv);
    g.op(150, [y], [z]); // GELU
    const bytes = writeModel(g.io([x], [z]).build());
    const codes = [0, 1].map((i) => fb(bytes).operatorCodes(i));
    assert.deepEqual(
      codes.map((c) => [c?.builtinCode(), c?.deprecatedBuiltinCode()]),
      [
        [3, 3],
        [150, 127],
      ],
    );
    assert.equal(readModel(bytes).operatorCodes[1]?.builtinCode, 150);
  });

  test("an options union value newer than the schema is refused, naming the operator", () => {
    const model = oneOpModel(250, { type: "UnknownOptions", unionType: 200 });
    assert.throws(
      () => writeModel(model),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        /operator #0 \(BUILTIN_250\)/.test(e.message) &&
        /union type 200/.test(e.message),
    );
  });

  test("the writer runs the reader's checks on the IR", () => {
    const model = oneOpModel("RELU", null);
    const op = model.subgraphs[0]?.operators[0];
    assert.ok(op !== undefined);
    op.inputs = [7];
    assert.throws(
      () => writeModel(model),
      /operator #0 \(RELU\): input 0 refers to tensor 7, but the subgraph has 2 tensors/,
    );
  });
});
