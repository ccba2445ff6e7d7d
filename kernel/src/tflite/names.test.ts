// Ops are named by their schema name in messages, also those tsquant has no kernel for and those
// past the signed-byte code range (HARD_SWISH = 117, STABLEHLO_COMPOSITE = 206).
import { test } from "node:test";
import assert from "node:assert/strict";
import { ModelFormatError, UnsupportedError } from "../errors";
import { Interpreter } from "../interpreter/interpreter";
import { buildModel } from "../interpreter/testing";
import { readModel } from "./reader";
import { writeModel } from "./writer";
import { GraphBuilder } from "./testing";

test("an op without a kernel is named HARD_SWISH, not BUILTIN_117", () => {
  // int32 HARD_SWISH: no runtime has a kernel for it.
  const model = buildModel(
    [
      { dtype: "int32", shape: [4] },
      { dtype: "int32", shape: [4] },
    ],
    [{ op: "HARD_SWISH", inputs: [0], outputs: [1] }],
  );
  const it = new Interpreter({ model: readModel(writeModel(model)) });
  assert.throws(
    () => it.allocateTensors(),
    (e: unknown) =>
      e instanceof UnsupportedError &&
      e.message.includes("HARD_SWISH (op #0)") &&
      !e.message.includes("BUILTIN_"),
  );
});

test("the validator names the op and both tables by their schema names", () => {
  const g = new GraphBuilder();
  const x = g.tensor("x", "float32", [2]);
  const y = g.tensor("y", "float32", [2]);
  g.op("STABLEHLO_COMPOSITE", [x], [y], { type: "LeakyReluOptions", alpha: 0.5 });
  assert.throws(
    () => writeModel(g.io([x], [y]).build()),
    (e: unknown) =>
      e instanceof ModelFormatError &&
      /operator #0 \(STABLEHLO_COMPOSITE\) carries LeakyReluOptions, expected no options/.test(
        e.message,
      ),
  );
});
