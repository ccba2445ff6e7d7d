/**
 * TensorFlow's tutorial files converted with a dynamic batch (test/fixtures/make_dynamic_batch.py:
 * `from_keras_model` on the trained model, batch None), whose Reshape layers became
 * SHAPE → STRIDED_SLICE → PACK → RESHAPE: tsquant's interpreter equals LiteRT's reference
 * kernels on 300 MNIST images (int8/uint8 bit for bit, float within 1e-5), at batch 1, 7 and
 * 100; read → write is byte-identical; and STRIDED_SLICE's masks agree with hand-derived results
 * and with LiteRT on one-op models built with tsquant's writer.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { Interpreter } from "../../kernel/src/interpreter";
import { planStridedSlice } from "../../kernel/src/interpreter/kernels/StridedSlice";
import type { BuiltinOptions, DType, NDArray } from "../../kernel/src/ir";
import { opName } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite/reader";
import { GraphBuilder, perTensor } from "../../kernel/src/tflite/testing";
import { computeOpVersion } from "../../kernel/src/tflite/versions";
import { writeModel } from "../../kernel/src/tflite/writer";
import { FIXTURES_DIR, mnistTest300Float32 } from "../helpers/fixtures";
import { liteRTAvailable, runLiteRT } from "../helpers/litert";
import { assertParity } from "./parity";

const MODELS = ["cnn_dynbatch_float32", "cnn_dynbatch_int8", "cnn_dynbatch_int8_only_uint8_io"];
const bytesOf = (name: string): Uint8Array =>
  new Uint8Array(readFileSync(join(FIXTURES_DIR, "models", `${name}.tflite`)));

/** The tutorial's input for the model: float images, or `trunc(x / scale + zeroPoint)`. */
function modelInput(model: Uint8Array, images: NDArray): NDArray {
  const [input] = new Interpreter({ modelContent: model }).getInputDetails();
  assert.ok(input !== undefined);
  if (input.dtype === "float32") return images;
  const [scale, zeroPoint] = input.quantization;
  const q =
    input.dtype === "uint8"
      ? new Uint8Array(images.data.length)
      : new Int8Array(images.data.length);
  images.data.forEach((x, i) => {
    q[i] = Math.trunc(Math.fround(Math.fround(Number(x) / scale) + zeroPoint));
  });
  return { data: q, shape: images.shape, dtype: input.dtype };
}

/** tsquant's outputs on `x`, `batch` images per invoke (the input resized to [batch, 28, 28]). */
function runOurs(model: Uint8Array, x: NDArray, batch: number): NDArray {
  const it = new Interpreter({ modelContent: model });
  const [input] = it.getInputDetails();
  const [output] = it.getOutputDetails();
  assert.ok(input !== undefined && output !== undefined);
  const n = x.shape[0] ?? 0;
  const per = x.data.length / n;
  it.resizeTensorInput(input.index, [batch, ...input.shape.slice(1)]);
  it.allocateTensors();
  const parts: NDArray[] = [];
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch);
    if (end - start !== batch) {
      it.resizeTensorInput(input.index, [end - start, ...input.shape.slice(1)]);
      it.allocateTensors();
    }
    it.setTensor(input.index, x.data.subarray(start * per, end * per));
    it.invoke();
    parts.push(it.getTensor(output.index));
  }
  const [first] = parts;
  assert.ok(first !== undefined);
  const rowLength = first.data.length / (first.shape[0] ?? 1);
  const out =
    first.dtype === "float32"
      ? new Float32Array(n * rowLength)
      : first.dtype === "uint8"
        ? new Uint8Array(n * rowLength)
        : new Int8Array(n * rowLength);
  let offset = 0;
  for (const p of parts) {
    for (let i = 0; i < p.data.length; i++) out[offset + i] = Number(p.data[i]);
    offset += p.data.length;
  }
  return { data: out, shape: [n, ...first.shape.slice(1)], dtype: first.dtype };
}

describe("TF dynamic-batch tutorial files", () => {
  for (const name of MODELS) {
    test(`${name}: read → write is byte-identical`, () => {
      const bytes = bytesOf(name);
      const written = writeModel(readModel(bytes));
      assert.equal(written.length, bytes.length, "length");
      assert.ok(Buffer.from(written).equals(Buffer.from(bytes)), "bytes differ");
    });

    test(`${name}: batch 7 and 100 give batch 1's outputs per image`, () => {
      const model = bytesOf(name);
      const x = modelInput(model, mnistTest300Float32());
      const one = runOurs(model, x, 1);
      assert.deepEqual(one.shape, [300, 10]);
      for (const batch of [7, 100]) {
        const many = runOurs(model, x, batch);
        assert.deepEqual(
          Array.from(many.data, Number),
          Array.from(one.data, Number),
          `batch ${batch}`,
        );
      }
    });

    test(
      `${name}: equals LiteRT (reference kernels) on 300 images, batch 1 and 100`,
      { skip: !liteRTAvailable() },
      async () => {
        const model = bytesOf(name);
        const x = modelInput(model, mnistTest300Float32());
        for (const batch of [1, 100]) {
          const theirs = await runLiteRT(model, [x], { resolver: "ref", batch });
          const [expected] = theirs.outputs;
          assert.ok(expected !== undefined);
          assertParity(runOurs(model, x, batch), expected, `${name} batch ${batch}`);
        }
      },
    );
  }
});

describe("op versions of TF's files", () => {
  for (const name of MODELS) {
    test(`${name}: computeOpVersion gives TF's version for every op`, () => {
      const model = readModel(bytesOf(name));
      const sg = model.subgraphs[0];
      assert.ok(sg !== undefined);
      for (const op of sg.operators) {
        const code = model.operatorCodes[op.opcodeIndex];
        assert.ok(code !== undefined);
        assert.equal(computeOpVersion(model, sg, op), code.version, opName(code.builtinCode));
      }
    });
  }
});

type SliceOptions = Omit<Extract<BuiltinOptions, { type: "StridedSliceOptions" }>, "type">;
const NO_MASKS: SliceOptions = {
  beginMask: 0,
  endMask: 0,
  ellipsisMask: 0,
  newAxisMask: 0,
  shrinkAxisMask: 0,
  offset: false,
};

interface SliceCase {
  what: string;
  inputShape: number[];
  begin: number[];
  end: number[];
  strides: number[];
  options: Partial<SliceOptions>;
  /** Hand-derived on x = 0, 1, 2, … (row-major), so a value is its own flat input index. */
  shape: number[];
  values: number[];
}

const SLICES: SliceCase[] = [
  {
    // x[-1:-3:-1] on [5]: start −1 + 5 = 4, stop −3 + 5 = 2, stride −1 → indices 4, 3.
    what: "negative indices and stride",
    inputShape: [5],
    begin: [-1],
    end: [-3],
    strides: [-1],
    options: {},
    shape: [2],
    values: [4, 3],
  },
  {
    // x[::-2] on [5]: begin_mask → start d − 1 = 4, end_mask → stop −1; ⌈(−1 − 4) / −2⌉ = 3.
    what: "begin/end masks with a negative stride",
    inputShape: [5],
    begin: [0],
    end: [0],
    strides: [-2],
    options: { beginMask: 1, endMask: 1 },
    shape: [3],
    values: [4, 2, 0],
  },
  {
    // x[:, 1, :] on [2,3,4]: axis 1 shrunk at 1; x[i,1,k] = 12i + 4 + k.
    what: "shrink axis between masked axes",
    inputShape: [2, 3, 4],
    begin: [0, 1, 0],
    end: [0, 2, 0],
    strides: [1, 1, 1],
    options: { beginMask: 0b101, endMask: 0b101, shrinkAxisMask: 0b010 },
    shape: [2, 4],
    values: [4, 5, 6, 7, 16, 17, 18, 19],
  },
  {
    // x[1:, ::2, -2:] on [2,3,4]: i = 1; j = 0, 2; k = 2, 3 → 12 + 4j + k.
    what: "mixed begin mask, step and negative begin",
    inputShape: [2, 3, 4],
    begin: [1, 0, -2],
    end: [0, 0, 0],
    strides: [1, 2, 1],
    options: { endMask: 0b111, beginMask: 0b010 },
    shape: [1, 2, 2],
    values: [14, 15, 22, 23],
  },
  {
    // x[np.newaxis, :] on [3]: a new axis of 1 in front, then the full range.
    what: "new axis",
    inputShape: [3],
    begin: [0, 0],
    end: [0, 0],
    strides: [1, 1],
    options: { newAxisMask: 0b01, beginMask: 0b10, endMask: 0b10 },
    shape: [1, 3],
    values: [0, 1, 2],
  },
  {
    // x[..., 1:3] on [2,3,4]: the ellipsis covers axes 0 and 1; 12i + 4j + {1, 2}.
    what: "ellipsis",
    inputShape: [2, 3, 4],
    begin: [0, 1],
    end: [0, 3],
    strides: [1, 1],
    options: { ellipsisMask: 0b01 },
    shape: [2, 3, 2],
    values: [1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22],
  },
  {
    // x[..., -1] on [2,3,4]: ellipsis over axes 0-1, last axis shrunk at −1 + 4 = 3.
    what: "ellipsis with a shrunk negative index",
    inputShape: [2, 3, 4],
    begin: [0, -1],
    end: [0, 0],
    strides: [1, 1],
    options: { ellipsisMask: 0b01, shrinkAxisMask: 0b10 },
    shape: [2, 3],
    values: [3, 7, 11, 15, 19, 23],
  },
  {
    // TF's dynamic-batch Reshape: shape[0] of a [4]-vector, shrunk to a scalar.
    what: "TF's batch extraction (scalar out)",
    inputShape: [4],
    begin: [0],
    end: [1],
    strides: [1],
    options: { shrinkAxisMask: 1 },
    shape: [],
    values: [0],
  },
];

/** A one-op STRIDED_SLICE model: float input, constant int32 begin/end/strides. */
function sliceModel(c: SliceCase): Uint8Array {
  const g = new GraphBuilder();
  const int32 = (name: string, v: number[]): number =>
    g.tensor(name, "int32", [v.length], { data: Int32Array.from(v) });
  const x = g.tensor("x", "float32", c.inputShape);
  const ins = [x, int32("begin", c.begin), int32("end", c.end), int32("strides", c.strides)];
  const y = g.tensor("y", "float32", c.shape);
  g.op("STRIDED_SLICE", ins, [y], { type: "StridedSliceOptions", ...NO_MASKS, ...c.options });
  return writeModel(g.io([x], [y]).build(), { finalize: true });
}

function ramp(shape: number[], dtype: DType = "float32"): NDArray {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "float32" ? new Float32Array(n) : new Int8Array(n);
  for (let i = 0; i < n; i++) data[i] = i;
  return { data, shape, dtype };
}

function runOnce(model: Uint8Array, inputs: NDArray[]): NDArray {
  const it = new Interpreter({ modelContent: model });
  it.allocateTensors();
  const details = it.getInputDetails();
  inputs.forEach((x, i) => it.setTensor(details[i]?.index ?? -1, x.data));
  it.invoke();
  const [output] = it.getOutputDetails();
  assert.ok(output !== undefined);
  return it.getTensor(output.index);
}

describe("STRIDED_SLICE masks", () => {
  for (const c of SLICES) {
    test(`${c.what}: hand-derived result`, () => {
      const plan = planStridedSlice(c.inputShape, c.begin, c.end, c.strides, {
        ...NO_MASKS,
        ...c.options,
      });
      assert.deepEqual(plan.outputShape, c.shape);
      const y = runOnce(sliceModel(c), [ramp(c.inputShape)]);
      assert.deepEqual(y.shape, c.shape);
      assert.deepEqual(Array.from(y.data, Number), c.values);
    });
  }

  test("every case equals LiteRT", { skip: !liteRTAvailable() }, async () => {
    for (const c of SLICES) {
      // NOTE: the BUILTIN_REF resolver of ai-edge-litert 2.3.0 has no STRIDED_SLICE version 6
      // (which ellipsis and new-axis masks need), so these run on the default resolver; the
      // op only copies elements, so any kernel must give the same values.
      const theirs = await runLiteRT(sliceModel(c), [ramp(c.inputShape)], { resolver: "default" });
      const [expected] = theirs.outputs;
      assert.ok(expected !== undefined);
      assert.deepEqual(expected.shape, c.shape, c.what);
      assert.deepEqual(Array.from(expected.data, Number), c.values, c.what);
    }
  });

  test("a zero stride is a ShapeError naming the input", () => {
    const c: SliceCase = { ...SLICES[0], strides: [0] } as SliceCase;
    assert.throws(() => runOnce(sliceModel(c), [ramp(c.inputShape)]), {
      name: "ShapeError",
      message: /STRIDED_SLICE.*'x' \[5\]: stride of axis 0 is 0/,
    });
  });
});

describe("PACK", () => {
  /** PACK of two [2,3] tensors (x and x + 6) along `axis`. */
  function packModel(axis: number, shape: number[], dtype: DType): Uint8Array {
    const g = new GraphBuilder();
    const q = dtype === "int8" ? perTensor(0.5, -3) : undefined;
    const a = g.tensor("a", dtype, [2, 3], { quantization: q });
    const b = g.tensor("b", dtype, [2, 3], { quantization: q });
    const y = g.tensor("y", dtype, shape, { quantization: q });
    g.op("PACK", [a, b], [y], { type: "PackOptions", valuesCount: 2, axis });
    return writeModel(g.io([a, b], [y]).build(), { finalize: true });
  }
  const cases: { axis: number; shape: number[]; values: number[] }[] = [
    // axis 0: a then b.
    { axis: 0, shape: [2, 2, 3], values: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] },
    // axis 1: row i of a, then row i of b.
    { axis: 1, shape: [2, 2, 3], values: [0, 1, 2, 6, 7, 8, 3, 4, 5, 9, 10, 11] },
    // axis −1 = 2: out[i, j, n] = input_n[i, j].
    { axis: -1, shape: [2, 3, 2], values: [0, 6, 1, 7, 2, 8, 3, 9, 4, 10, 5, 11] },
  ];
  for (const dtype of ["float32", "int8"] as const) {
    for (const c of cases) {
      test(`${dtype} axis ${c.axis}: hand-derived and equal to LiteRT`, async () => {
        const model = packModel(c.axis, c.shape, dtype);
        const a = ramp([2, 3], dtype);
        const b = ramp([2, 3], dtype);
        b.data.forEach((_, i) => (b.data[i] = i + 6));
        const y = runOnce(model, [a, b]);
        assert.deepEqual(y.shape, c.shape);
        assert.deepEqual(Array.from(y.data, Number), c.values);
        if (!liteRTAvailable()) return;
        const [expected] = (await runLiteRT(model, [a, b])).outputs;
        assert.ok(expected !== undefined);
        assert.deepEqual(Array.from(expected.data, Number), c.values);
      });
    }
  }

  test("inputs with different quantization are refused by name", () => {
    const g = new GraphBuilder();
    const a = g.tensor("a", "int8", [2], { quantization: perTensor(0.5, 0) });
    const b = g.tensor("b", "int8", [2], { quantization: perTensor(0.25, 0) });
    const y = g.tensor("y", "int8", [2, 2], { quantization: perTensor(0.5, 0) });
    g.op("PACK", [a, b], [y], { type: "PackOptions", valuesCount: 2, axis: 0 });
    const model = writeModel(g.io([a, b], [y]).build(), { finalize: true });
    assert.throws(() => new Interpreter({ modelContent: model }).allocateTensors(), {
      name: "UnsupportedError",
      message: /PACK.*input 'b' \(scale 0\.25/,
    });
  });
});

describe("RESHAPE shape input", () => {
  test("a shape fed at invoke time (a model input) is refused by name", () => {
    const g = new GraphBuilder();
    const x = g.tensor("x", "float32", [2, 3]);
    const shape = g.tensor("wanted_shape", "int32", [2]);
    const y = g.tensor("y", "float32", [3, 2]);
    g.op("RESHAPE", [x, shape], [y], { type: "ReshapeOptions", newShape: null });
    const model = writeModel(g.io([x, shape], [y]).build(), { finalize: true });
    assert.throws(() => new Interpreter({ modelContent: model }).allocateTensors(), {
      name: "UnsupportedError",
      message: /RESHAPE.*shape input 'wanted_shape' is computed from activations/,
    });
  });

  test("SHAPE output follows resizeTensorInput", () => {
    const g = new GraphBuilder();
    const x = g.tensor("x", "float32", [1, 4]);
    const s = g.tensor("s", "int32", [2]);
    g.op("SHAPE", [x], [s], { type: "ShapeOptions", outType: "int32" });
    const it = new Interpreter({ modelContent: writeModel(g.io([x], [s]).build()) });
    it.resizeTensorInput(0, [9, 4]);
    it.allocateTensors();
    it.invoke();
    assert.deepEqual(Array.from(it.getTensor(1).data, Number), [9, 4]);
  });
});

describe("options and versions of SHAPE, STRIDED_SLICE, PACK", () => {
  /** One op on tensors of `dtype`, with int32 operands where the op takes them. */
  function oneOp(
    code: "SHAPE" | "STRIDED_SLICE" | "PACK",
    dtype: DType,
    options: BuiltinOptions,
    rank = 2,
  ) {
    const g = new GraphBuilder();
    const x = g.tensor("x", dtype, [1, 2, 3, 4, 5].slice(0, rank));
    const v = (name: string): number => g.tensor(name, "int32", [2], { data: Int32Array.of(0, 1) });
    const ins =
      code === "STRIDED_SLICE" ? [x, v("b"), v("e"), v("s")] : code === "PACK" ? [x, x] : [x];
    const y = g.tensor("y", code === "SHAPE" ? "int32" : dtype, [2]);
    g.op(code, ins, [y], options);
    return g.io([x], [y]).build();
  }
  const slice = (o: Partial<SliceOptions>): BuiltinOptions => ({
    type: "StridedSliceOptions",
    ...NO_MASKS,
    ...o,
  });

  test("non-default option values survive write → read", () => {
    const cases: BuiltinOptions[] = [
      slice({
        beginMask: 1,
        endMask: 2,
        ellipsisMask: 4,
        newAxisMask: 8,
        shrinkAxisMask: 16,
        offset: true,
      }),
      { type: "ShapeOptions", outType: "int64" },
      { type: "PackOptions", valuesCount: 2, axis: -1 },
    ];
    for (const o of cases) {
      const code =
        o.type === "ShapeOptions" ? "SHAPE" : o.type === "PackOptions" ? "PACK" : "STRIDED_SLICE";
      const back = readModel(writeModel(oneOp(code, "float32", o)));
      assert.deepEqual(back.subgraphs[0]?.operators[0]?.builtinOptions, o);
    }
  });

  test("computeOpVersion follows op_version.cc", () => {
    const version = (m: ReturnType<typeof oneOp>): number | null => {
      const sg = m.subgraphs[0];
      const op = sg?.operators[0];
      assert.ok(sg !== undefined && op !== undefined);
      return computeOpVersion(m, sg, op);
    };
    const pack: BuiltinOptions = { type: "PackOptions", valuesCount: 2, axis: 0 };
    assert.equal(version(oneOp("STRIDED_SLICE", "float32", slice({}))), 1);
    assert.equal(version(oneOp("STRIDED_SLICE", "int32", slice({ shrinkAxisMask: 1 }))), 1);
    assert.equal(version(oneOp("STRIDED_SLICE", "int8", slice({}))), 2);
    assert.equal(version(oneOp("STRIDED_SLICE", "int8", slice({}), 5)), 4);
    assert.equal(version(oneOp("STRIDED_SLICE", "int8", slice({ ellipsisMask: 1 }))), 6);
    assert.equal(version(oneOp("STRIDED_SLICE", "float32", slice({ newAxisMask: 1 }))), 6);
    assert.equal(version(oneOp("STRIDED_SLICE", "float32", slice({ offset: true }))), 8);
    assert.equal(version(oneOp("PACK", "float32", pack)), 1);
    assert.equal(version(oneOp("PACK", "int8", pack)), 2);
    assert.equal(version(oneOp("PACK", "int16", pack)), 3);
    assert.equal(version(oneOp("SHAPE", "int8", { type: "ShapeOptions", outType: "int32" })), 1);
  });
});
