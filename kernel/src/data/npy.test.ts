import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataFormatError, ShapeError } from "../errors";
import { NDArray } from "../ir";
import { loadNpy, readNpy, saveNpy, writeNpy } from "./npy";

// Goldens written by numpy 2.4.6 (np.save / numpy.lib.format.write_array with version=...),
// base64-encoded. The generating expression is beside each one.
const GOLDEN = {
  // np.save(f, np.array([[1.5, -2, 3], [4, 5, 0.25]], dtype="<f4"))
  f32: "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAMA/AAAAwAAAQEAAAIBAAACgQAAAgD4=",
  // write_array(f, np.array([-128, 0, 127], dtype="i1"), version=(2, 0))
  i8v2: "k05VTVBZAgB0AAAAeydkZXNjcic6ICd8aTEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMywpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAqAAH8=",
  // write_array(f, np.array([[1, 2], [3, 255]], dtype="u1"), version=(3, 0))
  u8v3: "k05VTVBZAwB0AAAAeydkZXNjcic6ICd8dTEnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMiksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoBAgP/",
  // np.save(f, np.array(-5, dtype="<i8"))  (0-d)
  i64scalar:
    "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAr7/////////w==",
  // np.save(f, np.asfortranarray(np.arange(6, dtype="<i4").reshape(2, 3)))
  fortran:
    "k05VTVBZAQB2AHsnZGVzY3InOiAnPGk0JywgJ2ZvcnRyYW5fb3JkZXInOiBUcnVlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAwAAAAEAAAAEAAAAAgAAAAUAAAA=",
  // np.save(f, np.array([1, 2], dtype=">i4"))
  bigEndian:
    "k05VTVBZAQB2AHsnZGVzY3InOiAnPmk0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwgfSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAABAAAAAg==",
};

function golden(key: keyof typeof GOLDEN): Uint8Array {
  return new Uint8Array(Buffer.from(GOLDEN[key], "base64"));
}

/** `.npy` bytes with a hand-written header (version 1.0, padded to 64) followed by `data`. */
function craft(header: string, data: Uint8Array): Uint8Array {
  const h = header.padEnd(64 - 10 - 1, " ") + "\n";
  const out = new Uint8Array(10 + h.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  out[8] = h.length & 0xff;
  out[9] = h.length >> 8;
  for (let i = 0; i < h.length; i++) out[10 + i] = h.charCodeAt(i);
  out.set(data, 10 + h.length);
  return out;
}

function assertDataFormatError(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof DataFormatError, `expected DataFormatError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe("readNpy reads numpy's own files", () => {
  test("float32 2x3, version 1.0", () => {
    const a = readNpy(golden("f32"));
    assert.equal(a.dtype, "float32");
    assert.deepEqual(a.shape, [2, 3]);
    assert.deepEqual(a.data, new Float32Array([1.5, -2, 3, 4, 5, 0.25]));
  });

  test("int8 at both ends of its range, version 2.0", () => {
    const a = readNpy(golden("i8v2"));
    assert.equal(a.dtype, "int8");
    assert.deepEqual(a.shape, [3]);
    assert.deepEqual(a.data, new Int8Array([-128, 0, 127]));
  });

  test("uint8 2x2, version 3.0", () => {
    const a = readNpy(golden("u8v3"));
    assert.equal(a.dtype, "uint8");
    assert.deepEqual(a.shape, [2, 2]);
    assert.deepEqual(a.data, new Uint8Array([1, 2, 3, 255]));
  });

  test("0-d int64 is shape [] with one BigInt element", () => {
    const a = readNpy(golden("i64scalar"));
    assert.equal(a.dtype, "int64");
    assert.deepEqual(a.shape, []);
    assert.deepEqual(a.data, new BigInt64Array([-5n]));
  });

  test("the result owns an aligned copy even when the input is a misaligned view", () => {
    const src = golden("f32");
    const padded = new Uint8Array(src.length + 1);
    padded.set(src, 1);
    const a = readNpy(padded.subarray(1));
    assert.deepEqual(a.data, new Float32Array([1.5, -2, 3, 4, 5, 0.25]));
  });
});

describe("writeNpy", () => {
  test("writes byte for byte what numpy writes (float32 2x3)", () => {
    const a: NDArray = {
      data: new Float32Array([1.5, -2, 3, 4, 5, 0.25]),
      shape: [2, 3],
      dtype: "float32",
    };
    assert.deepEqual(writeNpy(a), golden("f32"));
  });

  test("writes a 0-d array as numpy does", () => {
    assert.deepEqual(
      writeNpy({ data: new BigInt64Array([-5n]), shape: [], dtype: "int64" }),
      golden("i64scalar"),
    );
  });

  test("round-trips every dtype; the data starts at a multiple of 64", () => {
    const cases: NDArray[] = [
      { data: new Float32Array([0, -1.5, 3.25e-7]), shape: [3], dtype: "float32" },
      { data: new Float64Array([Math.PI, -0]), shape: [1, 2], dtype: "float64" },
      { data: new Uint8Array([0, 255]), shape: [2, 1], dtype: "uint8" },
      { data: new Int8Array([-128, 127]), shape: [2], dtype: "int8" },
      { data: new Int16Array([-32768, 32767]), shape: [2], dtype: "int16" },
      { data: new Uint16Array([65535]), shape: [1], dtype: "uint16" },
      { data: new Int32Array([-(2 ** 31), 2 ** 31 - 1]), shape: [2], dtype: "int32" },
      { data: new Uint32Array([2 ** 32 - 1]), shape: [1, 1, 1], dtype: "uint32" },
      { data: new BigInt64Array([-(2n ** 63n), 2n ** 63n - 1n]), shape: [2], dtype: "int64" },
      { data: new Uint8Array([0, 1]), shape: [2], dtype: "bool" },
      { data: new Float32Array([]), shape: [0, 4], dtype: "float32" },
    ];
    for (const a of cases) {
      const bytes = writeNpy(a);
      assert.equal((bytes.length - a.data.byteLength) % 64, 0, a.dtype);
      assert.deepEqual(readNpy(bytes), a, a.dtype);
    }
  });

  test("rejects data that does not match the shape or the dtype", () => {
    assert.throws(
      () => writeNpy({ data: new Float32Array(5), shape: [2, 3], dtype: "float32" }),
      (e: unknown) =>
        e instanceof ShapeError && /\[2, 3\] has 6 elements, the data has 5/.test(e.message),
    );
    assert.throws(
      () => writeNpy({ data: new Int8Array(2), shape: [2], dtype: "uint8" }),
      (e: unknown) =>
        e instanceof ShapeError && /uint8 does not match its data, a Int8Array/.test(e.message),
    );
    assertDataFormatError(
      () => writeNpy({ data: new Uint16Array(1), shape: [1], dtype: "float16" }),
      /float16/,
    );
  });
});

describe("readNpy rejects bad files with a DataFormatError naming the file", () => {
  test("Fortran order", () => {
    assertDataFormatError(() => readNpy(golden("fortran"), "w.npy"), /^w\.npy: /, /Fortran-order/);
  });

  test("Fortran order with one non-trivial axis is the same memory as C order, so it is read", () => {
    const a = readNpy(
      craft(
        "{'descr': '<i2', 'fortran_order': True, 'shape': (1, 2), }",
        new Uint8Array([1, 0, 2, 0]),
      ),
    );
    assert.deepEqual(a.data, new Int16Array([1, 2]));
  });

  test("big-endian", () => {
    assertDataFormatError(
      () => readNpy(golden("bigEndian"), "be.npy"),
      /^be\.npy: /,
      /big-endian/,
      />i4/,
    );
  });

  test("wrong magic", () => {
    assertDataFormatError(
      () => readNpy(new TextEncoder().encode("PK\x03\x04 this is a zip"), "x.npz"),
      /^x\.npz: not a \.npy file/,
      /found 50 4b 03 04/,
    );
  });

  test("truncated data", () => {
    const bytes = golden("f32");
    assertDataFormatError(
      () => readNpy(bytes.subarray(0, bytes.length - 1), "t.npy"),
      /^t\.npy: truncated/,
      /needs 24 bytes, found 23/,
    );
  });

  test("truncated header", () => {
    assertDataFormatError(
      () => readNpy(golden("f32").subarray(0, 40), "h.npy"),
      /^h\.npy: truncated \.npy header/,
    );
  });

  test("unsupported dtype", () => {
    assertDataFormatError(
      () =>
        readNpy(
          craft("{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8)),
          "c.npy",
        ),
      /^c\.npy: unsupported dtype/,
      /<c8/,
    );
  });

  test("unknown format version", () => {
    const bytes = golden("f32");
    bytes[6] = 4;
    assertDataFormatError(() => readNpy(bytes, "v.npy"), /version 4\.0/);
  });

  test("malformed header", () => {
    assertDataFormatError(
      () =>
        readNpy(
          craft("{'descr': '<f4', 'fortran_order': False, 'shape': (2, }", new Uint8Array(8)),
          "m.npy",
        ),
      /^m\.npy: malformed \.npy header/,
    );
    assertDataFormatError(
      () =>
        readNpy(
          craft("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", new Uint8Array(0)),
          "n.npy",
        ),
      /'shape' must be a tuple of non-negative integers/,
    );
  });
});

describe("loadNpy / saveNpy", () => {
  test("save then load; a missing file is a DataFormatError naming the path", () => {
    const dir = mkdtempSync(join(tmpdir(), "tsquant-npy-"));
    try {
      const a: NDArray = { data: new Int32Array([7, -8, 9]), shape: [3], dtype: "int32" };
      const p = join(dir, "a.npy");
      saveNpy(p, a);
      assert.deepEqual(loadNpy(p), a);
      writeFileSync(join(dir, "bad.npy"), "nope");
      assertDataFormatError(() => loadNpy(join(dir, "bad.npy")), /bad\.npy: not a \.npy file/);
      assertDataFormatError(() => loadNpy(join(dir, "missing.npy")), /missing\.npy: cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
