import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { BuiltinOptions, DType, Model, Quantization } from "../ir";
import { readModel } from "./reader";
import { GraphBuilder, SAMPLE_OPTIONS, perAxis, perTensor } from "./testing";
import {
  MIN_RUNTIME_VERSION,
  compareVersions,
  computeOpVersion,
  finalizeModel,
  minRuntimeVersion,
  updateOpVersions,
} from "./versions";
import { writeModel } from "./writer";

interface Io {
  type: DType;
  shape: number[];
  q?: Quantization | null;
  const?: boolean;
}

/** Version of a single op whose inputs/outputs are described by `ins`/`outs`. */
function version(
  code: Parameters<GraphBuilder["op"]>[0],
  ins: (Io | null)[],
  outs: Io[],
  options: BuiltinOptions | null = null,
): number | null {
  const g = new GraphBuilder();
  const tensor = (io: Io, name: string): number =>
    io.const === true
      ? g.constant(name, io.type, io.shape, io.q)
      : g.tensor(name, io.type, io.shape, { quantization: io.q });
  const inputs = ins.map((io, i) => (io === null ? -1 : tensor(io, `in${i}`)));
  const outputs = outs.map((io, i) => tensor(io, `out${i}`));
  g.op(code, inputs, outputs, options);
  const model = g.build();
  const sg = model.subgraphs[0];
  const op = sg?.operators[0];
  assert.ok(sg !== undefined && op !== undefined);
  return computeOpVersion(model, sg, op);
}

const f32 = (shape: number[]): Io => ({ type: "float32", shape });
const i8 = (shape: number[], q: Quantization = perTensor(0.1, 0)): Io => ({
  type: "int8",
  shape,
  q,
});
const w8 = (shape: number[], q: Quantization = perTensor(0.1, 0)): Io => ({
  type: "int8",
  shape,
  q,
  const: true,
});
const bias = (n: number): Io => ({ type: "int32", shape: [n], q: perTensor(0.01, 0), const: true });

describe("computeOpVersion (op_version.cc rules)", () => {
  const x = [1, 4, 4, 2];
  test("CONV_2D: float 1, int8 3, hybrid 2, hybrid per-channel 5", () => {
    const o = SAMPLE_OPTIONS.conv;
    assert.equal(
      version("CONV_2D", [f32(x), { ...f32([3, 3, 3, 2]), const: true }], [f32(x)], o),
      1,
    );
    assert.equal(
      version("CONV_2D", [i8(x), w8([3, 3, 3, 2], perAxis([1, 2, 3], 0)), bias(3)], [i8(x)], o),
      3,
    );
    assert.equal(version("CONV_2D", [f32(x), w8([3, 3, 3, 2])], [f32(x)], o), 2);
    // 3 scales = 3 output channels (dimension 0): per-channel.
    assert.equal(
      version("CONV_2D", [f32(x), w8([3, 3, 3, 2], perAxis([1, 2, 3], 0))], [f32(x)], o),
      5,
    );
    // Filter input channels (1) differ from the input's (2): grouped convolution.
    assert.equal(version("CONV_2D", [i8(x), w8([3, 3, 3, 1])], [i8(x)], o), 6);
  });

  test("DEPTHWISE_CONV_2D: int8 3, hybrid 4, hybrid per-channel 6, dilated float 2", () => {
    const o = SAMPLE_OPTIONS.depthwise; // dilation 1x3
    assert.equal(version("DEPTHWISE_CONV_2D", [i8(x), w8([1, 3, 3, 2])], [i8(x)], o), 3);
    assert.equal(version("DEPTHWISE_CONV_2D", [f32(x), w8([1, 3, 3, 2])], [f32(x)], o), 4);
    assert.equal(
      version("DEPTHWISE_CONV_2D", [f32(x), w8([1, 3, 3, 2], perAxis([1, 2], 3))], [f32(x)], o),
      6,
    );
    assert.equal(version("DEPTHWISE_CONV_2D", [f32(x), f32([1, 3, 3, 2])], [f32(x)], o), 2);
    const undilated = { ...o, dilationHFactor: 1 };
    assert.equal(version("DEPTHWISE_CONV_2D", [f32(x), f32([1, 3, 3, 2])], [f32(x)], undilated), 1);
  });

  test("FULLY_CONNECTED: int8 4, no bias 6 (checked first), keep_num_dims 5, hybrid 3/9/12", () => {
    const plain: BuiltinOptions = {
      ...SAMPLE_OPTIONS.fc,
      keepNumDims: false,
      asymmetricQuantizeInputs: false,
    };
    const w = w8([4, 8]);
    assert.equal(
      version(
        "FULLY_CONNECTED",
        [f32([1, 8]), { ...f32([4, 8]), const: true }, null],
        [f32([1, 4])],
        plain,
      ),
      1,
    );
    assert.equal(version("FULLY_CONNECTED", [i8([1, 8]), w, bias(4)], [i8([1, 4])], plain), 4);
    assert.equal(version("FULLY_CONNECTED", [i8([1, 8]), w, null], [i8([1, 4])], plain), 4);
    assert.equal(version("FULLY_CONNECTED", [i8([1, 8]), w], [i8([1, 4])], plain), 6);
    assert.equal(
      version("FULLY_CONNECTED", [i8([1, 8]), w, bias(4)], [i8([1, 4])], {
        ...plain,
        keepNumDims: true,
      }),
      5,
    );
    assert.equal(version("FULLY_CONNECTED", [f32([1, 8]), w, null], [f32([1, 4])], plain), 3);
    const asym = { ...plain, asymmetricQuantizeInputs: true };
    assert.equal(version("FULLY_CONNECTED", [f32([1, 8]), w, null], [f32([1, 4])], asym), 9);
    const perRow = w8([4, 8], perAxis([1, 2, 3, 4], 0));
    assert.equal(version("FULLY_CONNECTED", [f32([1, 8]), perRow, null], [f32([1, 4])], asym), 12);
  });

  test("single-input ops: int8 2, float 1, int16 3 where TF has a 16-bit kernel", () => {
    for (const code of [
      "MAX_POOL_2D",
      "AVERAGE_POOL_2D",
      "SOFTMAX",
      "LOGISTIC",
      "TANH",
      "RELU",
      "RELU6",
    ] as const) {
      assert.equal(version(code, [i8(x)], [i8(x)]), 2, code);
      assert.equal(version(code, [f32(x)], [f32(x)]), 1, code);
      const i16: Io = { type: "int16", shape: x, q: perTensor(0.1, 0) };
      assert.equal(version(code, [i16], [i16]), 3, code);
    }
    for (const code of ["ADD", "CONCATENATION", "MEAN", "PAD"] as const) {
      const second: Io =
        code === "MEAN" || code === "PAD" ? { type: "int32", shape: [2], const: true } : i8(x);
      assert.equal(version(code, [i8(x), second], [i8(x)]), 2, code);
      assert.equal(
        version(
          code,
          [f32(x), code === "ADD" || code === "CONCATENATION" ? f32(x) : second],
          [f32(x)],
        ),
        1,
        code,
      );
    }
    assert.equal(
      version("RESHAPE", [i8(x), { type: "int32", shape: [2], const: true }], [i8([1, 32])]),
      1,
    );
  });

  test("MUL: int8 2, but 3 when in1_scale * in2_scale / out_scale >= 1", () => {
    // 0.5 * 0.5 / 0.5 = 0.5 < 1 → 2;  0.5 * 0.5 / 0.25 = 1 >= 1 → 3.
    assert.equal(
      version(
        "MUL",
        [i8(x, perTensor(0.5, 0)), i8(x, perTensor(0.5, 0))],
        [i8(x, perTensor(0.5, 0))],
      ),
      2,
    );
    assert.equal(
      version(
        "MUL",
        [i8(x, perTensor(0.5, 0)), i8(x, perTensor(0.5, 0))],
        [i8(x, perTensor(0.25, 0))],
      ),
      3,
    );
    assert.equal(version("MUL", [f32(x), f32(x)], [f32(x)]), 1);
  });

  test("QUANTIZE: 1, int16 output 2, per-channel output 3", () => {
    assert.equal(version("QUANTIZE", [f32(x)], [i8(x)]), 1);
    assert.equal(
      version("QUANTIZE", [f32(x)], [{ type: "int16", shape: x, q: perTensor(0.1, 0) }]),
      2,
    );
    assert.equal(version("QUANTIZE", [f32(x)], [i8(x, perAxis([1, 2], 3))]), 3);
  });

  test("DEQUANTIZE: int8 2, per-channel int8 5, float16 and int16 3", () => {
    assert.equal(version("DEQUANTIZE", [w8([4, 8])], [f32([4, 8])]), 2);
    assert.equal(version("DEQUANTIZE", [w8([4, 8], perAxis([1, 2, 3, 4], 0))], [f32([4, 8])]), 5);
    assert.equal(
      version("DEQUANTIZE", [{ type: "float16", shape: [4, 8], const: true }], [f32([4, 8])]),
      3,
    );
    assert.equal(
      version("DEQUANTIZE", [{ type: "int16", shape: [4], q: perTensor(1, 0) }], [f32([4])]),
      3,
    );
  });

  test("ops without rules in tsquant return null", () => {
    assert.equal(version(150, [f32(x)], [f32(x)]), null);
  });
});

/** An int8 model with the ops of the facts' runtime-version example. */
function int8Model(): Model {
  const g = new GraphBuilder();
  const x = g.tensor("x", "float32", [1, 4, 4, 1]);
  const xq = g.tensor("xq", "int8", [1, 4, 4, 1], { quantization: perTensor(0.1, 0) });
  g.op("QUANTIZE", [x], [xq], null);
  const c = g.tensor("c", "int8", [1, 4, 4, 2], { quantization: perTensor(0.1, 0) });
  g.op(
    "CONV_2D",
    [
      xq,
      g.constant("w", "int8", [2, 1, 1, 1], perAxis([1, 2], 0)),
      g.constant("b", "int32", [2], perAxis([1, 2], 0)),
    ],
    [c],
    SAMPLE_OPTIONS.conv,
  );
  const a = g.tensor("a", "int8", [1, 4, 4, 2], { quantization: perTensor(0.2, 0) });
  g.op("ADD", [c, c], [a], SAMPLE_OPTIONS.add);
  const r = g.constant("shape", "int32", [2]);
  const flat = g.tensor("flat", "int8", [1, 32], { quantization: perTensor(0.2, 0) });
  g.op("RESHAPE", [a, r], [flat], null);
  const fc = g.tensor("fc", "int8", [1, 4], { quantization: perTensor(0.3, 0) });
  g.op(
    "FULLY_CONNECTED",
    [
      flat,
      g.constant("fw", "int8", [4, 32], perTensor(0.1, 0)),
      g.constant("fb", "int32", [4], perTensor(0.01, 0)),
    ],
    [fc],
    { ...SAMPLE_OPTIONS.fc, keepNumDims: false, asymmetricQuantizeInputs: false },
  );
  const sm = g.tensor("sm", "int8", [1, 4], { quantization: perTensor(1 / 256, -128) });
  g.op("SOFTMAX", [fc], [sm], SAMPLE_OPTIONS.softmax);
  const y = g.tensor("y", "float32", [1, 4]);
  g.op("DEQUANTIZE", [sm], [y], null);
  return g.io([x], [y]).build();
}

describe("updateOpVersions, minRuntimeVersion, finalizeModel", () => {
  test("raise versions per op, never lower them", () => {
    const model = updateOpVersions(int8Model());
    const versions = Object.fromEntries(model.operatorCodes.map((c) => [c.builtinCode, c.version]));
    // QUANTIZE 1, CONV_2D 3, ADD 2, RESHAPE 1, FULLY_CONNECTED 4, SOFTMAX 2, DEQUANTIZE 2.
    assert.deepEqual(versions, { 114: 1, 3: 3, 0: 2, 22: 1, 9: 4, 25: 2, 6: 2 });
    const conv = model.operatorCodes.find((c) => c.builtinCode === 3);
    assert.ok(conv !== undefined);
    conv.version = 7;
    updateOpVersions(model);
    assert.equal(conv.version, 7);
  });

  test("minimum runtime: CONV_2D v3, FC v4, SOFTMAX v2, QUANTIZE v1, DEQUANTIZE v2, ADD v2 → 1.14.0", () => {
    assert.equal(minRuntimeVersion(updateOpVersions(int8Model())), "1.14.0");
    // Float: every op v1; QUANTIZE v1 alone needs 1.14.0, the others 1.5.0 / 1.13.1.
    assert.equal(minRuntimeVersion(int8Model()), "1.14.0");
  });

  test("compareVersions is numeric per component", () => {
    assert.ok(compareVersions("1.14.0", "1.5.0") > 0);
    assert.ok(compareVersions("2.3.0", "2.17.0") < 0);
    assert.ok(compareVersions("", "1.5.0") < 0);
    assert.equal(compareVersions("2.4.0", "2.4.0"), 0);
  });

  test("finalizeModel adds a 16-byte NUL-padded min_runtime_version buffer, then updates it in place", () => {
    const model = finalizeModel(int8Model());
    assert.deepEqual(
      model.metadata?.map((m) => m.name),
      [MIN_RUNTIME_VERSION],
    );
    const entry = model.metadata?.[0];
    assert.ok(entry !== undefined);
    const data = model.buffers[entry.buffer]?.data;
    assert.deepEqual(
      data,
      Uint8Array.from([..."1.14.0"].map((c) => c.charCodeAt(0)).concat(Array(10).fill(0))),
    );
    // A 16x8 softmax raises the requirement to 2.3.0 (SOFTMAX v3); the same buffer is reused.
    const buffers = model.buffers.length;
    const sg = model.subgraphs[0];
    assert.ok(sg !== undefined);
    for (const t of sg.tensors) if (t.name === "fc" || t.name === "sm") t.type = "int16";
    finalizeModel(model);
    assert.equal(model.buffers.length, buffers);
    assert.equal(
      new TextDecoder().decode(model.buffers[entry.buffer]?.data ?? undefined).replace(/\0+$/, ""),
      "2.3.0",
    );
    // The finalized model is a valid file that reads back identically.
    assert.deepEqual(readModel(writeModel(model)), model);
  });

  test("writeModel({ finalize: true }) finalizes a copy and leaves its argument alone", () => {
    const model = int8Model();
    const before = structuredClone(model);
    const bytes = writeModel(model, { finalize: true });
    assert.deepEqual(model, before);
    assert.deepEqual(readModel(bytes), finalizeModel(int8Model()));
  });
});
