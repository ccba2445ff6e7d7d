import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { deflateRawSync } from "node:zlib";
import { DataFormatError } from "../errors";
import type { NDArray } from "../ir";
import { crc32, readNpz, writeNpz } from "./npz";

// Written by numpy 2.4.6 into a BytesIO, base64-encoded; the expression is beside each one.
const GOLDEN = {
  // np.savez(f, a=np.array([[1.5, -2, 3], [4, 5, 0.25]], dtype="<f4"), ids=np.array([7, -1], dtype="<i4"))
  stored:
    "UEsDBC0AAAAAAAAAIQBtZ9iV//////////8FABQAYS5ucHkBABAAmAAAAAAAAACYAAAAAAAAAJNOVU1QWQEAdgB7J2Rlc2NyJzogJzxmNCcsICdmb3J0cmFuX29yZGVyJzogRmFsc2UsICdzaGFwZSc6ICgyLCAzKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAKAADAPwAAAMAAAEBAAACAQAAAoEAAAIA+UEsDBC0AAAAAAAAAIQDkGHef//////////8HABQAaWRzLm5weQEAEACIAAAAAAAAAIgAAAAAAAAAk05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoHAAAA/////1BLAQItAy0AAAAAAAAAIQBtZ9iVmAAAAJgAAAAFAAAAAAAAAAAAAACAAQAAAABhLm5weVBLAQItAy0AAAAAAAAAIQDkGHefiAAAAIgAAAAHAAAAAAAAAAAAAACAAc8AAABpZHMubnB5UEsFBgAAAAACAAIAaAAAAJABAAAAAA==",
  // np.savez_compressed(f, np.arange(6, dtype="u1").reshape(2, 3), np.array([0.5], dtype="<f8"))
  deflated:
    "UEsDBC0AAAAIAAAAIQB+ntfP//////////8JABQAYXJyXzAubnB5AQAQAIYAAAAAAAAATAAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBeU2qorqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RpGOgrGmjoKtQpkAy4GRiZmFlYAUEsDBC0AAAAIAAAAIQDqxRmd//////////8JABQAYXJyXzEubnB5AQAQAIgAAAAAAAAASQAAAAAAAACb7BfqGxDJyFDGUK2eklqcXKRupaBuk2ahrqOgnpZfVFKUmBefX5SSChJ3S8wpTgWKF2ckFqQC+RqGOpo6CrUKFAAuBjB4YA8AUEsBAi0DLQAAAAgAAAAhAH6e189MAAAAhgAAAAkAAAAAAAAAAAAAAIABAAAAAGFycl8wLm5weVBLAQItAy0AAAAIAAAAIQDqxRmdSQAAAIgAAAAJAAAAAAAAAAAAAACAAYcAAABhcnJfMS5ucHlQSwUGAAAAAAIAAgBuAAAACwEAAAAA",
};

const golden = (k: keyof typeof GOLDEN): Uint8Array =>
  new Uint8Array(Buffer.from(GOLDEN[k], "base64"));

describe("npz", () => {
  test("reads numpy's savez (stored, ZIP64 local headers) by keyword name", () => {
    const m = readNpz(golden("stored"), "stored.npz");
    assert.deepEqual([...m.keys()], ["a", "ids"]);
    const a = m.get("a");
    assert.deepEqual(a?.shape, [2, 3]);
    assert.equal(a?.dtype, "float32");
    assert.deepEqual([...(a?.data as Float32Array)], [1.5, -2, 3, 4, 5, 0.25]);
    assert.deepEqual([...(m.get("ids")?.data as Int32Array)], [7, -1]);
  });

  test("reads numpy's savez_compressed (deflated) with positional keys arr_0, arr_1", () => {
    const m = readNpz(golden("deflated"));
    assert.deepEqual([...m.keys()], ["arr_0", "arr_1"]);
    assert.deepEqual(m.get("arr_0")?.shape, [2, 3]);
    assert.deepEqual([...(m.get("arr_0")?.data as Uint8Array)], [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...(m.get("arr_1")?.data as Float64Array)], [0.5]);
  });

  test("writeNpz round-trips, stored and deflated", () => {
    const x: NDArray = { data: Float32Array.of(1, -2.5, 3e-8), shape: [3], dtype: "float32" };
    const ids: NDArray = { data: Int32Array.of(4, 5, 6, 7), shape: [2, 2], dtype: "int32" };
    for (const compress of [true, false]) {
      const m = readNpz(writeNpz({ x, ids }, { compress }));
      assert.deepEqual(m.get("x"), x);
      assert.deepEqual(m.get("ids"), ids);
    }
  });

  test("crc32 is zip's CRC-32", () => {
    assert.equal(crc32(new TextEncoder().encode("123456789")), 0xcbf43926);
    assert.equal(crc32(new Uint8Array(0)), 0);
  });

  test("corrupt archives are DataFormatErrors naming the file and member", () => {
    assert.throws(
      () => readNpz(new Uint8Array([1, 2, 3, 4]), "x.npz"),
      (e: unknown) =>
        e instanceof DataFormatError &&
        /x\.npz: not a valid \.npz \(zip\) file: no end-of-central-directory/.test(e.message),
    );
    const flipped = golden("stored");
    flipped[120] ^= 0xff; // inside the member a.npy
    assert.throws(
      () => readNpz(flipped, "f.npz"),
      (e: unknown) =>
        e instanceof DataFormatError &&
        /member 'a\.npy' has CRC-32 \w+; its header says 95d8676d/.test(e.message),
    );
    // A member whose deflated stream is garbage.
    const bad = writeNpz({ x: { data: Float32Array.of(1), shape: [1], dtype: "float32" } });
    const garbage = deflateRawSync(new Uint8Array(0)).length; // sanity: zlib is there
    assert.ok(garbage > 0);
    bad[30 + "x.npy".length] = 0xff;
    bad[31 + "x.npy".length] = 0xff;
    assert.throws(() => readNpz(bad, "g.npz"), DataFormatError);
  });
});
