/**
 * One-op models of TRANSPOSE_CONV, BATCH_MATMUL, N-D FULLY_CONNECTED, RESIZE_BILINEAR,
 * RESIZE_NEAREST_NEIGHBOR, LOG_SOFTMAX and L2_NORMALIZATION in every supported dtype, run in
 * tsquant's interpreter and in LiteRT's reference kernels (BUILTIN_REF): integer outputs must
 * be identical, float32 outputs within 1e-4 · max(1, |ref|) element by element. Weights, biases
 * and inputs are pseudo-random (seeded), per-channel scales spread over a decade so that the
 * requantization reaches its rounding edges; sizes are odd, strides 1 and 2, SAME and VALID.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Interpreter } from "../../kernel/src/interpreter";
import { buildModel, type TensorSpec } from "../../kernel/src/interpreter/testing";
import type {
  Activation,
  BuiltinOpName,
  BuiltinOptions,
  DType,
  NDArray,
  Padding,
  TypedArray,
} from "../../kernel/src/ir";
import { shapeSize } from "../../kernel/src/ir";
import { writeModel } from "../../kernel/src/tflite/writer";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";
import { diff } from "./parity";

/** Deterministic pseudo-random numbers in [0, 1) (LCG), one stream per seed. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function ints(n: number, lo: number, hi: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

function floats(n: number, lo: number, hi: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + r() * (hi - lo));
}

/** Random data of a dtype over its whole range (floats in [−2, 2]). */
function randomData(dtype: DType, n: number, seed: number): TypedArray {
  switch (dtype) {
    case "float32":
      return floats(n, -2, 2, seed);
    case "int8":
      return Int8Array.from(ints(n, -128, 127, seed));
    case "int16":
      return Int16Array.from(ints(n, -32768, 32767, seed));
    default:
      throw new Error(`no random data for ${dtype}`);
  }
}

/** A model operand: constant when `data` is set, else a model input fed random values. */
type Operand = TensorSpec;

/**
 * Build the one-op model, feed every non-constant operand random data of its dtype, run it in
 * tsquant and in LiteRT BUILTIN_REF, compare output 0.
 */
async function expectParity(
  op: BuiltinOpName,
  options: BuiltinOptions | null,
  operands: (Operand | null)[],
  output: TensorSpec,
  seed = 1,
): Promise<void> {
  const tensors: TensorSpec[] = [];
  const inputs = operands.map((t) => {
    if (t === null) return -1;
    tensors.push(t);
    return tensors.length - 1;
  });
  tensors.push(output);
  const outIndex = tensors.length - 1;
  const bytes = writeModel(buildModel(tensors, [{ op, inputs, outputs: [outIndex], options }]));
  const it = new Interpreter({ modelContent: bytes });
  it.allocateTensors();
  const feeds: NDArray[] = [];
  for (const detail of it.getInputDetails()) {
    const data = randomData(detail.dtype, shapeSize(detail.shape), seed + detail.index * 31);
    feeds.push({ data, shape: detail.shape, dtype: detail.dtype });
    it.setTensor(detail.index, data);
  }
  it.invoke();
  const ours = it.getTensor(outIndex);
  const theirs = (await runLiteRT(bytes, feeds, { resolver: "ref" })).outputs[0];
  assert.ok(theirs !== undefined);
  assert.deepEqual(ours.shape, theirs.shape, "output shape");
  assert.equal(ours.dtype, theirs.dtype, "output dtype");
  if (ours.dtype === "float32") {
    let worst = 0;
    for (let i = 0; i < ours.data.length; i++) {
      const ref = Number(theirs.data[i]);
      const excess = Math.abs(Number(ours.data[i]) - ref) / (1e-4 * Math.max(1, Math.abs(ref)));
      if (!(excess <= worst)) worst = excess;
    }
    assert.ok(worst <= 1, `float error ${worst}× the tolerance 1e-4 · max(1, |ref|)`);
  } else {
    // Meaningful only if most outputs are not clamped to the dtype's ends.
    const [lo, hi] = ours.dtype === "int8" ? [-128, 127] : [-32768, 32767];
    const clamped = Array.from(ours.data, Number).filter((v) => v === lo || v === hi).length;
    assert.ok(clamped <= ours.data.length / 4, `${clamped} of ${ours.data.length} outputs clamped`);
    const d = diff(ours, theirs);
    assert.equal(
      d.count,
      0,
      `${d.count} of ${ours.data.length} values differ, max |Δ| ${d.maxAbs}`,
    );
  }
}

/** Per-channel scales spread over [lo, hi] (or one scale when `channels` is 1). */
function scales(channels: number, lo: number, hi: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: channels }, () => lo * (hi / lo) ** r());
}

type Quantized = "float32" | "int8" | "int16";

/** Activation quantization per dtype: [scale, zero point]. */
function actQuant(
  dtype: Quantized,
  scale: number,
  zeroPoint: number,
): [number, number] | undefined {
  if (dtype === "float32") return undefined;
  return [dtype === "int16" ? scale / 256 : scale, dtype === "int16" ? 0 : zeroPoint];
}

/**
 * Weights (int8 symmetric per-channel along axis 0 for quantized models, float otherwise) and
 * a bias (int32 for int8, int64 for int16, float for float) for `channels` output channels.
 */
function weightsAndBias(
  dtype: Quantized,
  shape: number[],
  inScale: number,
  hasBias: boolean,
  perChannel: boolean,
  seed: number,
): [Operand, Operand | null] {
  const channels = shape[0] ?? 1;
  const n = shapeSize(shape);
  if (dtype === "float32") {
    const w: Operand = { dtype: "float32", shape, data: floats(n, -1, 1, seed) };
    const b: Operand = {
      dtype: "float32",
      shape: [channels],
      data: floats(channels, -1, 1, seed + 1),
    };
    return [w, hasBias ? b : null];
  }
  const s = perChannel ? scales(channels, 0.002, 0.03, seed + 2) : [0.01];
  const w: Operand = {
    dtype: "int8",
    shape,
    data: Int8Array.from(ints(n, -127, 127, seed)),
    quant: { scales: s, zeroPoints: s.map(() => 0), axis: 0 },
  };
  if (!hasBias) return [w, null];
  const values = ints(channels, -20000, 20000, seed + 3);
  const actScale = actQuant(dtype, inScale, 0)?.[0] ?? inScale;
  const biasScales = s.map((v) => v * actScale);
  const b: Operand =
    dtype === "int8"
      ? {
          dtype: "int32",
          shape: [channels],
          data: Int32Array.from(values),
          quant: { scales: biasScales, zeroPoints: s.map(() => 0), axis: 0 },
        }
      : {
          dtype: "int64",
          shape: [channels],
          data: BigInt64Array.from(values, (v) => BigInt(v) * 37n),
          quant: { scales: biasScales, zeroPoints: s.map(() => 0), axis: 0 },
        };
  return [w, b];
}

interface TransposeConvCase {
  dtype: Quantized;
  /** [batch, inH, inW, inC] */
  input: number[];
  kernel: [number, number];
  stride: [number, number];
  padding: Padding;
  outC: number;
  bias?: boolean;
  perChannel?: boolean;
  /** 16x8 only: an int32 bias with quantized_bias_type INT32 (TFLite's int32 accumulator). */
  int32Bias?: boolean;
  activation?: Activation;
}

/** The output size a TRANSPOSE_CONV of this case produces (the inverse of the conv's). */
function transposeConvOut(c: TransposeConvCase, dim: 1 | 2): number {
  const inSize = c.input[dim] ?? 1;
  const k = c.kernel[dim - 1];
  const s = c.stride[dim - 1];
  return c.padding === "SAME" ? inSize * s : (inSize - 1) * s + k;
}

async function transposeConv(c: TransposeConvCase, seed: number): Promise<void> {
  const [batch = 1, , , inC = 1] = c.input;
  const outH = transposeConvOut(c, 1);
  const outW = transposeConvOut(c, 2);
  const [w, b] = weightsAndBias(
    c.dtype,
    [c.outC, c.kernel[0], c.kernel[1], inC],
    0.02,
    c.bias ?? true,
    c.perChannel ?? true,
    seed,
  );
  const int32Bias = c.int32Bias === true && b !== null && b.data instanceof BigInt64Array;
  const bias: Operand | null =
    int32Bias && b?.data instanceof BigInt64Array
      ? { ...b, dtype: "int32", data: Int32Array.from(b.data, (v) => Number(v)) }
      : b;
  await expectParity(
    "TRANSPOSE_CONV",
    {
      type: "TransposeConvOptions",
      padding: c.padding,
      strideW: c.stride[1],
      strideH: c.stride[0],
      fusedActivationFunction: c.activation ?? "NONE",
      quantizedBiasType: int32Bias ? 2 : 0, // TensorType INT32
    },
    [
      { dtype: "int32", shape: [4], data: Int32Array.from([batch, outH, outW, c.outC]) },
      w,
      { dtype: c.dtype, shape: c.input, quant: actQuant(c.dtype, 0.02, 5) },
      bias,
    ],
    { dtype: c.dtype, shape: [batch, outH, outW, c.outC], quant: actQuant(c.dtype, 0.1, -3) },
    seed,
  );
}

const TRANSPOSE_CONV_CASES: TransposeConvCase[] = [];
for (const dtype of ["float32", "int8", "int16"] as const) {
  TRANSPOSE_CONV_CASES.push(
    { dtype, input: [1, 5, 7, 3], kernel: [3, 3], stride: [2, 2], padding: "SAME", outC: 4 },
    { dtype, input: [2, 4, 5, 2], kernel: [3, 2], stride: [1, 1], padding: "VALID", outC: 5 },
    { dtype, input: [1, 3, 3, 4], kernel: [4, 4], stride: [2, 2], padding: "VALID", outC: 3 },
    {
      dtype,
      input: [1, 6, 5, 3],
      kernel: [3, 3],
      stride: [1, 2],
      padding: "SAME",
      outC: 7,
      bias: false,
    },
    {
      dtype,
      input: [1, 5, 5, 8],
      kernel: [5, 5],
      stride: [2, 2],
      padding: "SAME",
      outC: 6,
      activation: "RELU",
    },
    {
      dtype,
      input: [1, 4, 4, 3],
      kernel: [2, 2],
      stride: [2, 2],
      padding: "SAME",
      outC: 2,
      perChannel: false,
    },
  );
}

TRANSPOSE_CONV_CASES.push(
  {
    dtype: "int16",
    input: [1, 5, 7, 3],
    kernel: [3, 3],
    stride: [2, 2],
    padding: "SAME",
    outC: 4,
    int32Bias: true,
  },
  {
    dtype: "int16",
    input: [2, 4, 5, 6],
    kernel: [3, 2],
    stride: [1, 1],
    padding: "VALID",
    outC: 5,
    int32Bias: true,
    activation: "RELU",
  },
);

describe("TRANSPOSE_CONV vs LiteRT BUILTIN_REF", { skip: !liteRTAvailable() }, () => {
  TRANSPOSE_CONV_CASES.forEach((c, i) => {
    test(JSON.stringify(c), () => transposeConv(c, 100 + i));
  });
});

interface FullyConnectedCase {
  /** "hybrid": float32 input and output, int8 weights, float32 bias. */
  dtype: Quantized | "hybrid";
  input: number[];
  units: number;
  keepNumDims: boolean;
  asymmetric?: boolean;
  activation?: Activation;
}

async function fullyConnected(c: FullyConnectedCase, seed: number): Promise<void> {
  const depth = c.input[c.input.length - 1] ?? 1;
  const act = c.dtype === "hybrid" ? "float32" : c.dtype;
  const [w, b] = weightsAndBias(
    c.dtype === "hybrid" ? "int8" : c.dtype,
    [c.units, depth],
    0.02,
    true,
    true,
    seed,
  );
  const bias: Operand | null =
    c.dtype === "hybrid"
      ? { dtype: "float32", shape: [c.units], data: floats(c.units, -1, 1, seed + 9) }
      : b;
  const rows = shapeSize(c.input) / depth;
  const outShape = c.keepNumDims ? [...c.input.slice(0, -1), c.units] : [rows, c.units];
  await expectParity(
    "FULLY_CONNECTED",
    {
      type: "FullyConnectedOptions",
      fusedActivationFunction: c.activation ?? "NONE",
      weightsFormat: 0,
      keepNumDims: c.keepNumDims,
      asymmetricQuantizeInputs: c.asymmetric ?? false,
      quantizedBiasType: 0,
    },
    [{ dtype: act, shape: c.input, quant: actQuant(act, 0.02, 5) }, w, bias],
    { dtype: act, shape: outShape, quant: actQuant(act, 0.1, -3) },
    seed,
  );
}

const FULLY_CONNECTED_CASES: FullyConnectedCase[] = [];
for (const dtype of ["float32", "int8", "int16", "hybrid"] as const) {
  FULLY_CONNECTED_CASES.push(
    { dtype, input: [2, 3, 5, 16], units: 10, keepNumDims: true },
    { dtype, input: [2, 3, 5, 16], units: 7, keepNumDims: false },
    { dtype, input: [3, 7, 33], units: 5, keepNumDims: true, activation: "RELU6" },
    { dtype, input: [4, 9], units: 3, keepNumDims: true },
  );
}
FULLY_CONNECTED_CASES.push(
  { dtype: "hybrid", input: [2, 5, 19], units: 6, keepNumDims: true, asymmetric: true },
  { dtype: "hybrid", input: [3, 2, 24], units: 4, keepNumDims: false, asymmetric: true },
);

describe("N-D FULLY_CONNECTED vs LiteRT BUILTIN_REF", { skip: !liteRTAvailable() }, () => {
  FULLY_CONNECTED_CASES.forEach((c, i) => {
    test(JSON.stringify(c), () => fullyConnected(c, 200 + i));
  });
});

interface BatchMatMulCase {
  dtype: Quantized;
  lhs: number[];
  rhs: number[];
  adjX?: boolean;
  adjY?: boolean;
  /** The rhs is a constant (weights) instead of a second activation. */
  constRhs?: boolean;
}

function batchMatMulShape(c: BatchMatMulCase): number[] {
  const rank = Math.max(c.lhs.length, c.rhs.length);
  const l = [...Array<number>(rank - c.lhs.length).fill(1), ...c.lhs];
  const r = [...Array<number>(rank - c.rhs.length).fill(1), ...c.rhs];
  const batch = l.slice(0, -2).map((d, i) => (d === 1 ? (r[i] ?? 1) : d));
  const m = c.adjX ? l[rank - 1] : l[rank - 2];
  const n = c.adjY ? r[rank - 2] : r[rank - 1];
  return [...batch, m ?? 1, n ?? 1];
}

async function batchMatMul(c: BatchMatMulCase, seed: number): Promise<void> {
  const rhsQuant = actQuant(c.dtype, 0.03, -7);
  const rhs: Operand = {
    dtype: c.dtype,
    shape: c.rhs,
    quant: rhsQuant,
    data: c.constRhs ? randomData(c.dtype, shapeSize(c.rhs), seed + 5) : undefined,
  };
  if (rhs.data === undefined) delete rhs.data;
  await expectParity(
    "BATCH_MATMUL",
    {
      type: "BatchMatMulOptions",
      adjX: c.adjX ?? false,
      adjY: c.adjY ?? false,
      asymmetricQuantizeInputs: false,
    },
    [{ dtype: c.dtype, shape: c.lhs, quant: actQuant(c.dtype, 0.02, 5) }, rhs],
    { dtype: c.dtype, shape: batchMatMulShape(c), quant: actQuant(c.dtype, 0.25, 2) },
    seed,
  );
}

const BATCH_MATMUL_CASES: BatchMatMulCase[] = [];
for (const dtype of ["float32", "int8", "int16"] as const) {
  BATCH_MATMUL_CASES.push(
    // The harness feeds inputs stacked on axis 0: two activations share their first dimension.
    { dtype, lhs: [5, 7], rhs: [5, 3], adjX: true },
    { dtype, lhs: [6, 7], rhs: [7, 3], constRhs: true },
    { dtype, lhs: [2, 3, 5, 7], rhs: [7, 4], constRhs: true },
    { dtype, lhs: [2, 7, 5], rhs: [2, 7, 3], adjX: true },
    { dtype, lhs: [3, 5, 7], rhs: [3, 4, 7], adjY: true },
    { dtype, lhs: [2, 1, 5, 6], rhs: [2, 3, 4, 6], adjY: true },
    { dtype, lhs: [2, 1, 2, 9, 5], rhs: [3, 1, 9, 4], adjX: true, constRhs: true },
    { dtype, lhs: [1, 4, 3, 8], rhs: [2, 1, 8, 5], adjX: false, adjY: false, constRhs: true },
  );
}

describe("BATCH_MATMUL vs LiteRT BUILTIN_REF", { skip: !liteRTAvailable() }, () => {
  BATCH_MATMUL_CASES.forEach((c, i) => {
    test(JSON.stringify(c), () => batchMatMul(c, 300 + i));
  });
});

interface ResizeCase {
  op: "RESIZE_BILINEAR" | "RESIZE_NEAREST_NEIGHBOR";
  dtype: Quantized;
  input: number[];
  size: [number, number];
  alignCorners?: boolean;
  halfPixelCenters?: boolean;
}

async function resize(c: ResizeCase, seed: number): Promise<void> {
  const [batch = 1, , , channels = 1] = c.input;
  const flags = {
    alignCorners: c.alignCorners ?? false,
    halfPixelCenters: c.halfPixelCenters ?? false,
  };
  const quant = actQuant(c.dtype, 0.02, 5);
  await expectParity(
    c.op,
    c.op === "RESIZE_BILINEAR"
      ? { type: "ResizeBilinearOptions", ...flags }
      : { type: "ResizeNearestNeighborOptions", ...flags },
    [
      { dtype: c.dtype, shape: c.input, quant },
      { dtype: "int32", shape: [2], data: Int32Array.from(c.size) },
    ],
    { dtype: c.dtype, shape: [batch, c.size[0], c.size[1], channels], quant },
    seed,
  );
}

const RESIZE_CASES: ResizeCase[] = [];
for (const op of ["RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR"] as const) {
  for (const dtype of ["float32", "int8", "int16"] as const) {
    for (const flags of [{}, { alignCorners: true }, { halfPixelCenters: true }]) {
      RESIZE_CASES.push(
        { op, dtype, input: [2, 5, 7, 3], size: [11, 16], ...flags },
        { op, dtype, input: [1, 9, 8, 2], size: [4, 3], ...flags },
        { op, dtype, input: [1, 3, 4, 5], size: [7, 4], ...flags },
        { op, dtype, input: [1, 1, 5, 2], size: [3, 1], ...flags },
      );
    }
  }
}

describe(
  "RESIZE_BILINEAR and RESIZE_NEAREST_NEIGHBOR vs LiteRT BUILTIN_REF",
  { skip: !liteRTAvailable() },
  () => {
    RESIZE_CASES.forEach((c, i) => {
      test(JSON.stringify(c), () => resize(c, 400 + i));
    });
  },
);

interface NormalizationCase {
  op: "L2_NORMALIZATION" | "LOG_SOFTMAX";
  dtype: "float32" | "int8";
  shape: number[];
  inputScale: number;
  inputZeroPoint: number;
}

/** The int8 output parameters TFLite requires: L2 (1/128, 0), LOG_SOFTMAX (16/256, 127). */
const FIXED_OUTPUT: Record<NormalizationCase["op"], [number, number]> = {
  L2_NORMALIZATION: [1 / 128, 0],
  LOG_SOFTMAX: [16 / 256, 127],
};

async function normalization(c: NormalizationCase, seed: number): Promise<void> {
  const int8 = c.dtype === "int8";
  await expectParity(
    c.op,
    c.op === "L2_NORMALIZATION"
      ? { type: "L2NormOptions", fusedActivationFunction: "NONE" }
      : { type: "LogSoftmaxOptions" },
    [
      {
        dtype: c.dtype,
        shape: c.shape,
        quant: int8 ? [c.inputScale, c.inputZeroPoint] : undefined,
      },
    ],
    { dtype: c.dtype, shape: c.shape, quant: int8 ? FIXED_OUTPUT[c.op] : undefined },
    seed,
  );
}

const NORMALIZATION_CASES: NormalizationCase[] = [];
for (const op of ["L2_NORMALIZATION", "LOG_SOFTMAX"] as const) {
  for (const dtype of ["float32", "int8"] as const) {
    NORMALIZATION_CASES.push(
      { op, dtype, shape: [7, 33], inputScale: 0.02, inputZeroPoint: 5 },
      { op, dtype, shape: [2, 3, 4, 10], inputScale: 0.06, inputZeroPoint: -20 },
      { op, dtype, shape: [64, 3], inputScale: 0.05, inputZeroPoint: 0 },
      { op, dtype, shape: [5, 300], inputScale: 0.003, inputZeroPoint: -128 },
    );
  }
}

describe(
  "L2_NORMALIZATION and LOG_SOFTMAX vs LiteRT BUILTIN_REF",
  { skip: !liteRTAvailable() },
  () => {
    NORMALIZATION_CASES.forEach((c, i) => {
      test(JSON.stringify(c), () => normalization(c, 500 + i));
    });
  },
);
