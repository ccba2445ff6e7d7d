import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { bestValues, deriveRows, sortRows } from "../../labextension/src/tableMath";
import { tablePayload } from "../browser/samplePayloads";

describe("comparison table", () => {
  const rows = deriveRows(tablePayload());

  test("Δ accuracy and compression ratio against the float baseline", () => {
    const byName = new Map(rows.map((r) => [r.variant, r]));
    assert.equal(byName.get("float32")?.accuracyDelta, 0);
    assert.equal(byName.get("float32")?.compressionRatio, 1);
    // int8: 0.9905 - 0.9912 = -0.0007; 412648 / 108200 = 3.8138...
    const int8 = byName.get("int8");
    assert.ok(int8);
    assert.ok(Math.abs(int8.accuracyDelta - -0.0007) < 1e-12);
    assert.ok(Math.abs(int8.compressionRatio - 412648 / 108200) < 1e-12);
  });

  test("sorting is stable, both ways, and unmeasured latency sorts last either way", () => {
    const asc = sortRows(rows, "latencyMs", "asc").map((r) => r.variant);
    assert.deepEqual(asc, [
      "int8 only",
      "int8",
      "dynamic range",
      "float32",
      "float16",
      "int8 (QAT)",
    ]);
    const desc = sortRows(rows, "latencyMs", "desc").map((r) => r.variant);
    assert.deepEqual(desc, [
      "float16",
      "float32",
      "dynamic range",
      "int8",
      "int8 only",
      "int8 (QAT)",
    ]);
    // equal sizes (int8 and int8 (QAT), both 108200) keep their input order
    const bySize = sortRows(rows, "sizeBytes", "asc").map((r) => r.variant);
    assert.deepEqual(bySize.slice(0, 3), ["dynamic range", "int8", "int8 (QAT)"]);
    const byName = sortRows(rows, "variant", "asc").map((r) => r.variant);
    assert.equal(byName[0], "dynamic range");
  });

  test("best values: highest accuracy, smallest size, lowest measured latency", () => {
    const best = bestValues(rows);
    assert.equal(best.accuracy, 0.9914);
    assert.equal(best.sizeBytes, 106512);
    assert.equal(best.latencyMs, 0.39);
    assert.equal(best.compressionRatio, 412648 / 106512);
    assert.equal(best.variant, undefined);
  });
});
