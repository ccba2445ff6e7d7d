// TF-made files whose ops carry options tables beyond the basic CNN ones (test/fixtures/options,
// made by test/fixtures/make_options_fixtures.py): reading then writing is byte-identical, and
// the options read are the ones the Keras models asked for.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { opName } from "../ir";
import type { BuiltinOptions, Model } from "../ir";
import { readModel } from "./reader";
import { writeModel } from "./writer";

const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..", "..");
const dir = join(root, "test", "fixtures", "options");
const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".tflite")) : [];

function load(name: string): [Uint8Array, Model] {
  const bytes = new Uint8Array(readFileSync(join(dir, name)));
  return [bytes, readModel(bytes, { file: name })];
}

/** Options of every operator of op `op` in any subgraph. */
function optionsOf(model: Model, op: string): (BuiltinOptions | null)[] {
  return model.subgraphs.flatMap((sg) =>
    sg.operators
      .filter((o) => opName(model.operatorCodes[o.opcodeIndex]?.builtinCode ?? -1) === op)
      .map((o) => o.builtinOptions),
  );
}

describe("TF-made files with newly modelled options", () => {
  test("the files are present", () => {
    assert.deepEqual(files.sort(), ["rnn_float32.tflite", "zoo_float32.tflite"]);
  });

  for (const name of files) {
    test(`${name}: read then write is byte-identical`, () => {
      const [bytes, model] = load(name);
      const out = writeModel(model);
      assert.equal(out.length, bytes.length);
      assert.ok(Buffer.from(out).equals(Buffer.from(bytes)), "bytes differ");
    });
  }

  test("zoo: TRANSPOSE_CONV, LEAKY_RELU, GATHER, SELECT_V2, SPLIT, ARG_MAX as Keras built them", () => {
    const [, model] = load("zoo_float32.tflite");
    assert.deepEqual(optionsOf(model, "TRANSPOSE_CONV"), [
      {
        type: "TransposeConvOptions",
        padding: "SAME",
        strideW: 2,
        strideH: 2,
        fusedActivationFunction: "NONE",
        quantizedBiasType: 0,
      },
    ]);
    assert.deepEqual(optionsOf(model, "LEAKY_RELU"), [
      { type: "LeakyReluOptions", alpha: Math.fround(0.2) },
    ]);
    assert.deepEqual(optionsOf(model, "GATHER"), [
      { type: "GatherOptions", axis: 1, batchDims: 0 },
    ]);
    assert.deepEqual(optionsOf(model, "SELECT_V2"), [{ type: "SelectV2Options" }]);
    assert.deepEqual(optionsOf(model, "SPLIT"), [{ type: "SplitOptions", numSplits: 2 }]);
    assert.deepEqual(optionsOf(model, "ARG_MAX"), [{ type: "ArgMaxOptions", outputType: "int32" }]);
  });

  test("rnn: five subgraphs, WHILE ops pointing at their cond and body, signature and metadata", () => {
    const [, model] = load("rnn_float32.tflite");
    assert.equal(model.subgraphs.length, 5);
    const whiles = optionsOf(model, "WHILE");
    assert.deepEqual(whiles, [
      { type: "WhileOptions", condSubgraphIndex: 1, bodySubgraphIndex: 2 },
      { type: "WhileOptions", condSubgraphIndex: 3, bodySubgraphIndex: 4 },
    ]);
    assert.ok(model.subgraphs[1]?.name?.endsWith("while_cond"));
    assert.ok(model.subgraphs[2]?.name?.endsWith("while_body"));
    assert.deepEqual(
      model.signatureDefs?.map((d) => d.signatureKey),
      ["serving_default"],
    );
    assert.deepEqual(
      model.metadata?.map((m) => m.name),
      ["min_runtime_version", "CONVERSION_METADATA"],
    );
  });
});
