/**
 * Recurrent models and control flow vs LiteRT BUILTIN_REF: TF's fused LSTM
 * (UNIDIRECTIONAL_SEQUENCE_LSTM, state in variable tensors) run on several sequences in a row —
 * the state carried from invoke to invoke, then reset with `resetAllVariables()` — and
 * hand-built WHILE / IF models. Fixtures: test/fixtures/recurrent/ (make_recurrent.py).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, test } from "node:test";
import { loadNpy } from "../../kernel/src/data/npy";
import { UnsupportedError } from "../../kernel/src/errors";
import { Interpreter } from "../../kernel/src/interpreter";
import type { NDArray } from "../../kernel/src/ir";
import { liteRTAvailable, REPO_ROOT, runLiteRT } from "../helpers/litert";
import { assertParity } from "./parity";

const DIR = join(REPO_ROOT, "test", "fixtures", "recurrent");
const fixture = (name: string): string => join(DIR, name);

/** Sample `i` of a stack of samples (axis 0), with a leading batch dimension of 1. */
function sample(x: NDArray, i: number): NDArray<Float32Array> {
  const [, ...rest] = x.shape;
  const n = rest.reduce((a, b) => a * b, 1);
  if (!(x.data instanceof Float32Array)) throw new Error("float32 samples expected");
  return { data: x.data.slice(i * n, (i + 1) * n), shape: [1, ...rest], dtype: "float32" };
}

/**
 * tsquant's outputs on every sample, one invoke each, stacked on axis 0; the variables are
 * reset before invokes 0, K, 2K, … when `resetEvery` is K (else never: the state carries).
 */
function runOurs(model: string, x: NDArray, resetEvery?: number): NDArray {
  const it = new Interpreter({ modelPath: model });
  it.allocateTensors();
  const [input] = it.getInputDetails();
  const [output] = it.getOutputDetails();
  if (input === undefined || output === undefined) throw new Error("no input or output");
  const n = x.shape[0] ?? 0;
  const rows: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    if (resetEvery !== undefined && i % resetEvery === 0) it.resetAllVariables();
    it.setTensor(input.index, sample(x, i));
    it.invoke();
    const y = it.getTensor(output.index).data;
    if (!(y instanceof Float32Array)) throw new Error("float32 output expected");
    rows.push(y);
  }
  const width = rows[0]?.length ?? 0;
  const data = new Float32Array(n * width);
  rows.forEach((r, i) => data.set(r, i * width));
  return { data, shape: [n, ...output.shape.slice(1)], dtype: "float32" };
}

describe("fused LSTM fixtures vs LiteRT BUILTIN_REF", { skip: !liteRTAvailable() }, () => {
  const seq = loadNpy(fixture("rnn_seq_float32.npy"));
  for (const name of ["rnn_lstm_float32", "rnn_lstm_dynamic"]) {
    for (const resetEvery of [undefined, 1, 3]) {
      const how =
        resetEvery === undefined ? "state carried over 6 invokes" : `reset every ${resetEvery}`;
      test(`${name}: ${how}`, async () => {
        const path = fixture(`${name}.tflite`);
        const ours = runOurs(path, seq, resetEvery);
        const theirs = await runLiteRT(path, [seq], { resetEvery });
        const [ref] = theirs.outputs;
        assert.ok(ref !== undefined);
        assertParity(ours, ref, `${name} (${how})`);
      });
    }
  }

  test("the state matters: carried and reset runs differ after the first invoke", () => {
    const path = fixture("rnn_lstm_float32.tflite");
    const carried = runOurs(path, seq);
    const reset = runOurs(path, seq, 1);
    assert.deepEqual(carried.data.slice(0, 4), reset.data.slice(0, 4));
    assert.notDeepEqual(carried.data.slice(4), reset.data.slice(4));
  });
});

/**
 * TF's WHILE-loop files: Keras 3 LSTM and GRU (their bodies use GATHER, SPLIT, LESS, SUB …) and
 * tf.while_loop + tf.cond (LESS, SUM, GREATER, int32 ADD). Kernels for those ops are written on
 * other branches; until they are merged, a file whose ops are not all supported is skipped with
 * the interpreter's own message naming the first missing op.
 */
describe("TF WHILE/IF fixtures vs LiteRT BUILTIN_REF", { skip: !liteRTAvailable() }, () => {
  const seq = loadNpy(fixture("rnn_seq_float32.npy"));
  const stored = loadNpy(fixture("rnn_h_float32.npy"));
  // Stored as [n, 1, 16]; the while/cond function's input 'h' is [1, 16]: one sample per row.
  const h = { ...stored, shape: [stored.shape[0] ?? 0, 16] };
  for (const [name, x] of [
    ["rnn_lstm_k3_float32", seq],
    ["rnn_gru_float32", seq],
    ["rnn_while_cond_float32", h],
  ] as const) {
    test(name, async (t) => {
      const path = fixture(`${name}.tflite`);
      try {
        new Interpreter({ modelPath: path }).allocateTensors();
      } catch (e) {
        if (e instanceof UnsupportedError) {
          t.skip(e.message);
          return;
        }
        throw e;
      }
      const ours = runOurs(path, x);
      const theirs = await runLiteRT(path, [x]);
      const [ref] = theirs.outputs;
      assert.ok(ref !== undefined);
      assertParity({ ...ours, shape: ref.shape }, ref, name);
    });
  }
});
