// The forms a sample may take (a list by input position, a record by tensor or signature name,
// the single input of a one-input model) give the same calibration; wrong ones are ShapeErrors
// naming the input.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { ShapeError } from "../errors";
import type { Model } from "../ir";
import { buildModel } from "../interpreter/testing";
import { calibrate } from "./calibrate";
import { type AnySample, modelInputs, orderSample } from "./samples";

/** out = a + b, inputs "a" (signature "left") and "b" (signature "right"), each [1, 3]. */
function addModel(): Model {
  const m = buildModel(
    [
      { dtype: "float32", shape: [1, 3], name: "a" },
      { dtype: "float32", shape: [1, 3], name: "b" },
      { dtype: "float32", shape: [1, 3], name: "out" },
    ],
    [
      {
        op: "ADD",
        inputs: [0, 1],
        outputs: [2],
        options: { type: "AddOptions", fusedActivationFunction: "NONE", potScaleInt16: true },
      },
    ],
  );
  m.signatureDefs = [
    {
      signatureKey: "serving_default",
      subgraphIndex: 0,
      inputs: [
        { name: "left", tensorIndex: 0 },
        { name: "right", tensorIndex: 1 },
      ],
      outputs: [{ name: "sum", tensorIndex: 2 }],
    },
  ];
  return m;
}

const A = [Float32Array.of(1, -2, 3), Float32Array.of(0.5, 4, -1)];
const B = [Float32Array.of(-7, 2, 0), Float32Array.of(1, 1, 6)];

describe("representative dataset sample forms", () => {
  test("list, record by tensor name, by signature name and mixed give the same ranges", async () => {
    const forms: AnySample[][] = [
      A.map((a, i) => [a, B[i] ?? a]),
      A.map((a, i) => ({ a, b: B[i] ?? a })),
      A.map((a, i) => ({ right: B[i] ?? a, left: a })),
      A.map((a, i) => ({ left: { data: a, shape: [1, 3] }, b: Array.from(B[i] ?? a) })),
    ];
    const results = [];
    for (const form of forms) {
      for (const executor of ["batched", "interpreter"] as const) {
        const r = await calibrate(addModel(), form, { executor });
        results.push(r.tensors.map((t) => [t.name, t.min, t.max]));
      }
    }
    assert.deepEqual(results[0], [
      ["a", -2, 4],
      ["b", -7, 6],
      ["out", -6, 5],
    ]);
    for (const r of results) assert.deepEqual(r, results[0]);
  });

  test("a one-input model takes the input itself: a typed array, an NDArray or a number list", async () => {
    const one = buildModel(
      [
        { dtype: "float32", shape: [1, 3], name: "x" },
        { dtype: "float32", shape: [1, 3], name: "y" },
      ],
      [{ op: "RELU", inputs: [0], outputs: [1] }],
    );
    const forms: AnySample[][] = [
      A.map((a) => [a]),
      A.map((a) => a),
      A.map((a) => ({ data: a, shape: [1, 3], dtype: "float32" as const })),
      A.map((a) => Array.from(a)),
      A.map((a) => ({ x: a })),
    ];
    const ranges = [];
    for (const form of forms) {
      const r = await calibrate(one, form);
      ranges.push(r.tensors.map((t) => [t.name, t.min, t.max]));
    }
    assert.deepEqual(ranges[0], [
      ["x", -2, 4],
      ["y", 0, 4],
    ]);
    for (const r of ranges) assert.deepEqual(r, ranges[0]);
  });

  test("errors name the input: missing, unknown, twice, single array for two inputs", () => {
    const inputs = modelInputs(addModel(), "t");
    const cases: [AnySample, RegExp][] = [
      [{ a: A[0] ?? [] }, /s has no value for input 'b' \(signature 'right'\); the record has 'a'/],
      [
        { a: A[0] ?? [], c: A[0] ?? [] },
        /s has an input named 'c'; the model's inputs are 'a' \(signature 'left'\), 'b' \(signature 'right'\)/,
      ],
      [{ a: A[0] ?? [], left: A[0] ?? [] }, /s gives input 'a' \(signature 'left'\) twice/],
      [A[0] ?? [], /s is a single array but the model has 2 inputs/],
      [[A[0] ?? []], /s has 1 inputs; the model has 2/],
    ];
    for (const [sample, why] of cases) {
      assert.throws(
        () => orderSample(sample, inputs, "s"),
        (e: unknown) => e instanceof ShapeError && why.test(e.message),
        String(why),
      );
    }
  });

  test("calibrate reports the sample index with a record error", async () => {
    await assert.rejects(
      calibrate(addModel(), [{ a: A[0] ?? [], b: B[0] ?? [] }, { a: A[1] ?? [] }]),
      (e: unknown) =>
        e instanceof ShapeError && /calibrate: sample 1 has no value for input 'b'/.test(e.message),
    );
  });
});
