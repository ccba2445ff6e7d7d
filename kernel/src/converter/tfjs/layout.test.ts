import { test } from "node:test";
import assert from "node:assert/strict";
import { depthwiseShape, hwioToOhwi, transpose2d } from "./layout";

test("hwioToOhwi: out[o, y, x, i] = kernel[y, x, i, o] (hand-computed)", () => {
  // kernel [kh=1, kw=2, in=2, out=3] holding its own flat index: kernel[0, x, i, o] =
  // (x·2 + i)·3 + o. Output order (o, x, i): o=0 → 0, 3, 6, 9; o=1 → 1, 4, 7, 10; o=2 → 2, 5, 8, 11.
  const kernel = Float32Array.from({ length: 12 }, (_, k) => k);
  assert.deepEqual([...hwioToOhwi(kernel, 1, 2, 2, 3)], [0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11]);
});

test("transpose2d: Dense [in=2, out=3] → [out, in]", () => {
  // [[0, 1, 2], [3, 4, 5]] → [[0, 3], [1, 4], [2, 5]].
  assert.deepEqual([...transpose2d(Float32Array.of(0, 1, 2, 3, 4, 5), 2, 3)], [0, 3, 1, 4, 2, 5]);
});

test("depthwise [kh, kw, in, mult] → [1, kh, kw, in·mult]", () => {
  assert.deepEqual(depthwiseShape(3, 2, 4, 2), [1, 3, 2, 8]);
});
