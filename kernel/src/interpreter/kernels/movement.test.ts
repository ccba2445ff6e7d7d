/**
 * Data-movement and reduction kernels on hand-derived values (derivations in the comments), and
 * their errors: out-of-range indices at invoke, bad shapes and refused operands at allocation.
 * `test/parity/movement.litert.test.ts` checks the same ops against LiteRT.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ShapeError, UnsupportedError } from "../../errors";
import type { BuiltinOpName, BuiltinOptions, DType, NDArray, TypedArray } from "../../ir";
import { Interpreter } from "../interpreter";
import { buildModel, runOp, type OperandSpec, type TensorSpec } from "../testing";

function typed(dtype: DType, values: number[]): TypedArray {
  switch (dtype) {
    case "float32":
      return Float32Array.from(values);
    case "int8":
      return Int8Array.from(values);
    case "uint8":
    case "bool":
      return Uint8Array.from(values);
    case "int16":
      return Int16Array.from(values);
    case "int32":
      return Int32Array.from(values);
    case "int64":
      return BigInt64Array.from(values, BigInt);
    default:
      throw new Error(`no test data for ${dtype}`);
  }
}

const fed = (
  dtype: DType,
  shape: number[],
  values: number[],
  quant?: [number, number],
): OperandSpec => ({ dtype, shape, quant, feed: typed(dtype, values) });
const constant = (dtype: DType, shape: number[], values: number[]): OperandSpec => ({
  dtype,
  shape,
  data: typed(dtype, values),
});
const out = (dtype: DType, quant?: [number, number]): TensorSpec => ({ dtype, shape: [1], quant });

function run(
  op: BuiltinOpName,
  options: BuiltinOptions | null,
  inputs: OperandSpec[],
  output: TensorSpec,
): { shape: number[]; values: number[] } {
  const r: NDArray = runOp(op, options, inputs, output);
  return { shape: r.shape, values: Array.from(r.data, Number) };
}

/** Every output of a multi-output op (SPLIT, SPLIT_V, UNPACK) on one fed input. */
function runMulti(
  op: BuiltinOpName,
  options: BuiltinOptions,
  inputs: OperandSpec[],
  outputs: TensorSpec[],
): number[][] {
  const tensors: TensorSpec[] = [...inputs, ...outputs];
  const outIdx = outputs.map((_, k) => inputs.length + k);
  const model = buildModel(tensors, [
    { op, inputs: inputs.map((_, i) => i), outputs: outIdx, options },
  ]);
  const it = new Interpreter({ model });
  it.allocateTensors();
  inputs.forEach((t, i) => {
    if (t.feed !== undefined) it.setTensor(i, t.feed);
  });
  it.invoke();
  return outIdx.map((i) => Array.from(it.getTensor(i).data, Number));
}

const reducer = (keepDims: boolean): BuiltinOptions => ({ type: "ReducerOptions", keepDims });

describe("data-movement kernels (hand-derived)", () => {
  test("TRANSPOSE [2, 3] by [1, 0]: rows become columns", () => {
    const r = run(
      "TRANSPOSE",
      null,
      [fed("int8", [2, 3], [1, 2, 3, 4, 5, 6], [0.1, 0]), constant("int32", [2], [1, 0])],
      out("int8", [0.1, 0]),
    );
    assert.deepEqual(r, { shape: [3, 2], values: [1, 4, 2, 5, 3, 6] });
  });

  test("GATHER axis −1 with int64 indices, and batch_dims 1", () => {
    // params [[10, 11, 12], [20, 21, 22]], columns [2, 0] of each row.
    const params = fed("float32", [2, 3], [10, 11, 12, 20, 21, 22]);
    const r = run(
      "GATHER",
      { type: "GatherOptions", axis: -1, batchDims: 0 },
      [params, constant("int64", [2], [2, 0])],
      out("float32"),
    );
    assert.deepEqual(r, { shape: [2, 2], values: [12, 10, 22, 20] });
    // batch_dims 1: row b takes its own indices [[1], [2]] → [[11], [22]].
    const b = run(
      "GATHER",
      { type: "GatherOptions", axis: 1, batchDims: 1 },
      [params, constant("int32", [2, 1], [1, 2])],
      out("float32"),
    );
    assert.deepEqual(b, { shape: [2, 1], values: [11, 22] });
  });

  test("GATHER_ND picks elements and rows", () => {
    const params = fed("int32", [2, 3], [1, 2, 3, 4, 5, 6]);
    const el = run(
      "GATHER_ND",
      null,
      [params, constant("int32", [2, 2], [1, 2, 0, 1])],
      out("int32"),
    );
    assert.deepEqual(el, { shape: [2], values: [6, 2] });
    const rows = run("GATHER_ND", null, [params, constant("int32", [1, 1], [1])], out("int32"));
    assert.deepEqual(rows, { shape: [1, 3], values: [4, 5, 6] });
  });

  test("EMBEDDING_LOOKUP: float rows, and int8 hybrid rows scaled per row", () => {
    const ids = fed("int32", [3], [2, 0, 2]);
    const f = run(
      "EMBEDDING_LOOKUP",
      null,
      [ids, constant("float32", [3, 2], [1, 2, 3, 4, 5, 6])],
      out("float32"),
    );
    assert.deepEqual(f, { shape: [3, 2], values: [5, 6, 1, 2, 5, 6] });
    // Row 2 = [−3, 4] with scale 0.5 → [−1.5, 2]; row 0 = [1, −2] with scale 0.25 → [0.25, −0.5].
    const h = run(
      "EMBEDDING_LOOKUP",
      null,
      [
        ids,
        {
          ...constant("int8", [3, 2], [1, -2, 7, 7, -3, 4]),
          quant: { scales: [0.25, 1, 0.5], zeroPoints: [0, 0, 0], axis: 0 },
        },
      ],
      out("float32"),
    );
    assert.deepEqual(h.values, [-1.5, 2, 0.25, -0.5, -1.5, 2]);
  });

  test("SQUEEZE, EXPAND_DIMS (negative axis), SLICE (size −1)", () => {
    const x = fed("int16", [1, 3, 1], [7, 8, 9], [0.5, 0]);
    assert.deepEqual(
      run("SQUEEZE", { type: "SqueezeOptions", squeezeDims: null }, [x], out("int16", [0.5, 0]))
        .shape,
      [3],
    );
    assert.deepEqual(
      run("SQUEEZE", { type: "SqueezeOptions", squeezeDims: [-1] }, [x], out("int16", [0.5, 0]))
        .shape,
      [1, 3],
    );
    assert.deepEqual(
      run("EXPAND_DIMS", null, [x, constant("int32", [1], [-1])], out("int16", [0.5, 0])).shape,
      [1, 3, 1, 1],
    );
    const s = run(
      "SLICE",
      null,
      [
        fed("float32", [2, 4], [0, 1, 2, 3, 4, 5, 6, 7]),
        constant("int32", [2], [1, 1]),
        constant("int32", [2], [-1, 2]),
      ],
      out("float32"),
    );
    assert.deepEqual(s, { shape: [1, 2], values: [5, 6] });
  });

  test("TILE and BROADCAST_TO keep int64 values beyond 2^53", () => {
    const big = 2 ** 60;
    const t = runOp(
      "TILE",
      null,
      [
        { dtype: "int64", shape: [1, 2], feed: BigInt64Array.from([BigInt(big) + 1n, -5n]) },
        constant("int32", [2], [2, 1]),
      ],
      out("int64"),
    );
    assert.deepEqual(t.shape, [2, 2]);
    assert.ok(t.data instanceof BigInt64Array);
    assert.deepEqual(Array.from(t.data), [BigInt(big) + 1n, -5n, BigInt(big) + 1n, -5n]);
    const b = run(
      "BROADCAST_TO",
      null,
      [fed("bool", [2, 1], [1, 0]), constant("int32", [3], [3, 2, 2])],
      out("bool"),
    );
    assert.deepEqual(b, { shape: [3, 2, 2], values: [1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0] });
  });

  test("SPACE_TO_DEPTH and DEPTH_TO_SPACE invert each other", () => {
    // [1, 2, 2, 1] → [1, 1, 1, 4]: the 2×2 block in row-major order becomes the depth.
    const s = run(
      "SPACE_TO_DEPTH",
      { type: "SpaceToDepthOptions", blockSize: 2 },
      [fed("uint8", [1, 2, 2, 1], [1, 2, 3, 4], [1, 128])],
      out("uint8", [1, 128]),
    );
    assert.deepEqual(s, { shape: [1, 1, 1, 4], values: [1, 2, 3, 4] });
    const d = run(
      "DEPTH_TO_SPACE",
      { type: "DepthToSpaceOptions", blockSize: 2 },
      [fed("float32", [1, 1, 1, 4], [1, 2, 3, 4])],
      out("float32"),
    );
    assert.deepEqual(d, { shape: [1, 2, 2, 1], values: [1, 2, 3, 4] });
  });

  test("SPACE_TO_BATCH_ND pads with the zero point; BATCH_TO_SPACE_ND crops it away", () => {
    // [1, 3, 1] padded [1, 0] → [z, a, b, c] → blocks of 2: batch 0 takes [z, b], batch 1 [a, c].
    const s = run(
      "SPACE_TO_BATCH_ND",
      null,
      [
        fed("int8", [1, 3, 1], [5, 6, 7], [0.1, -3]),
        constant("int32", [1], [2]),
        constant("int32", [1, 2], [1, 0]),
      ],
      out("int8", [0.1, -3]),
    );
    assert.deepEqual(s, { shape: [2, 2, 1], values: [-3, 6, 5, 7] });
    const b = run(
      "BATCH_TO_SPACE_ND",
      null,
      [
        fed("int8", [2, 2, 1], [-3, 6, 5, 7], [0.1, -3]),
        constant("int32", [1], [2]),
        constant("int32", [1, 2], [1, 0]),
      ],
      out("int8", [0.1, -3]),
    );
    assert.deepEqual(b, { shape: [1, 3, 1], values: [5, 6, 7] });
  });

  test("PADV2 pads with its constant; MIRROR_PAD REFLECT and SYMMETRIC", () => {
    const p = run(
      "PADV2",
      null,
      [fed("int32", [2], [1, 2]), constant("int32", [1, 2], [1, 2]), constant("int32", [], [-9])],
      out("int32"),
    );
    assert.deepEqual(p, { shape: [5], values: [-9, 1, 2, -9, -9] });
    const x = fed("float32", [3], [1, 2, 3]);
    const pads = constant("int32", [1, 2], [2, 2]);
    const mirror = (mode: number): number[] =>
      run("MIRROR_PAD", { type: "MirrorPadOptions", mode }, [x, pads], out("float32")).values;
    assert.deepEqual(mirror(0), [3, 2, 1, 2, 3, 2, 1]);
    assert.deepEqual(mirror(1), [2, 1, 1, 2, 3, 3, 2]);
  });

  test("SPLIT (axis first), SPLIT_V with −1, UNPACK along a negative axis", () => {
    const x = fed("float32", [2, 3], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(
      runMulti(
        "SPLIT",
        { type: "SplitOptions", numSplits: 2 },
        [constant("int32", [], [0]), x],
        [out("float32"), out("float32")],
      ),
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    );
    assert.deepEqual(
      runMulti(
        "SPLIT_V",
        { type: "SplitVOptions", numSplits: 2 },
        [x, constant("int32", [2], [-1, 1]), constant("int32", [], [1])],
        [out("float32"), out("float32")],
      ),
      [
        [1, 2, 4, 5],
        [3, 6],
      ],
    );
    assert.deepEqual(
      runMulti(
        "UNPACK",
        { type: "UnpackOptions", num: 3, axis: -1 },
        [x],
        [out("float32"), out("float32"), out("float32")],
      ),
      [
        [1, 4],
        [2, 5],
        [3, 6],
      ],
    );
  });
});

describe("reduction kernels (hand-derived)", () => {
  test("SUM int8 requantizes: Σ(q − z_in)·s_in/s_out + z_out", () => {
    // (10 + 20 + 31 − 3·1)·0.5 / 1 = 29, + z_out 2 = 31.
    const r = run(
      "SUM",
      reducer(false),
      [fed("int8", [1, 3], [10, 20, 31], [0.5, 1]), constant("int32", [1], [1])],
      out("int8", [1, 2]),
    );
    assert.deepEqual(r, { shape: [1], values: [31] });
  });

  test("SUM int32 wraps like C; REDUCE_PROD float32; keepDims keeps 1s", () => {
    const s = run(
      "SUM",
      reducer(true),
      [fed("int32", [2], [2147483647, 2]), constant("int32", [1], [0])],
      out("int32"),
    );
    assert.deepEqual(s, { shape: [1], values: [-2147483647] });
    const p = run(
      "REDUCE_PROD",
      reducer(true),
      [fed("float32", [2, 2], [1.5, 2, -3, 4]), constant("int32", [1], [-1])],
      out("float32"),
    );
    assert.deepEqual(p, { shape: [2, 1], values: [3, -12] });
  });

  test("REDUCE_PROD int8: each step rescaled by s_in / s_out^(1/n)", () => {
    // s_in = 0.5, s_out = 0.25, n = 2: c = 0.5/0.5 = 1 (M = 2^30, shift 1): p = 6·(−4) = −24,
    // then MBQM64(−24, c) = −24; output −24 + z_out 0.
    const r = run(
      "REDUCE_PROD",
      reducer(false),
      [fed("int8", [2], [6, -4], [0.5, 0]), constant("int32", [1], [0])],
      out("int8", [0.25, 0]),
    );
    assert.deepEqual(r, { shape: [], values: [-24] });
  });

  test("REDUCE_MAX / REDUCE_MIN over every axis, int8 same scale", () => {
    const x = fed("int8", [2, 2], [3, -7, 9, 0], [0.1, 0]);
    const all = constant("int32", [2], [0, 1]);
    assert.deepEqual(
      run("REDUCE_MAX", reducer(false), [x, all], out("int8", [0.1, 0])).values,
      [9],
    );
    assert.deepEqual(
      run("REDUCE_MIN", reducer(false), [x, all], out("int8", [0.1, 0])).values,
      [-7],
    );
  });

  test("ARG_MAX takes the first of equal maxima; ARG_MIN with int64 output", () => {
    const x = fed("float32", [2, 4], [1, 3, 3, 2, 5, -1, 0, -1]);
    const axis = constant("int32", [1], [1]);
    const a = run(
      "ARG_MAX",
      { type: "ArgMaxOptions", outputType: "int32" },
      [x, axis],
      out("int32"),
    );
    assert.deepEqual(a, { shape: [2], values: [1, 0] });
    const b = run(
      "ARG_MIN",
      { type: "ArgMinOptions", outputType: "int64" },
      [x, constant("int64", [1], [-1])],
      out("int64"),
    );
    assert.deepEqual(b, { shape: [2], values: [0, 1] });
  });
});

describe("data-movement errors", () => {
  const params = fed("float32", [2, 3], [1, 2, 3, 4, 5, 6]);

  test("GATHER index out of range: ShapeError at invoke naming the op and tensors", () => {
    assert.throws(
      () =>
        run(
          "GATHER",
          { type: "GatherOptions", axis: 1, batchDims: 0 },
          [params, { ...constant("int32", [2], [0, 3]), name: "positions" }],
          out("float32"),
        ),
      (e: unknown) =>
        e instanceof ShapeError &&
        /GATHER \(op #0\).*index 3 in 'positions'.*\[0, 3\)/.test(e.message),
    );
  });

  test("GATHER_ND and EMBEDDING_LOOKUP reject negative indices", () => {
    assert.throws(
      () => run("GATHER_ND", null, [params, constant("int32", [1, 2], [0, -1])], out("float32")),
      (e: unknown) => e instanceof ShapeError && /GATHER_ND.*index -1/.test(e.message),
    );
    assert.throws(
      () =>
        run(
          "EMBEDDING_LOOKUP",
          null,
          [fed("int32", [1], [2]), constant("float32", [2, 1], [1, 2])],
          out("float32"),
        ),
      (e: unknown) =>
        e instanceof ShapeError && /EMBEDDING_LOOKUP.*index 2.*\[0, 2\)/.test(e.message),
    );
  });

  test("TRANSPOSE refuses an int64 perm and a perm computed at invoke", () => {
    assert.throws(
      () => run("TRANSPOSE", null, [params, constant("int64", [2], [1, 0])], out("float32")),
      (e: unknown) => e instanceof UnsupportedError && /perm .* must be int32/.test(e.message),
    );
    assert.throws(
      () => run("TRANSPOSE", null, [params, fed("int32", [2], [1, 0])], out("float32")),
      (e: unknown) => e instanceof UnsupportedError && /perm .* computed/.test(e.message),
    );
  });

  test("SQUEEZE of a dimension that is not 1, SPLIT into unequal parts", () => {
    assert.throws(
      () => run("SQUEEZE", { type: "SqueezeOptions", squeezeDims: [0] }, [params], out("float32")),
      (e: unknown) => e instanceof ShapeError && /size is 2, expected 1/.test(e.message),
    );
    assert.throws(
      () =>
        runMulti(
          "SPLIT",
          { type: "SplitOptions", numSplits: 2 },
          [constant("int32", [], [1]), params],
          [out("float32"), out("float32")],
        ),
      (e: unknown) => e instanceof ShapeError && /cannot be split into 2/.test(e.message),
    );
  });

  test("pure data movement refuses a rescaling output", () => {
    assert.throws(
      () =>
        run(
          "TILE",
          null,
          [fed("int8", [2], [1, 2], [0.1, 0]), constant("int32", [1], [2])],
          out("int8", [0.2, 0]),
        ),
      (e: unknown) =>
        e instanceof UnsupportedError && /must share their quantization/.test(e.message),
    );
  });
});
