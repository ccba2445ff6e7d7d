import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { validatePayload } from "../../labextension/src/validate";
import {
  errorPayload,
  progressPayload,
  rangePayload,
  tablePayload,
  weightsPayload,
} from "../browser/samplePayloads";

function errorOf(data: unknown): string {
  const v = validatePayload(data);
  assert.equal(v.ok, false, "expected the payload to be refused");
  return v.ok ? "" : v.error;
}

describe("validatePayload", () => {
  test("accepts one payload of each kind, after a JSON round trip (as a notebook stores it)", () => {
    for (const p of [
      rangePayload(),
      errorPayload(),
      weightsPayload(),
      tablePayload(),
      progressPayload(),
    ]) {
      const v = validatePayload(JSON.parse(JSON.stringify(p)));
      assert.ok(v.ok, v.ok ? "" : v.error);
      assert.equal(v.payload.kind, p.kind);
    }
  });

  test("an unknown kind names the kinds it knows", () => {
    assert.match(
      errorOf({ kind: "sparkline" }),
      /payload\.kind: expected one of range, error, weights, table, progress, model, qparams, calibration, found "sparkline"/,
    );
  });

  test("not an object at all", () => {
    assert.match(errorOf("hello"), /payload: expected an object, found "hello"/);
    assert.match(errorOf(null), /payload: expected an object, found null/);
  });

  test("the first bad field is named with its path, expected and found", () => {
    const range = JSON.parse(JSON.stringify(rangePayload()));
    delete range.histogram;
    assert.match(errorOf(range), /payload\.histogram: expected an object, found undefined/);

    const bits = { ...rangePayload(), bits: 1 };
    assert.match(errorOf(bits), /payload\.bits: expected an integer in 2\.\.16, found 1/);

    const inverted = { ...rangePayload(), range: { min: 2, max: 1 } };
    assert.match(errorOf(inverted), /payload\.range\.max: expected >= min \(2\), found 1/);

    const weights = { ...weightsPayload(), channelMax: [1, 2] };
    assert.match(errorOf(weights), /payload\.channelMax: expected 16 numbers, found "2 numbers"/);

    const errors = errorPayload();
    const layer = errors.layers[2];
    assert.ok(layer);
    const bad = { ...errors, layers: [errors.layers[0], { ...layer, mse: "big" }] };
    assert.match(errorOf(bad), /payload\.layers\[1\]\.mse: expected a finite number, found "big"/);

    // NaN does not survive JSON, but a payload built in the page could carry one
    const nan = { ...progressPayload(), done: NaN };
    assert.match(errorOf(nan), /payload\.done: expected a finite number/);

    const table = { ...tablePayload(), baseline: "fp64" };
    assert.match(
      errorOf(table),
      /payload\.baseline: expected one of the rows' variants \(float32, .*\), found "fp64"/,
    );
  });
});
