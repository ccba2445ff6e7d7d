// Format features tsquant does not interpret but carries from file to file: quantization
// details, mutating_variable_inputs, custom_options_format, debug_metadata_index (operator and
// subgraph), the deprecated metadata_buffer, builtin_options_2 next to intermediates and custom
// options, and several subgraphs with signatures and metadata.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { ModelFormatError } from "../errors";
import { readModel } from "./reader";
import { carriedFeaturesModel } from "./options-samples";
import { writeModel } from "./writer";

describe("carried format features", () => {
  test("survive write → read → write, byte-identical the second time", () => {
    const model = carriedFeaturesModel();
    const bytes = writeModel(model);
    const back = readModel(bytes);
    assert.deepEqual(back, model);
    assert.ok(Buffer.from(writeModel(back)).equals(Buffer.from(bytes)));
    const op = back.subgraphs[0]?.operators[0];
    assert.deepEqual(op?.mutatingVariableInputs, [false, true, false]);
    assert.equal(
      back.subgraphs[0]?.tensors[1]?.quantization?.details?.type,
      "BlockwiseQuantization",
    );
  });

  test("a debug_metadata_index of -1 and a custom_options_format of 0 stay absent", () => {
    const model = carriedFeaturesModel();
    const op = model.subgraphs[0]?.operators[0];
    assert.ok(op !== undefined);
    op.debugMetadataIndex = -1;
    const back = readModel(writeModel(model));
    assert.equal("debugMetadataIndex" in (back.subgraphs[0]?.operators[0] ?? {}), false);
  });

  test("a wrong builtin_options_2 table for the op is refused, naming both", () => {
    const model = carriedFeaturesModel();
    const op = model.subgraphs[0]?.operators[1];
    assert.ok(op !== undefined);
    op.builtinOptions2 = { type: "StablehloCaseOptions", branchSubgraphIndices: [1] };
    assert.throws(
      () => writeModel(model),
      (e: unknown) =>
        e instanceof ModelFormatError &&
        /\(STABLEHLO_COMPOSITE\) carries StablehloCaseOptions in builtin_options_2, expected StableHLOCompositeOptions/.test(
          e.message,
        ),
    );
  });
});
