/**
 * WHILE and IF on hand-built multi-subgraph models, in tsquant's interpreter and in LiteRT
 * BUILTIN_REF. The loop condition is a bool carried through the loop: the body rotates three
 * flags (f1, f2, f3) → (f2, f3, f1) and applies TANH to x, and cond returns f1, so the number of
 * iterations is set by the initial flags (0 to 2 here). IF picks TANH or LOGISTIC of x.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ModelFormatError, UnsupportedError } from "../../kernel/src/errors";
import { Interpreter } from "../../kernel/src/interpreter";
import { buildSubgraphModel, type TensorSpec } from "../../kernel/src/interpreter/testing";
import type { Model, NDArray } from "../../kernel/src/ir";
import { writeModel } from "../../kernel/src/tflite/writer";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";
import { assertParity } from "./parity";

const X: TensorSpec = { dtype: "float32", shape: [1, 4] };
const FLAG: TensorSpec = { dtype: "bool", shape: [1] };
const xs = Float32Array.from([0.9, -1.7, 2.5, 0.01]);

/** WHILE(x, f1, f2, f3) with the rotating-flags body; `reshape` makes the body's x [4, 1]. */
function whileModel(reshape = false): Model {
  return buildSubgraphModel([
    {
      tensors: [X, FLAG, FLAG, FLAG, X, FLAG, FLAG, FLAG],
      ops: [
        {
          op: "WHILE",
          inputs: [0, 1, 2, 3],
          outputs: [4, 5, 6, 7],
          options: { type: "WhileOptions", condSubgraphIndex: 1, bodySubgraphIndex: 2 },
        },
      ],
      inputs: [0, 1, 2, 3],
      outputs: [4, 5, 6, 7],
    },
    // cond: f1
    { tensors: [X, FLAG, FLAG, FLAG], ops: [], inputs: [0, 1, 2, 3], outputs: [1] },
    // body: (tanh(x), f2, f3, f1), the flags copied by RESHAPE (see the README on a body that
    // returns its own inputs permuted).
    {
      tensors: [
        X,
        FLAG,
        FLAG,
        FLAG,
        reshape ? { dtype: "float32", shape: [4, 1] } : X,
        FLAG,
        FLAG,
        FLAG,
      ],
      ops: [
        reshape
          ? {
              op: "RESHAPE",
              inputs: [0],
              outputs: [4],
              options: { type: "ReshapeOptions", newShape: [4, 1] },
            }
          : { op: "TANH", inputs: [0], outputs: [4] },
        ...[2, 3, 1].map((from, k) => ({
          op: "RESHAPE" as const,
          inputs: [from],
          outputs: [5 + k],
          options: { type: "ReshapeOptions" as const, newShape: [1] },
        })),
      ],
      inputs: [0, 1, 2, 3],
      outputs: [4, 5, 6, 7],
    },
  ]);
}

function ifModel(): Model {
  return buildSubgraphModel([
    {
      tensors: [FLAG, X, X],
      ops: [
        {
          op: "IF",
          inputs: [0, 1],
          outputs: [2],
          options: { type: "IfOptions", thenSubgraphIndex: 1, elseSubgraphIndex: 2 },
        },
      ],
      inputs: [0, 1],
      outputs: [2],
    },
    {
      tensors: [X, X],
      ops: [{ op: "TANH", inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    },
    {
      tensors: [X, X],
      ops: [{ op: "LOGISTIC", inputs: [0], outputs: [1] }],
      inputs: [0],
      outputs: [1],
    },
  ]);
}

const flags = (...b: boolean[]): NDArray[] =>
  b.map((v) => ({ data: Uint8Array.of(v ? 1 : 0), shape: [1], dtype: "bool" }));

function runOurs(model: Model, inputs: NDArray[]): NDArray[] {
  const it = new Interpreter({ model });
  it.allocateTensors();
  it.getInputDetails().forEach((d, i) => {
    const v = inputs[i];
    if (v !== undefined) it.setTensor(d.index, v.data);
  });
  it.invoke();
  return it.getOutputDetails().map((d) => it.getTensor(d.index));
}

describe("WHILE and IF vs LiteRT BUILTIN_REF", { skip: !liteRTAvailable() }, () => {
  const x: NDArray = { data: xs, shape: [1, 4], dtype: "float32" };
  // Initial flags → iterations: (F,·,·) 0; (T,F,F) 1; (T,T,F) 2.
  for (const [f, iterations] of [
    [[false, true, true], 0],
    [[true, false, false], 1],
    [[true, true, false], 2],
  ] as const) {
    test(`WHILE: ${iterations} iteration(s) from flags ${f.join(", ")}`, async () => {
      const model = whileModel();
      const inputs = [x, ...flags(...f)];
      const ours = runOurs(model, inputs);
      const theirs = await runLiteRT(writeModel(model), inputs);
      assert.equal(ours.length, 4);
      ours.forEach((o, i) => {
        const ref = theirs.outputs[i];
        assert.ok(ref !== undefined);
        assertParity({ ...o, shape: ref.shape }, ref, `output ${i}`);
      });
      // x went through TANH `iterations` times (float32 tanh of float32 values).
      let expected = xs;
      for (let k = 0; k < iterations; k++)
        expected = expected.map((v) => Math.fround(Math.tanh(v)));
      assert.deepEqual(ours[0]?.data, expected);
    });
  }

  for (const cond of [true, false]) {
    test(`IF: ${cond ? "then (TANH)" : "else (LOGISTIC)"}`, async () => {
      const model = ifModel();
      const inputs = [...flags(cond), x];
      const [ours] = runOurs(model, inputs);
      const theirs = await runLiteRT(writeModel(model), inputs);
      const [ref] = theirs.outputs;
      assert.ok(ours !== undefined && ref !== undefined);
      assertParity({ ...ours, shape: ref.shape }, ref, "IF output");
      const tanh = xs.map((v) => Math.fround(Math.tanh(v)));
      if (cond) assert.deepEqual(ours.data, tanh);
      else assert.notDeepEqual(ours.data, tanh);
    });
  }
});

describe("WHILE and IF: refusals", () => {
  test("a body whose output shape differs from its input is refused by name", () => {
    const it = new Interpreter({ model: whileModel(true) });
    assert.throws(
      () => it.allocateTensors(),
      (e: unknown) =>
        e instanceof Error &&
        /WHILE \(op #0\).*body subgraph 2 has shape \[4, 1\].*\[1, 4\]/.test(e.message),
    );
  });

  test("an IF whose condition is not bool is refused", () => {
    const model = ifModel();
    const sg = model.subgraphs[0];
    const t = sg?.tensors[0];
    assert.ok(t !== undefined);
    t.type = "float32";
    const it = new Interpreter({ model });
    assert.throws(
      () => it.allocateTensors(),
      (e: unknown) => e instanceof UnsupportedError && /input 0 't0' must be bool/.test(e.message),
    );
  });

  test("a WHILE naming a missing subgraph is a format error", () => {
    const model = whileModel();
    const op = model.subgraphs[0]?.operators[0];
    assert.ok(op !== undefined);
    op.builtinOptions = { type: "WhileOptions", condSubgraphIndex: 1, bodySubgraphIndex: 7 };
    const it = new Interpreter({ model });
    assert.throws(
      () => it.allocateTensors(),
      (e: unknown) => e instanceof ModelFormatError && /subgraph 7 does not exist/.test(e.message),
    );
  });
});
