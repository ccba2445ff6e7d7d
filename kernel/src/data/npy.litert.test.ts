// Parity with numpy (from the project .venv): numpy reads what writeNpy writes, and readNpy reads
// what numpy writes, for every dtype tsquant supports, in every .npy format version.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { NDArray } from "../ir";
import { readNpy, writeNpy } from "./npy";

const python = join(__dirname, "..", "..", "..", ".venv", "bin", "python");

function runPython(code: string, cwd: string): string {
  const r = spawnSync(python, ["-c", code], { cwd, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

// numpy dtype string → the values both sides use (extremes of each type's range).
const CASES: { np: string; a: NDArray }[] = [
  {
    np: "float32",
    a: {
      data: new Float32Array([1.5, -0, 3.4028234663852886e38, 1e-45]),
      shape: [2, 2],
      dtype: "float32",
    },
  },
  { np: "float64", a: { data: new Float64Array([Math.PI, -1e308]), shape: [2], dtype: "float64" } },
  { np: "uint8", a: { data: new Uint8Array([0, 128, 255]), shape: [3, 1], dtype: "uint8" } },
  { np: "int8", a: { data: new Int8Array([-128, -1, 127]), shape: [1, 3], dtype: "int8" } },
  { np: "int16", a: { data: new Int16Array([-32768, 32767]), shape: [2], dtype: "int16" } },
  { np: "uint16", a: { data: new Uint16Array([0, 65535]), shape: [2], dtype: "uint16" } },
  {
    np: "int32",
    a: { data: new Int32Array([-2147483648, 2147483647]), shape: [1, 1, 2], dtype: "int32" },
  },
  { np: "uint32", a: { data: new Uint32Array([4294967295]), shape: [1], dtype: "uint32" } },
  {
    np: "int64",
    a: {
      data: new BigInt64Array([-9223372036854775808n, 9223372036854775807n]),
      shape: [2],
      dtype: "int64",
    },
  },
  { np: "bool", a: { data: new Uint8Array([1, 0, 1]), shape: [3], dtype: "bool" } },
];

const literal = (a: NDArray): string =>
  `[${Array.from(a.data as ArrayLike<number | bigint>, (v) => (typeof v === "number" && Object.is(v, -0) ? "-0.0" : String(v))).join(", ")}]`;

test("numpy loads writeNpy's files: same dtype, shape and values", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsquant-npy-np-"));
  try {
    CASES.forEach(({ a }, i) => writeFileSync(join(dir, `${i}.npy`), writeNpy(a)));
    const checks = CASES.map(
      ({ np, a }, i) =>
        `a = np.load("${i}.npy"); e = np.array(${literal(a)}, dtype="${np}").reshape(${JSON.stringify(a.shape)})\n` +
        `assert a.dtype == np.dtype("${np}") and a.shape == e.shape and np.array_equal(a, e), ("${np}", a, e)\n` +
        `assert np.array_equal(np.signbit(a), np.signbit(e)) if a.dtype.kind == "f" else True`,
    ).join("\n");
    assert.equal(runPython(`import numpy as np\n${checks}\nprint("ok")`, dir).trim(), "ok");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("readNpy reads numpy's files in format versions 1.0, 2.0 and 3.0", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsquant-npy-np-"));
  try {
    const writes = CASES.flatMap(({ np, a }, i) =>
      ["(1, 0)", "(2, 0)", "(3, 0)"].map(
        (v, j) =>
          `f = open("${i}-${j}.npy", "wb"); fmt.write_array(f, np.array(${literal(a)}, dtype="${np}").reshape(${JSON.stringify(a.shape)}), version=${v}); f.close()`,
      ),
    ).join("\n");
    runPython(`import numpy as np\nfrom numpy.lib import format as fmt\n${writes}`, dir);
    CASES.forEach(({ a }, i) => {
      for (let j = 0; j < 3; j++) {
        assert.deepEqual(
          readNpy(readFileSync(join(dir, `${i}-${j}.npy`))),
          a,
          `${a.dtype} version ${j + 1}.0`,
        );
      }
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
