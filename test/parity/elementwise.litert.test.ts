/**
 * The element-wise kernels (SUB, DIV, SQUARED_DIFFERENCE, the unary math ops, the activations
 * HARD_SWISH, LEAKY_RELU, PRELU, ELU, RELU_N1_TO_1, RELU_0_TO_1, the comparisons, the logical
 * ops, SELECT_V2, CAST, FILL, ZEROS_LIKE) against LiteRT's reference kernels (BUILTIN_REF).
 *
 * Each case is one line: an op, its options, its operands (dtype, shape, int8 scale and zero
 * point) and its output. The cases of one group become one model — every case an independent
 * op with its own inputs and output — so that LiteRT starts once per group. Inputs are
 * deterministic walks over each dtype's range (int8/uint8/int16: every value; floats: a
 * 1/128 grid, so ties and exact zeros occur), shapes broadcast up to 6-D. Integer and bool
 * outputs must be identical; float32 within 1e-4 · max(1, |ref|) per element.
 */
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Interpreter } from "../../kernel/src/interpreter";
import { buildModel, type OpSpec, type TensorSpec } from "../../kernel/src/interpreter/testing";
import type {
  BuiltinOpName,
  BuiltinOptions,
  DType,
  NDArray,
  TypedArray,
} from "../../kernel/src/ir";
import { writeModel } from "../../kernel/src/tflite/writer";
import { liteRTAvailable, runLiteRT, type LiteRTResolver } from "../helpers/litert";

/** Value patterns: the default walk, a coarse one (many equal values), or positives only. */
type Pattern = "walk" | "coarse" | "positive" | "small";

interface Operand {
  dtype: DType;
  shape: number[];
  quant?: [number, number];
  /** A constant operand holds these values. */
  data?: TypedArray;
  pattern?: Pattern;
}

interface Case {
  op: BuiltinOpName;
  options: BuiltinOptions | null;
  inputs: Operand[];
  output: { dtype: DType; quant?: [number, number] };
}

const opnd = (
  dtype: DType,
  shape: number[],
  quant?: [number, number],
  pattern?: Pattern,
): Operand => ({ dtype, shape, quant, pattern });

/** One line per case: op(options)(inputs) → output dtype and quantization. */
const c = (
  op: BuiltinOpName,
  options: BuiltinOptions | null,
  inputs: Operand[],
  outDtype: DType,
  outQuant?: [number, number],
): Case => ({ op, options, inputs, output: { dtype: outDtype, quant: outQuant } });

/** A 32-bit mix of (i, k) (murmur3's finalizer), so that inputs k and k + 1 are unrelated. */
function hash(i: number, k: number): number {
  let x = Math.imul(i + 1, 0x9e3779b1) ^ Math.imul(k + 1, 0x85ebca6b);
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Deterministic values of `dtype` for input number `k`. */
function values(dtype: DType, n: number, k: number, pattern: Pattern = "walk"): TypedArray {
  const h = (i: number): number => hash(i, k);
  switch (dtype) {
    case "float32":
      return Float32Array.from({ length: n }, (_, i) => {
        if (pattern === "coarse") return ((h(i) % 9) - 4) * 0.5;
        if (pattern === "positive") return ((h(i) % 2048) + 1) / 128;
        if (pattern === "small") return ((h(i) % 1025) - 512) / 128;
        return ((h(i) % 2049) - 1024) / 128;
      });
    case "int8":
      return Int8Array.from({ length: n }, (_, i) =>
        pattern === "coarse" ? (h(i) % 9) - 4 : ((i * 167 + k * 61) % 256) - 128,
      );
    case "uint8":
      return Uint8Array.from({ length: n }, (_, i) =>
        pattern === "coarse" ? 124 + (h(i) % 9) : (i * 167 + k * 61) % 256,
      );
    case "int16":
      return Int16Array.from({ length: n }, (_, i) =>
        pattern === "coarse" ? (h(i) % 9) - 4 : (h(i) % 65536) - 32768,
      );
    case "int32":
      return Int32Array.from({ length: n }, (_, i) =>
        pattern === "coarse"
          ? (h(i) % 9) - 4
          : pattern === "small"
            ? (h(i) % 201) - 100
            : i % 4 === 0
              ? h(i) | 0
              : (h(i) % 2001) - 1000,
      );
    case "int64":
      return BigInt64Array.from({ length: n }, (_, i) =>
        pattern === "coarse"
          ? BigInt((h(i) % 9) - 4)
          : i % 4 === 0
            ? BigInt(h(i)) * 4294967311n - 9223372036854775807n / 3n
            : BigInt((h(i) % 2001) - 1000),
      );
    case "bool":
      return Uint8Array.from({ length: n }, (_, i) => (h(i) >> 13) & 1);
    default:
      throw new Error(`no test values for ${dtype}`);
  }
}

const size = (shape: number[]): number => shape.reduce((a, b) => a * b, 1);

function broadcast(shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  return Array.from({ length: rank }, (_, d) =>
    Math.max(...shapes.map((s) => s[s.length - rank + d] ?? 1)),
  );
}

/** The output shape of a case: FILL's dims, else the inputs broadcast. */
function outputShape(k: Case): number[] {
  if (k.op === "FILL") {
    const dims = k.inputs[0]?.data;
    assert.ok(dims instanceof Int32Array || dims instanceof BigInt64Array);
    return Array.from(dims, Number);
  }
  const operands = k.op === "SELECT_V2" ? k.inputs : k.inputs.slice(0, 2);
  return broadcast(operands.map((o) => o.shape));
}

/**
 * All cases as independent ops of one model. Every operand is a constant (LiteRT's harness
 * feeds inputs stacked on a common batch axis, which operands of different shapes lack), so the
 * model has no inputs: LiteRT runs each op once at invoke, tsquant once at allocateTensors.
 */
function buildGroup(cases: Case[]): { bytes: Uint8Array; outputs: number[] } {
  const tensors: TensorSpec[] = [];
  const ops: OpSpec[] = [];
  const outputs: number[] = [];
  cases.forEach((k, ci) => {
    const inputIndices = k.inputs.map((o, j) => {
      const data = o.data ?? values(o.dtype, size(o.shape), ci * 5 + j, o.pattern);
      tensors.push({ dtype: o.dtype, shape: o.shape, quant: o.quant, data });
      return tensors.length - 1;
    });
    tensors.push({ dtype: k.output.dtype, shape: outputShape(k), quant: k.output.quant });
    outputs.push(tensors.length - 1);
    ops.push({ op: k.op, inputs: inputIndices, outputs: [tensors.length - 1], options: k.options });
  });
  const bytes = writeModel(buildModel(tensors, ops, { inputs: [], outputs }));
  return { bytes, outputs };
}

function label(k: Case): string {
  const operand = (o: Operand): string =>
    `${o.dtype}[${o.shape.join(",")}]${o.quant === undefined ? "" : `(${o.quant.join(", ")})`}${o.data === undefined ? "" : " const"}`;
  const opts =
    k.options === null
      ? ""
      : ` ${JSON.stringify(Object.fromEntries(Object.entries(k.options).filter(([f]) => f !== "type")))}`;
  const out = `${k.output.dtype}${k.output.quant === undefined ? "" : `(${k.output.quant.join(", ")})`}`;
  return `${k.op}${opts} ${k.inputs.map(operand).join(" ")} → ${out}`;
}

/** Bit-identical for integers and bool; float32 within 1e-4 · max(1, |ref|) per element. */
function assertMatches(ours: NDArray, theirs: NDArray): void {
  assert.equal(ours.dtype, theirs.dtype, "dtype");
  assert.deepEqual(ours.shape, theirs.shape, "shape");
  let bad = 0;
  let first = "";
  for (let i = 0; i < ours.data.length; i++) {
    const a = ours.data[i];
    const b = theirs.data[i];
    let ok: boolean;
    if (ours.dtype === "float32") {
      const x = Number(a);
      const y = Number(b);
      ok =
        (Number.isNaN(x) && Number.isNaN(y)) || Math.abs(x - y) <= 1e-4 * Math.max(1, Math.abs(y));
    } else {
      ok = a === b;
    }
    if (!ok) {
      if (bad === 0) first = `first at ${i}: ours ${String(a)}, LiteRT ${String(b)}`;
      bad++;
    }
  }
  assert.equal(bad, 0, `${bad} of ${ours.data.length} values differ; ${first}`);
}

/** One describe per group: LiteRT runs the group's model once, each case is one test. */
function parityGroup(name: string, cases: Case[], resolver: LiteRTResolver = "ref"): void {
  describe(name, { skip: !liteRTAvailable() }, () => {
    let ours: NDArray[] = [];
    let theirs: NDArray[] = [];
    before(async () => {
      const { bytes, outputs } = buildGroup(cases);
      const it = new Interpreter({ modelContent: bytes });
      it.allocateTensors();
      it.invoke();
      ours = outputs.map((o) => it.getTensor(o));
      theirs = (await runLiteRT(bytes, [], { resolver })).outputs;
    });
    cases.forEach((k, i) => {
      test(label(k), () => {
        const a = ours[i];
        const b = theirs[i];
        assert.ok(a !== undefined && b !== undefined, "missing output");
        assertMatches(a, b);
        // Not degenerate: a non-constant output takes several values.
        if (!["FILL", "ZEROS_LIKE"].includes(k.op)) {
          assert.ok(
            new Set(Array.from(a.data as ArrayLike<unknown>)).size > 1,
            "output is constant",
          );
        }
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------

const sub = (act: "NONE" | "RELU" | "RELU6" | "RELU_N1_TO_1" = "NONE"): BuiltinOptions => ({
  type: "SubOptions",
  fusedActivationFunction: act,
  potScaleInt16: true,
});
const div = (act: "NONE" | "RELU" = "NONE"): BuiltinOptions => ({
  type: "DivOptions",
  fusedActivationFunction: act,
});
const gelu = (approximate: boolean): BuiltinOptions => ({ type: "GeluOptions", approximate });
const leaky = (alpha: number): BuiltinOptions => ({ type: "LeakyReluOptions", alpha });
const cast = (from: DType, to: DType): Case =>
  c(
    "CAST",
    { type: "CastOptions", inDataType: from, outDataType: to },
    [opnd(from, [3, 85], undefined, to === "bool" ? "coarse" : "walk")],
    to,
  );

const S4 = [2, 3, 4, 5];
const F = "float32";

const add = (act: "NONE" | "RELU" = "NONE"): BuiltinOptions => ({
  type: "AddOptions",
  fusedActivationFunction: act,
  potScaleInt16: true,
});
const mul = (act: "NONE" | "RELU" = "NONE"): BuiltinOptions => ({
  type: "MulOptions",
  fusedActivationFunction: act,
});

// int32/int64 ADD and MUL: the shape and index arithmetic of transformers and recurrent loops.
parityGroup("ADD and MUL on int32/int64 vs LiteRT BUILTIN_REF", [
  c("ADD", add(), [opnd("int32", S4), opnd("int32", S4)], "int32"),
  c("ADD", add("RELU"), [opnd("int32", [3, 4, 5]), opnd("int32", [5])], "int32"),
  c("ADD", add(), [opnd("int64", [2, 3, 5]), opnd("int64", [3, 1])], "int64"),
  c("MUL", mul(), [opnd("int32", S4), opnd("int32", [4, 5])], "int32"),
  c(
    "MUL",
    mul("RELU"),
    [opnd("int32", [3, 4, 5], undefined, "small"), opnd("int32", [5], undefined, "small")],
    "int32",
  ),
  c(
    "MUL",
    mul(),
    [opnd("int64", [2, 3, 5], undefined, "coarse"), opnd("int64", [3, 1], undefined, "coarse")],
    "int64",
  ),
]);

parityGroup("SUB vs LiteRT BUILTIN_REF", [
  c("SUB", sub(), [opnd(F, S4), opnd(F, [4, 1])], F),
  c("SUB", sub("RELU6"), [opnd(F, [2, 1, 3, 1, 2, 3]), opnd(F, [1, 2, 1, 4, 1, 3])], F),
  c("SUB", sub("RELU_N1_TO_1"), [opnd(F, [5]), opnd(F, [3, 1])], F),
  c("SUB", sub(), [opnd("int32", S4), opnd("int32", S4)], "int32"),
  c("SUB", sub("RELU"), [opnd("int32", [3, 4, 5]), opnd("int32", [5])], "int32"),
  c("SUB", sub(), [opnd("int64", [2, 3, 5]), opnd("int64", [3, 1])], "int64"),
  c(
    "SUB",
    sub(),
    [opnd("int8", [16, 16], [0.05, 3]), opnd("int8", [16, 16], [0.02, -7])],
    "int8",
    [0.06, -2],
  ),
  c(
    "SUB",
    sub(),
    [opnd("int8", [16, 16], [0.1, 0]), opnd("int8", [16, 16], [0.1, 0])],
    "int8",
    [0.2, 0],
  ),
  c(
    "SUB",
    sub(),
    [opnd("int8", [256], [0.5, 0]), opnd("int8", [256], [0.25, 1])],
    "int8",
    [0.5, 0],
  ),
  c(
    "SUB",
    sub("RELU"),
    [opnd("int8", S4, [0.031, -5]), opnd("int8", [3, 1, 5], [0.07, 10])],
    "int8",
    [0.05, -128],
  ),
  c(
    "SUB",
    sub(),
    [opnd("int8", [2, 1, 4, 8], [0.013, 0]), opnd("int8", [1, 3, 1, 8], [0.011, 2])],
    "int8",
    [0.021, 1],
  ),
  c(
    "SUB",
    sub(),
    [opnd("uint8", [16, 16], [0.05, 128]), opnd("uint8", [16], [0.02, 120])],
    "uint8",
    [0.06, 130],
  ),
  c(
    "SUB",
    sub(),
    [opnd("int16", [16, 64], [3e-4, 0]), opnd("int16", [16, 64], [7e-4, 0])],
    "int16",
    [9e-4, 0],
  ),
]);

parityGroup("comparisons vs LiteRT BUILTIN_REF", [
  ...(["LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL"] as const).flatMap(
    (op): Case[] => [
      c(op, null, [opnd(F, S4, undefined, "coarse"), opnd(F, [4, 1], undefined, "coarse")], "bool"),
      c(
        op,
        null,
        [opnd("int32", [3, 4, 5], undefined, "coarse"), opnd("int32", [5], undefined, "coarse")],
        "bool",
      ),
      c(
        op,
        null,
        [
          opnd("int64", [2, 1, 3, 1, 2, 3], undefined, "coarse"),
          opnd("int64", [1, 2, 1, 4, 1, 3], undefined, "coarse"),
        ],
        "bool",
      ),
      c(op, null, [opnd("int8", [16, 16], [0.5, 1]), opnd("int8", [16, 16], [0.25, -3])], "bool"),
      c(
        op,
        null,
        [opnd("int8", [8, 32], [0.1, 0], "coarse"), opnd("int8", [32], [0.1, 0], "coarse")],
        "bool",
      ),
      c(
        op,
        null,
        [
          opnd("uint8", [16, 16], [0.5, 128], "coarse"),
          opnd("uint8", [16, 16], [0.25, 124], "coarse"),
        ],
        "bool",
      ),
    ],
  ),
  // int16: raw values for the order comparisons, scaled values for quantized (NOT_)EQUAL.
  ...(["LESS", "LESS_EQUAL", "GREATER", "GREATER_EQUAL", "EQUAL", "NOT_EQUAL"] as const).map((op) =>
    c(
      op,
      null,
      [opnd("int16", [4, 16], [1e-3, 3], "coarse"), opnd("int16", [16], [2e-3, -1], "coarse")],
      "bool",
    ),
  ),
  c(
    "EQUAL",
    null,
    [opnd("int16", [4, 16], undefined, "coarse"), opnd("int16", [16], undefined, "coarse")],
    "bool",
  ),
  ...(["EQUAL", "NOT_EQUAL"] as const).map((op) =>
    c(op, null, [opnd("bool", [3, 4, 5]), opnd("bool", [4, 1])], "bool"),
  ),
]);

parityGroup("logical ops, SELECT and SELECT_V2 vs LiteRT BUILTIN_REF", [
  c("LOGICAL_AND", null, [opnd("bool", S4), opnd("bool", [4, 1])], "bool"),
  c(
    "LOGICAL_OR",
    null,
    [opnd("bool", [2, 1, 3, 1, 2, 3]), opnd("bool", [1, 2, 1, 4, 1, 3])],
    "bool",
  ),
  c("LOGICAL_NOT", null, [opnd("bool", [7, 9])], "bool"),
  c("SELECT_V2", null, [opnd("bool", [4, 1]), opnd(F, S4), opnd(F, [5])], F),
  c(
    "SELECT",
    null,
    [opnd("bool", [3, 4, 5]), opnd("int32", [3, 4, 5]), opnd("int32", [3, 4, 5])],
    "int32",
  ),
  c("SELECT", null, [opnd("bool", [6]), opnd(F, [6, 2, 3]), opnd(F, [6, 2, 3])], F),
  c(
    "SELECT_V2",
    null,
    [opnd("bool", [3, 4, 5]), opnd("int32", [3, 4, 5]), opnd("int32", [1])],
    "int32",
  ),
  c(
    "SELECT_V2",
    null,
    [opnd("bool", [2, 1, 3]), opnd("int64", [4, 1]), opnd("int64", [2, 4, 3])],
    "int64",
  ),
  c(
    "SELECT_V2",
    null,
    [opnd("bool", [2, 4, 1, 1]), opnd("int8", [2, 1, 3, 4], [0.1, 2]), opnd("int8", [4], [0.1, 2])],
    "int8",
    [0.1, 2],
  ),
  c(
    "SELECT_V2",
    null,
    [opnd("bool", [6, 6]), opnd("int16", [6, 6], [1e-3, 0]), opnd("int16", [6, 1], [1e-3, 0])],
    "int16",
    [1e-3, 0],
  ),
  c(
    "SELECT_V2",
    null,
    [opnd("bool", [5, 1]), opnd("uint8", [5, 7], [0.1, 128]), opnd("uint8", [7], [0.1, 128])],
    "uint8",
    [0.1, 128],
  ),
  c("SELECT_V2", null, [opnd("bool", [5, 7]), opnd("bool", [5, 7]), opnd("bool", [7])], "bool"),
]);

parityGroup("CAST vs LiteRT BUILTIN_REF", [
  cast("float32", "int32"),
  cast("float32", "int64"),
  cast("float32", "bool"),
  cast("float32", "int16"),
  cast("int32", "float32"),
  cast("int32", "int64"),
  cast("int32", "bool"),
  cast("int32", "int8"),
  cast("int32", "uint8"),
  cast("int32", "int16"),
  cast("int64", "float32"),
  cast("int64", "int32"),
  cast("int64", "bool"),
  cast("bool", "float32"),
  cast("bool", "int32"),
  cast("bool", "int64"),
  cast("int8", "float32"),
  cast("int8", "int32"),
  cast("int8", "uint8"),
  cast("uint8", "int8"),
  cast("uint8", "float32"),
  cast("uint8", "int32"),
  cast("int16", "float32"),
  cast("int16", "int32"),
  cast("int16", "int8"),
]);

parityGroup("FILL and ZEROS_LIKE vs LiteRT BUILTIN_REF", [
  ...(["float32", "int32", "int64", "bool", "int8", "int16"] as const).map((t) =>
    c(
      "FILL",
      null,
      [{ dtype: "int32", shape: [3], data: Int32Array.from([2, 3, 4]) }, opnd(t, [])],
      t,
    ),
  ),
  c(
    "FILL",
    null,
    [{ dtype: "int64", shape: [2], data: BigInt64Array.from([3n, 5n]) }, opnd(F, [])],
    F,
  ),
  ...(["float32", "int32", "int64"] as const).map((t) =>
    c("ZEROS_LIKE", null, [opnd(t, [3, 5])], t),
  ),
]);

parityGroup("MAXIMUM / MINIMUM vs LiteRT BUILTIN_REF", [
  ...(["MAXIMUM", "MINIMUM"] as const).flatMap((op): Case[] => [
    c(op, null, [opnd(F, S4), opnd(F, [4, 1])], F),
    c(
      op,
      null,
      [opnd("int8", [2, 1, 3, 1, 2, 3], [0.1, 3]), opnd("int8", [1, 2, 1, 4, 1, 3], [0.1, 3])],
      "int8",
      [0.1, 3],
    ),
    c(
      op,
      null,
      [opnd("uint8", [16, 16], [0.1, 128]), opnd("uint8", [16], [0.1, 128])],
      "uint8",
      [0.1, 128],
    ),
    c(
      op,
      null,
      [opnd("int16", [8, 32], [1e-3, 0]), opnd("int16", [8, 32], [1e-3, 0])],
      "int16",
      [1e-3, 0],
    ),
    c(op, null, [opnd("int32", [3, 4, 5]), opnd("int32", [5])], "int32"),
    c(op, null, [opnd("int64", [3, 5]), opnd("int64", [3, 1])], "int64"),
  ]),
]);

parityGroup("activations vs LiteRT BUILTIN_REF", [
  c("HARD_SWISH", null, [opnd(F, [4, 64])], F),
  c("HARD_SWISH", null, [opnd("int8", [256], [0.05, 0])], "int8", [0.03, -100]),
  c("HARD_SWISH", null, [opnd("int8", [256], [0.1, 20])], "int8", [0.05, -10]),
  c("HARD_SWISH", null, [opnd("int8", [256], [0.01, -3])], "int8", [0.005, -128]),
  c("HARD_SWISH", null, [opnd("int8", [256], [0.3, 0])], "int8", [0.15, -30]),
  c("HARD_SWISH", null, [opnd("int8", [256], [0.02, 5])], "int8", [0.0234375, -90]),
  c("HARD_SWISH", null, [opnd("uint8", [256], [0.05, 128])], "uint8", [0.04, 20]),
  c("LEAKY_RELU", leaky(0.2), [opnd(F, [4, 64])], F),
  c("LEAKY_RELU", leaky(0.2), [opnd("int8", [256], [0.05, 3])], "int8", [0.04, -20]),
  c("LEAKY_RELU", leaky(0.01), [opnd("int8", [256], [0.1, -128])], "int8", [0.1, -128]),
  c("LEAKY_RELU", leaky(1.5), [opnd("int8", [256], [0.02, 0])], "int8", [0.05, 0]),
  c("LEAKY_RELU", leaky(0.3), [opnd("int16", [4096], [1e-3, 0])], "int16", [8e-4, 0]),
  c("PRELU", null, [opnd(F, S4), opnd(F, [5])], F),
  c(
    "PRELU",
    null,
    [opnd("int8", [4, 8, 8], [0.05, 3]), opnd("int8", [8], [0.01, -10])],
    "int8",
    [0.04, 5],
  ),
  c(
    "PRELU",
    null,
    [opnd("int8", [2, 4, 4, 16], [0.1, -5]), opnd("int8", [1, 1, 16], [0.004, 0])],
    "int8",
    [0.08, -20],
  ),
  c(
    "PRELU",
    null,
    [opnd("uint8", [16, 16], [0.05, 128]), opnd("uint8", [16], [0.01, 100])],
    "uint8",
    [0.04, 100],
  ),
  c("GELU", gelu(false), [opnd(F, [4, 64])], F),
  c("GELU", gelu(true), [opnd(F, [4, 64])], F),
  c("GELU", gelu(false), [opnd("int8", [256], [0.05, 10])], "int8", [0.03, -90]),
  c("GELU", gelu(true), [opnd("int8", [256], [0.05, 10])], "int8", [0.03, -90]),
  c("GELU", gelu(false), [opnd("int8", [256], [0.02, -3])], "int8", [0.011, -128]),
  c("GELU", gelu(false), [opnd("uint8", [256], [0.04, 130])], "uint8", [0.02, 10]),
  c("RELU_N1_TO_1", null, [opnd(F, [4, 64], undefined, "small")], F),
  c("RELU_N1_TO_1", null, [opnd("int8", [256], [0.02, 3])], "int8", [0.01, 0]),
  c("RELU_0_TO_1", null, [opnd(F, [4, 64], undefined, "small")], F),
  c("RELU_0_TO_1", null, [opnd("int8", [256], [0.02, 3])], "int8", [1 / 255, -128]),
]);

// BUILTIN_REF registers no ELU kernel: the builtin one (without XNNPACK) is the arbiter.
parityGroup(
  "ELU vs LiteRT BUILTIN_WITHOUT_DEFAULT_DELEGATES",
  [
    c("ELU", null, [opnd(F, [4, 64])], F),
    c("ELU", null, [opnd("int8", [256], [0.05, 10])], "int8", [0.03, -90]),
  ],
  "no-delegates",
);

parityGroup("unary and binary math vs LiteRT BUILTIN_REF", [
  c("SQRT", null, [opnd(F, [4, 64], undefined, "positive")], F),
  c("RSQRT", null, [opnd(F, [4, 64], undefined, "positive")], F),
  c("EXP", null, [opnd(F, [4, 64], undefined, "small")], F),
  c("EXP", null, [opnd("int8", [256], [0.02, 0])], "int8", [0.03, -128]),
  c("LOG", null, [opnd(F, [4, 64], undefined, "positive")], F),
  c("LOG", null, [opnd("int8", [256], [0.05, -128])], "int8", [0.04, 60]),
  c("SQRT", null, [opnd("int8", [256], [0.05, -128])], "int8", [0.02, -128]),
  c("RSQRT", null, [opnd("int8", [256], [0.05, -128])], "int8", [0.02, -128]),
  // (LiteRT fails the invoke on a negative int8 SQRT input; the cases stay on [0, 12.75].)
  c("ABS", null, [opnd(F, [4, 64])], F),
  c("ABS", null, [opnd("int32", [4, 64])], "int32"),
  c("ABS", null, [opnd("int8", [256], [0.05, 3])], "int8", [0.05, 3]),
  c("ABS", null, [opnd("int8", [256], [0.05, 3])], "int8", [0.03, -128]),
  c("ABS", null, [opnd("int16", [4096], [1e-3, 0])], "int16", [7e-4, 0]),
  c("NEG", null, [opnd(F, [4, 64])], F),
  c("NEG", null, [opnd("int32", [4, 64])], "int32"),
  c("NEG", null, [opnd("int64", [4, 64])], "int64"),
  c("DIV", div(), [opnd(F, S4), opnd(F, [4, 1], undefined, "positive")], F),
  c("DIV", div("RELU"), [opnd(F, [3, 5]), opnd(F, [5], undefined, "positive")], F),
  c(
    "DIV",
    div(),
    [
      opnd("int32", [3, 4, 5]),
      { ...opnd("int32", [5]), data: Int32Array.from([3, -7, 2, 100, -1]) },
    ],
    "int32",
  ),
  c("SQUARED_DIFFERENCE", null, [opnd(F, S4), opnd(F, [4, 1])], F),
  c(
    "SQUARED_DIFFERENCE",
    null,
    [opnd("int32", [3, 4, 5], undefined, "small"), opnd("int32", [5], undefined, "small")],
    "int32",
  ),
]);
