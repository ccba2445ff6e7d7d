/**
 * Shared steps of the LiteRT parity tests: run a fixture model in tsquant's Interpreter on a
 * stack of samples (one invoke, the batch dimension resized), and compare arrays the way the
 * parity contract says: integer tensors bit for bit, float tensors within 1e-5 relative.
 */
import assert from "node:assert/strict";
import { Interpreter } from "../../kernel/src/interpreter";
import type { NDArray } from "../../kernel/src/ir";
import { fixtureModelBytes, type FixtureModel } from "../helpers/fixtures";

/** Relative tolerance for float outputs: |a − b| ≤ 1e-5 · max(1, max |b|) over the tensor. */
export const FLOAT_RTOL = 1e-5;

/** Run fixture `name` on `x` ([N, …] samples stacked on axis 0) in one invoke; output 0. */
export function runTsquant(name: FixtureModel, x: NDArray): NDArray {
  const it = new Interpreter({ modelContent: fixtureModelBytes(name) });
  const [input] = it.getInputDetails();
  const [output] = it.getOutputDetails();
  assert.ok(input !== undefined && output !== undefined);
  const n = x.shape[0] ?? 0;
  it.resizeTensorInput(input.index, [n, ...input.shape.slice(1)]);
  it.allocateTensors();
  it.setTensor(input.index, x.data);
  it.invoke();
  return it.getTensor(output.index);
}

/** Largest |a − b| and the number of differing elements. */
export function diff(a: NDArray, b: NDArray): { maxAbs: number; count: number; maxB: number } {
  assert.equal(a.data.length, b.data.length, "element counts differ");
  let maxAbs = 0;
  let count = 0;
  let maxB = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = Number(a.data[i]);
    const y = Number(b.data[i]);
    const d = Math.abs(x - y);
    if (d > 0 || Number.isNaN(d)) count++;
    if (d > maxAbs) maxAbs = d;
    if (Math.abs(y) > maxB) maxB = Math.abs(y);
  }
  return { maxAbs, count, maxB };
}

/** Integer dtypes must match exactly; float ones within FLOAT_RTOL of the tensor's scale. */
export function assertParity(ours: NDArray, theirs: NDArray, what: string): void {
  assert.equal(ours.dtype, theirs.dtype, `${what}: dtype`);
  const d = diff(ours, theirs);
  if (ours.dtype === "float32") {
    const bound = FLOAT_RTOL * Math.max(1, d.maxB);
    assert.ok(
      d.maxAbs <= bound,
      `${what}: max |Δ| ${d.maxAbs} > ${bound} (${d.count} elements differ)`,
    );
  } else {
    assert.equal(d.count, 0, `${what}: ${d.count} elements differ, max |Δ| ${d.maxAbs}`);
  }
}

/** Top-1 class of each row of a [N, classes] output. */
export function argmaxRows(y: NDArray): Int32Array {
  const classes = y.shape[y.shape.length - 1] ?? 1;
  const n = y.data.length / classes;
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++) {
      if (Number(y.data[r * classes + c]) > Number(y.data[r * classes + best])) best = c;
    }
    out[r] = best;
  }
  return out;
}
