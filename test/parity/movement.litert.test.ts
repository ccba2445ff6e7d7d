/**
 * Data-movement and reduction ops (TRANSPOSE, GATHER, SLICE, SPLIT, SUM, ARG_MAX, …): one-op
 * models on pseudo-random data, run in tsquant's interpreter and in LiteRT's reference kernels
 * (BUILTIN_REF). Integer outputs must be identical, float32 outputs within 1e-4 · max(1, |ref|)
 * (moved values are compared exactly too: the tolerance only matters for SUM/REDUCE_PROD).
 * Each case is one line: the op, its options, the fed input and the constant operands. The
 * fed input is operand 0 unless another operand carries `feed`.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Interpreter } from "../../kernel/src/interpreter";
import { buildModel, type TensorSpec } from "../../kernel/src/interpreter/testing";
import type {
  BuiltinOpName,
  BuiltinOptions,
  DType,
  NDArray,
  TypedArray,
} from "../../kernel/src/ir";
import { shapeSize } from "../../kernel/src/ir";
import { writeModel } from "../../kernel/src/tflite/writer";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";
import { diff } from "./parity";

/** Quantization of activations of each quantized dtype (int16 symmetric). */
const QUANT: Partial<Record<DType, [number, number]>> = {
  int8: [0.05, -7],
  uint8: [0.04, 131],
  int16: [3e-4, 0],
};

/** Deterministic pseudo-random values of `dtype` (the full range of small integer types). */
function random(dtype: DType, n: number, seed: number): TypedArray {
  let state = seed >>> 0;
  const next = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state;
  };
  switch (dtype) {
    case "float32":
      return Float32Array.from({ length: n }, () => (next() / 2 ** 32) * 8 - 4);
    case "int8":
      return Int8Array.from({ length: n }, () => (next() % 256) - 128);
    case "uint8":
      return Uint8Array.from({ length: n }, () => next() % 256);
    case "bool":
      return Uint8Array.from({ length: n }, () => next() % 2);
    case "int16":
      return Int16Array.from({ length: n }, () => (next() % 65536) - 32768);
    case "int32":
      return Int32Array.from({ length: n }, () => (next() | 0) >> 8);
    case "int64":
      return BigInt64Array.from({ length: n }, () => (BigInt(next()) << 24n) - (1n << 55n));
    default:
      throw new Error(`no random data for ${dtype}`);
  }
}

/** A constant int32 (or int64) operand. */
const i32 = (values: number[], shape = [values.length]): TensorSpec => ({
  dtype: "int32",
  shape,
  data: Int32Array.from(values),
});
const i64 = (values: number[], shape = [values.length]): TensorSpec => ({
  dtype: "int64",
  shape,
  data: BigInt64Array.from(values, BigInt),
});

interface Case {
  op: BuiltinOpName;
  options: BuiltinOptions | null;
  /** Operand 0 (fed), then the constant operands. */
  dtype: DType;
  shape: number[];
  operands: TensorSpec[];
  /** Output dtypes when they differ from the input's (ARG_MAX, hybrid lookups). */
  outputs?: DType[];
  /** Number of outputs (SPLIT, UNPACK); default 1. */
  count?: number;
  /** Output quantization when it differs from the input's (SUM, REDUCE_PROD). */
  outQuant?: [number, number];
  /** Feed operand `feedIndex` instead of operand 0, which becomes a constant. */
  feedIndex?: number;
  /** Operator version when LiteRT registers the op from a later one (BROADCAST_TO: 2). */
  version?: number;
  /**
   * `no-delegates` (LiteRT's optimized kernels) where BUILTIN_REF is wrong: LiteRT 2.3.0's
   * reference SUM on int8 reads the data as uint8, on int16 returns garbage (see
   * kernels/README.md).
   */
  resolver?: "ref" | "no-delegates";
  /** Values fed instead of random ones (EMBEDDING_LOOKUP row ids). */
  feedData?: TypedArray;
}

const reducer = (keepDims: boolean): BuiltinOptions => ({ type: "ReducerOptions", keepDims });
const ALL: DType[] = ["float32", "int8", "uint8", "int16", "int32", "int64", "bool"];
const NUMERIC: DType[] = ["float32", "int8", "uint8", "int16", "int32", "int64"];

function cases(): Case[] {
  const out: Case[] = [];
  const each = (dtypes: DType[], f: (d: DType) => Omit<Case, "dtype">): void => {
    for (const d of dtypes) out.push({ dtype: d, ...f(d) });
  };
  const none = null;
  // TRANSPOSE: rank 3 to 5 (LiteRT reads perm as int32 whatever its type: int64 is refused).
  each(ALL, () => ({
    op: "TRANSPOSE",
    options: none,
    shape: [3, 5, 2],
    operands: [i32([2, 0, 1])],
  }));
  each(["float32", "int8"], () => ({
    op: "TRANSPOSE",
    options: none,
    shape: [2, 3, 4, 5],
    operands: [i32([3, 1, 0, 2])],
  }));
  each(["int16"], () => ({
    op: "TRANSPOSE",
    options: none,
    shape: [2, 1, 3, 2, 3],
    operands: [i32([4, 2, 3, 0, 1])],
  }));
  // GATHER: axes, negative axis, batch_dims, int32/int64 indices.
  const gather = (axis: number, batchDims = 0): BuiltinOptions => ({
    type: "GatherOptions",
    axis,
    batchDims,
  });
  each(ALL, () => ({
    op: "GATHER",
    options: gather(1),
    shape: [3, 5, 2],
    operands: [i32([4, 0, 0, 2, 3, 1], [2, 3])],
  }));
  each(["float32", "int8", "int64"], () => ({
    op: "GATHER",
    options: gather(-1),
    shape: [2, 3, 7],
    operands: [i64([6, 5, 0, 3])],
  }));
  each(["int16", "uint8"], () => ({
    op: "GATHER",
    options: gather(0),
    shape: [4, 3],
    operands: [i32([3, 1, 3])],
  }));
  each(["float32", "int8"], () => ({
    op: "GATHER",
    options: gather(1, 1),
    shape: [2, 4, 3],
    operands: [i32([3, 0, 1, 1, 2, 0], [2, 3])],
  }));
  // GATHER_ND: full and partial index depth.
  each(ALL, () => ({
    op: "GATHER_ND",
    options: none,
    shape: [3, 4, 2],
    operands: [i32([2, 1, 0, 3, 1, 0], [3, 2])],
  }));
  each(["float32", "int8", "int16"], () => ({
    op: "GATHER_ND",
    options: none,
    shape: [3, 4],
    operands: [i64([2, 3, 0, 0, 1, 1, 2, 0], [2, 2, 2])],
  }));
  each(["float32", "int8"], () => ({
    op: "GATHER_ND",
    options: none,
    shape: [3, 4, 2],
    operands: [i32([2, 0, 1], [3, 1])],
  }));
  // EMBEDDING_LOOKUP: copies (fed ids, constant table) and the int8 hybrid table.
  const table = (dtype: DType, shape: number[], quant?: TensorSpec["quant"]): TensorSpec => ({
    dtype,
    shape,
    data: random(dtype, shapeSize(shape), 99),
    ...(quant === undefined ? {} : { quant }),
  });
  each(["int32"], () => ({
    op: "EMBEDDING_LOOKUP",
    options: none,
    shape: [4],
    operands: [table("float32", [5, 3])],
    outputs: ["float32"],
    feedData: Int32Array.from([3, 0, 4, 4]),
  }));
  each(["int32"], () => ({
    op: "EMBEDDING_LOOKUP",
    options: none,
    shape: [3],
    operands: [table("int8", [6, 2, 2], [0.02, 0])],
    outputs: ["int8"],
    outQuant: [0.02, 0],
    feedData: Int32Array.from([5, 1, 5]),
  }));
  each(["int32"], () => ({
    op: "EMBEDDING_LOOKUP",
    options: none,
    shape: [4],
    operands: [table("int8", [5, 3], [0.013, 0])],
    outputs: ["float32"],
    feedData: Int32Array.from([0, 4, 2, 2]),
  }));
  each(["int32"], () => ({
    op: "EMBEDDING_LOOKUP",
    options: none,
    shape: [3],
    operands: [
      table("int8", [4, 5], { scales: [0.01, 0.02, 0.03, 0.5], zeroPoints: [0, 0, 0, 0], axis: 0 }),
    ],
    outputs: ["float32"],
    feedData: Int32Array.from([3, 0, 2]),
  }));
  // SPACE_TO_DEPTH / DEPTH_TO_SPACE.
  each(["float32", "int8", "uint8", "int32", "int64"], () => ({
    op: "SPACE_TO_DEPTH",
    options: { type: "SpaceToDepthOptions", blockSize: 2 },
    shape: [2, 4, 6, 3],
    operands: [],
  }));
  each(["float32", "int8", "uint8", "int32", "int64"], () => ({
    op: "DEPTH_TO_SPACE",
    options: { type: "DepthToSpaceOptions", blockSize: 3 },
    shape: [1, 2, 3, 18],
    operands: [],
  }));
  // SPACE_TO_BATCH_ND / BATCH_TO_SPACE_ND (4-D and 3-D), with padding and crops.
  each(NUMERIC, () => ({
    op: "SPACE_TO_BATCH_ND",
    options: none,
    shape: [2, 3, 5, 2],
    operands: [i32([2, 3]), i32([1, 0, 0, 1], [2, 2])],
  }));
  each(["float32", "int8"], () => ({
    op: "SPACE_TO_BATCH_ND",
    options: none,
    shape: [2, 5, 3],
    operands: [i32([3]), i32([2, 2], [1, 2])],
  }));
  each(NUMERIC, () => ({
    op: "BATCH_TO_SPACE_ND",
    options: none,
    shape: [12, 2, 3, 2],
    operands: [i32([2, 3]), i32([1, 0, 2, 1], [2, 2])],
  }));
  each(["float32", "int8"], () => ({
    op: "BATCH_TO_SPACE_ND",
    options: none,
    shape: [6, 3, 2],
    operands: [i32([3]), i32([1, 2], [1, 2])],
  }));
  // SPLIT (axis operand first, negative axis), SPLIT_V (−1 size), UNPACK.
  each(NUMERIC, () => ({
    op: "SPLIT",
    options: { type: "SplitOptions", numSplits: 3 },
    shape: [2, 6, 5],
    operands: [i32([1], [])],
    feedIndex: 1,
    count: 3,
  }));
  each(["float32", "int8"], () => ({
    op: "SPLIT",
    options: { type: "SplitOptions", numSplits: 2 },
    shape: [3, 4],
    operands: [i32([-1], [])],
    feedIndex: 1,
    count: 2,
  }));
  each(NUMERIC, () => ({
    op: "SPLIT_V",
    options: { type: "SplitVOptions", numSplits: 3 },
    shape: [3, 7, 2],
    operands: [i32([2, -1, 1]), i32([1], [])],
    count: 3,
  }));
  each(["float32", "int8"], () => ({
    op: "SPLIT_V",
    options: { type: "SplitVOptions", numSplits: 2 },
    shape: [3, 4, 5],
    operands: [i32([4, 1]), i32([-1], [])],
    count: 2,
  }));
  each(["float32", "int8", "uint8", "int16", "int32", "bool"], () => ({
    op: "UNPACK",
    options: { type: "UnpackOptions", num: 4, axis: 1 },
    shape: [3, 4, 2],
    operands: [],
    count: 4,
  }));
  each(["float32", "int8"], () => ({
    op: "UNPACK",
    options: { type: "UnpackOptions", num: 2, axis: -1 },
    shape: [3, 5, 2],
    operands: [],
    count: 2,
  }));
  // SLICE (size −1, int64 operands), SQUEEZE, EXPAND_DIMS.
  each(ALL, () => ({
    op: "SLICE",
    options: none,
    shape: [3, 5, 4],
    operands: [i32([1, 2, 0]), i32([2, -1, 3])],
  }));
  each(["float32", "int8"], () => ({
    op: "SLICE",
    options: none,
    shape: [2, 6],
    operands: [i64([0, 1]), i64([2, 4])],
  }));
  each(ALL, () => ({
    op: "SQUEEZE",
    options: { type: "SqueezeOptions", squeezeDims: [1, -1] },
    shape: [3, 1, 4, 1],
    operands: [],
  }));
  each(["float32", "int8"], () => ({
    op: "SQUEEZE",
    options: { type: "SqueezeOptions", squeezeDims: null },
    shape: [2, 1, 3, 1],
    operands: [],
  }));
  each(ALL, () => ({ op: "EXPAND_DIMS", options: none, shape: [3, 4], operands: [i32([1])] }));
  each(["float32", "int8"], () => ({
    op: "EXPAND_DIMS",
    options: none,
    shape: [3, 4],
    operands: [i64([-1])],
  }));
  // TILE, BROADCAST_TO.
  each(ALL, () => ({ op: "TILE", options: none, shape: [2, 3], operands: [i32([2, 3])] }));
  each(["float32", "int8"], () => ({
    op: "TILE",
    options: none,
    shape: [2, 1, 3],
    operands: [i64([1, 4, 2])],
  }));
  each(ALL, () => ({
    op: "BROADCAST_TO",
    version: 2,
    options: none,
    shape: [3, 1],
    operands: [i32([2, 3, 4])],
  }));
  each(["float32", "int8"], () => ({
    op: "BROADCAST_TO",
    version: 2,
    options: none,
    shape: [2, 1, 3],
    operands: [i64([2, 4, 3])],
  }));
  // PADV2 (with a pad value of the input's type), MIRROR_PAD both modes.
  const padValue = (d: DType): TensorSpec => ({
    dtype: d,
    shape: [],
    data: random(d, 1, 5),
    ...(QUANT[d] === undefined ? {} : { quant: QUANT[d] }),
  });
  each(NUMERIC, (d) => ({
    op: "PADV2",
    options: none,
    shape: [2, 3, 2],
    operands: [i32([0, 1, 2, 0, 1, 1], [3, 2]), padValue(d)],
  }));
  const mirror = (mode: number): BuiltinOptions => ({ type: "MirrorPadOptions", mode });
  each(NUMERIC, () => ({
    op: "MIRROR_PAD",
    options: mirror(0),
    shape: [2, 4, 3],
    operands: [i32([0, 1, 3, 2, 1, 2], [3, 2])],
  }));
  each(NUMERIC, () => ({
    op: "MIRROR_PAD",
    options: mirror(1),
    shape: [2, 4, 3],
    operands: [i32([1, 2, 4, 0, 3, 3], [3, 2])],
  }));
  // Reductions: several axes, negative axes, keepDims both ways, all axes.
  for (const keep of [true, false]) {
    each(["float32", "int32", "int64"], () => ({
      op: "SUM",
      options: reducer(keep),
      shape: [3, 4, 5],
      operands: [i32([0, -1])],
    }));
    each(["int8", "uint8", "int16"], (d) => ({
      op: "SUM",
      resolver: d === "uint8" ? "ref" : "no-delegates",
      options: reducer(keep),
      shape: [3, 4, 5],
      operands: [i32([0, -1])],
      outQuant: d === "int16" ? [2.1e-3, 0] : d === "uint8" ? [0.3, 120] : [0.35, 3],
    }));
    each(["int8"], () => ({
      op: "SUM",
      options: reducer(keep),
      shape: [2, 3, 4],
      operands: [i32([1])],
      outQuant: [0.02, -2],
      resolver: "no-delegates",
    }));
    each(NUMERIC, () => ({
      op: "REDUCE_MAX",
      options: reducer(keep),
      shape: [3, 4, 5],
      operands: [i32([1, -1])],
    }));
    each(NUMERIC, () => ({
      op: "REDUCE_MIN",
      options: reducer(keep),
      shape: [3, 4, 5],
      operands: [i32([0])],
    }));
    each(["float32", "int8"], () => ({
      op: "REDUCE_MAX",
      options: reducer(keep),
      shape: [3, 4],
      operands: [i32([0, 1])],
    }));
    each(["float32", "int32", "int64"], () => ({
      op: "REDUCE_PROD",
      options: reducer(keep),
      shape: [3, 4, 2],
      operands: [i32([1])],
    }));
    each(["int8", "int16"], (d) => ({
      op: "REDUCE_PROD",
      options: reducer(keep),
      shape: [3, 4, 2],
      operands: [i32([2])],
      outQuant: d === "int16" ? [0.01, 0] : [0.4, 1],
    }));
    each(["int8"], () => ({
      op: "REDUCE_PROD",
      options: reducer(keep),
      shape: [3, 4, 2],
      operands: [i32([-2])],
      outQuant: [20, -3],
    }));
  }
  // ARG_MAX / ARG_MIN: int32 and int64 outputs and axes, negative axis.
  const arg = (op: "ARG_MAX" | "ARG_MIN", outputType: DType): BuiltinOptions =>
    op === "ARG_MAX"
      ? { type: "ArgMaxOptions", outputType }
      : { type: "ArgMinOptions", outputType };
  for (const op of ["ARG_MAX", "ARG_MIN"] as const) {
    each(["float32", "int8", "uint8", "int32", "bool"], () => ({
      op,
      options: arg(op, "int32"),
      shape: [3, 6, 4],
      operands: [i32([1])],
      outputs: ["int32"],
    }));
    each(["float32", "int8"], () => ({
      op,
      options: arg(op, "int64"),
      shape: [3, 5],
      operands: [i64([-1])],
      outputs: ["int64"],
    }));
  }
  // Extra dtypes: bool REDUCE_MAX/MIN, int16 GATHER indices, EMBEDDING_LOOKUP copies of
  // uint8/int16/int32 tables, full reductions.
  each(["bool"], () => ({
    op: "REDUCE_MAX",
    options: reducer(false),
    shape: [3, 4],
    operands: [i32([1])],
  }));
  each(["bool"], () => ({
    op: "REDUCE_MIN",
    options: reducer(true),
    shape: [3, 4],
    operands: [i32([0])],
  }));
  each(["float32"], () => ({
    op: "GATHER",
    options: gather(0),
    shape: [5, 2],
    operands: [{ dtype: "int16", shape: [3], data: Int16Array.from([4, 0, 2]) }],
  }));
  for (const d of ["uint8", "int16", "int32"] as const) {
    each(["int32"], () => ({
      op: "EMBEDDING_LOOKUP",
      options: none,
      shape: [2],
      operands: [table(d, [3, 4], QUANT[d])],
      outputs: [d],
      ...(QUANT[d] === undefined ? {} : { outQuant: QUANT[d] }),
      feedData: Int32Array.from([2, 1]),
    }));
  }
  each(["float32", "int32"], () => ({
    op: "SUM",
    options: reducer(false),
    shape: [3, 4],
    operands: [i32([1, 0])],
  }));
  each(["float32", "int8"], () => ({
    op: "REDUCE_MIN",
    options: reducer(true),
    shape: [2, 3, 4],
    operands: [i32([0, 1, 2, -1])],
  }));
  return out;
}

/** The model of a case; `outShapes` fills the output tensors' shapes (tsquant computes them). */
function model(
  c: Case,
  outShapes: number[][],
): { bytes: Uint8Array; feed: NDArray; outputs: number[] } {
  const feedIndex = c.feedIndex ?? 0;
  const quant = (d: DType): TensorSpec["quant"] => QUANT[d];
  const data = c.feedData ?? random(c.dtype, shapeSize(c.shape), c.shape.length * 7 + c.op.length);
  const q0 = quant(c.dtype);
  const operand0: TensorSpec = {
    dtype: c.dtype,
    shape: c.shape,
    ...(q0 === undefined ? {} : { quant: q0 }),
  };
  const operands = [operand0, ...c.operands];
  const feed: NDArray = { data, shape: c.shape, dtype: c.dtype };
  if (feedIndex !== 0) {
    // The fed data is the op's input `feedIndex` (SPLIT takes its axis first).
    const moved = operands[feedIndex];
    assert.ok(moved !== undefined);
    operands[0] = moved;
    operands[feedIndex] = operand0;
  }
  const tensors: TensorSpec[] = [...operands];
  const count = c.count ?? 1;
  const outputs: number[] = [];
  for (let k = 0; k < count; k++) {
    const dtype = c.outputs?.[k] ?? c.outputs?.[0] ?? c.dtype;
    const q = c.outQuant ?? (dtype === c.dtype ? operand0.quant : undefined);
    tensors.push({ dtype, shape: outShapes[k] ?? [1], ...(q === undefined ? {} : { quant: q }) });
    outputs.push(tensors.length - 1);
  }
  const inputs = operands.map((_, i) => i);
  const m = buildModel(tensors, [{ op: c.op, inputs, outputs, options: c.options }]);
  for (const code of m.operatorCodes) code.version = c.version ?? 1;
  const bytes = writeModel(m);
  return { bytes, feed, outputs };
}

function runOurs(
  bytes: Uint8Array,
  feed: NDArray,
  feedIndex: number,
  outputs: number[],
): NDArray[] {
  const it = new Interpreter({ modelContent: bytes });
  it.allocateTensors();
  it.setTensor(feedIndex, feed.data);
  it.invoke();
  return outputs.map((i) => it.getTensor(i));
}

function label(c: Case): string {
  const opts =
    c.options === null ? "" : ` ${JSON.stringify(c.options).replace(/"type":"\w+",?/, "")}`;
  const ops = c.operands.map((t) =>
    t.data === undefined ? t.dtype : `${t.dtype}[${Array.from(t.data, String).join(",")}]`,
  );
  return `${c.op}${opts} ${c.dtype}[${c.shape.join(",")}] ${ops.join(" ")}${c.outputs ? ` → ${c.outputs.join(",")}` : ""}`;
}

describe(
  "data-movement and reduction ops vs LiteRT BUILTIN_REF",
  { skip: !liteRTAvailable() },
  () => {
    for (const c of cases()) {
      test(label(c), async () => {
        const feedIndex = c.feedIndex ?? 0;
        const first = model(c, []);
        const shapes = runOurs(first.bytes, first.feed, feedIndex, first.outputs).map(
          (o) => o.shape,
        );
        const { bytes, feed, outputs } = model(c, shapes);
        const ours = runOurs(bytes, feed, feedIndex, outputs);
        const theirs = (await runLiteRT(bytes, [feed], { resolver: c.resolver ?? "ref" })).outputs;
        assert.equal(theirs.length, ours.length);
        ours.forEach((o, k) => {
          const t = theirs[k];
          assert.ok(t !== undefined);
          assert.deepEqual(o.shape, t.shape, `output ${k} shape`);
          assert.equal(o.dtype, t.dtype, `output ${k} dtype`);
          const d = diff(o, t);
          if (o.dtype === "float32") {
            const bound = 1e-4 * Math.max(1, d.maxB);
            assert.ok(d.maxAbs <= bound, `output ${k}: max |Δ| ${d.maxAbs} > ${bound}`);
          } else {
            assert.equal(d.count, 0, `output ${k}: ${d.count} values differ, max |Δ| ${d.maxAbs}`);
          }
        });
      });
    }
  },
);
