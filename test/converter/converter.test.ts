// TFLiteConverter against TF's own conversions of the same float models (test/fixtures): every
// mode yields TF's op sequence, tensor types and — wherever TF's rule is the one tsquant follows —
// TF's quantization parameters and constant bytes; plus mode selection and the named errors.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readModel } from "../../kernel/src/tflite/reader";
import { type Model, type Tensor, opName } from "../../kernel/src/ir";
import { TFLiteConverter } from "../../kernel/src/converter/converter";
import { compareLayers } from "../../kernel/src/converter/compare";
import { calibrate } from "../../kernel/src/calib/calibrate";
import { ShapeError, DataFormatError, UnsupportedError, UsageError } from "../../kernel/src/errors";
import { type Family, MODES, converterFor, floatBytes, representative, tfBytes } from "./helpers";

const ops = (m: Model): string[] =>
  m.subgraphs[0].operators.map((o) => opName(m.operatorCodes[o.opcodeIndex].builtinCode));

/** Tensors whose calibrated range differs from TF's by design (see the comment at the use). */
function knownDifference(name: string): boolean {
  return name.includes("depthwise_conv2d_1_1/Relu6");
}

describe("every mode matches TF's conversion of the same float model", () => {
  const converted = new Map<string, Model>();
  for (const family of ["cnn", "everyop"] as Family[]) {
    for (const mode of MODES) {
      test(`${family} ${mode}: ops, tensor types, constants and parameters`, async () => {
        const c = converterFor(family, mode, representative(family));
        assert.equal(c.mode, mode);
        const bytes = await c.convert();
        const mine = readModel(bytes);
        converted.set(`${family}/${mode}`, mine);
        if (family === "everyop" && mode === "float16") {
          // TF's fixture script made no every-op float16 file: check the shape of the result.
          const f = readModel(floatBytes(family));
          const n = mine.subgraphs[0].tensors.filter((t) => t.type === "float16").length;
          assert.equal(n, 12); // 4 conv/depthwise + 2 dense layers: 6 weights, 6 biases
          assert.deepEqual(ops(mine), [...Array<string>(n).fill("DEQUANTIZE"), ...ops(f)]);
          assert.ok(bytes.length < 0.6 * floatBytes(family).length);
          return;
        }
        const tf = readModel(tfBytes(family, mode));
        assert.deepEqual(ops(mine), ops(tf));
        const size = tfBytes(family, mode).length;
        assert.ok(
          Math.abs(bytes.length - size) / size < 0.02,
          `size ${bytes.length} vs TF ${size}`,
        );
        const ms = mine.subgraphs[0];
        const ts = tf.subgraphs[0];
        assert.deepEqual(
          ms.inputs.map((i) => ms.tensors[i].type),
          ts.inputs.map((i) => ts.tensors[i].type),
        );
        assert.deepEqual(
          ms.outputs.map((i) => ms.tensors[i].type),
          ts.outputs.map((i) => ts.tensors[i].type),
        );
        let exactConstants = 0;
        for (const t of ts.tensors) {
          const u = ms.tensors.find((x) => x.name === t.name && x.type === t.type);
          if (u === undefined) continue;
          const a = tf.buffers[t.buffer]?.data;
          const b = mine.buffers[u.buffer]?.data;
          if (a && b && t.type !== "int32") {
            // Weights (int8, float16) and biases are TF's bytes exactly. int32 biases depend on
            // the input scale, so they are compared only where that scale is TF's.
            assert.deepEqual(Buffer.from(b), Buffer.from(a), `constant ${t.name}`);
            exactConstants++;
          }
          const qa = t.quantization?.scale ?? [];
          const qb = u.quantization?.scale ?? [];
          if (qa.length === 0 || knownDifference(t.name)) continue;
          assert.equal(qb.length, qa.length, t.name);
          // Activation scales come from tsquant's calibration, whose float kernels may sum in
          // another order than TF's: the min/max (and so the scale) can differ in the last bits.
          qa.forEach((s, k) =>
            assert.ok(Math.abs(qb[k] - s) <= 4e-7 * s, `${t.name} scale ${qb[k]} vs TF ${s}`),
          );
          assert.deepEqual(u.quantization?.zeroPoint, t.quantization?.zeroPoint, t.name);
        }
        if (mode !== "int16x8" || family === "cnn") assert.ok(exactConstants > 0);
      });
    }
  }

  // NOTE: TF's calibrator records the depthwise RELU6 output of the every-op model with the
  // range of the ADD that later overwrites it in place ([-19.5, 22.3]); tsquant records the
  // RELU6 output's true range [0, 6] (kernel/src/calib/calibrate.test.ts shows the aliasing).
  test("every-op int8: the depthwise output keeps its own [0, 6] range (TF's is aliased)", () => {
    const m = converted.get("everyop/int8");
    assert.ok(m);
    const t = m.subgraphs[0].tensors.find((x) => knownDifference(x.name) && x.type === "int8");
    assert.deepEqual(t?.quantization?.zeroPoint, [-128]);
    assert.ok(Math.abs((t?.quantization?.scale?.[0] ?? 0) - 6 / 255) < 1e-7);
  });
});

describe("mode selection follows TF's lite.py", () => {
  const c = (): TFLiteConverter => TFLiteConverter.fromBuffer(floatBytes("cnn"));
  test("no optimizations: float; DEFAULT: dynamic; + dataset: int8; OPTIMIZE_FOR_SIZE is DEFAULT", () => {
    const x = c();
    assert.equal(x.mode, "float32");
    x.optimizations = ["OPTIMIZE_FOR_SIZE"];
    assert.equal(x.mode, "dynamic");
    x.representativeDataset = representative("cnn", 1);
    assert.equal(x.mode, "int8");
    x.targetSpec.supportedTypes = ["int8"];
    assert.equal(x.mode, "int8-only");
    x.targetSpec.supportedTypes = ["int16"];
    assert.equal(x.mode, "int16x8");
  });
  test("setMode is the inverse of mode (what the CLI's --mode sets), on a fresh or a used converter", () => {
    const modes = ["float32", "float16", "dynamic", "int8", "int8-only", "int16x8"] as const;
    const used = c();
    used.targetSpec.supportedTypes = ["int16"];
    for (const mode of modes) {
      for (const x of [c(), used]) {
        x.representativeDataset = mode === "dynamic" ? null : representative("cnn", 1);
        x.setMode(mode);
        assert.equal(x.mode, mode);
      }
    }
  });
});

describe("named errors for bad input", () => {
  test("uint8 I/O without a representative dataset is a UsageError", async () => {
    const x = TFLiteConverter.fromBuffer(floatBytes("cnn"));
    x.optimizations = ["DEFAULT"];
    x.inferenceInputType = "uint8";
    await assert.rejects(
      x.convert(),
      (e: unknown) => e instanceof UsageError && /representativeDataset/.test(e.message),
    );
  });
  test("a sample of the wrong shape names the input, expected and found", async () => {
    const x = converterFor("cnn", "int8", [[{ data: new Float32Array(700), shape: [1, 25, 28] }]]);
    await assert.rejects(
      x.convert(),
      (e: unknown) =>
        e instanceof ShapeError &&
        /serving_default_image:0/.test(e.message) &&
        /\[1, 28, 28\]/.test(e.message) &&
        /\[1, 25, 28\]/.test(e.message),
    );
  });
  test("a sample of the wrong dtype, NaN, too few samples", async () => {
    await assert.rejects(converterFor("cnn", "int8", [[new Int8Array(784)]]).convert(), ShapeError);
    const nan = new Float32Array(784);
    nan[3] = NaN;
    await assert.rejects(converterFor("cnn", "int8", [[nan]]).convert(), DataFormatError);
    const few = converterFor("cnn", "int8", representative("cnn", 3));
    few.calibrationSamples = 10;
    await assert.rejects(
      few.convert(),
      (e: unknown) => e instanceof UsageError && /yielded only 3/.test(e.message),
    );
    await assert.rejects(converterFor("cnn", "int8", []).convert(), UsageError);
  });
  test("converting an already-quantized model names the quantized tensor", async () => {
    const x = TFLiteConverter.fromBuffer(tfBytes("cnn", "int8"));
    x.optimizations = ["DEFAULT"];
    await assert.rejects(
      x.convert(),
      (e: unknown) => e instanceof UsageError && /already quantized \(tensor '/.test(e.message),
    );
  });
  test("integer-only with a denylisted op lists every op that stays float", async () => {
    const x = converterFor("everyop", "int8-only", representative("everyop", 2));
    x.denylistedOps = ["MEAN", "LOGISTIC"];
    await assert.rejects(
      x.convert(),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        /2 op\(s\)/.test(e.message) &&
        /MEAN/.test(e.message) &&
        /LOGISTIC/.test(e.message),
    );
  });
});

describe("selective quantization and compareLayers", () => {
  test("a denylisted op stays float between DEQUANTIZE and QUANTIZE; compareLayers reports it exact", async () => {
    const data = representative("everyop", 4);
    const x = converterFor("everyop", "int8", data);
    x.denylistedOps = ["MEAN"];
    const m = await x.convertToModel();
    const names = ops(m);
    const k = names.indexOf("MEAN");
    assert.deepEqual(names.slice(k - 1, k + 2), ["DEQUANTIZE", "MEAN", "QUANTIZE"]);
    const mean = m.subgraphs[0].operators[k];
    assert.equal(m.subgraphs[0].tensors[mean.outputs[0]].type, "float32");
    const cmp = await compareLayers(floatBytes("everyop"), m, data);
    assert.equal(cmp.samples, 4);
    const byOp = new Map(cmp.layers.map((l) => [l.op, l]));
    // A layer's error grows with depth in an int8 graph; the float softmax output stays close.
    for (const l of cmp.layers) assert.ok(l.sqnr === null || l.sqnr > 5, `${l.name} ${l.sqnr}`);
    assert.ok(byOp.has("CONV_2D") && byOp.has("SOFTMAX"));
    const payload = cmp.payload();
    assert.equal(payload.kind, "error");
    assert.equal(payload.layers.length, 15);
  });
});

describe("per-tensor weights (perChannel: false)", () => {
  test("one scale per weight tensor, from max|w| over the whole tensor", async () => {
    const float = readModel(floatBytes("cnn"));
    const fsg = float.subgraphs[0];
    const fc = fsg.tensors.find((t) => t.name === "tutorial_cnn_1/dense_1_1/MatMul");
    assert.ok(fc);
    const data = float.buffers[fc.buffer]?.data;
    assert.ok(data);
    const w = new Float32Array(data.slice().buffer);
    let absmax = 0;
    for (const v of w) absmax = Math.max(absmax, Math.abs(v));
    // Symmetric narrow range: scale = f32(2 · max|w|) / 254 (= max|w| / 127).
    const expected = Math.fround(Math.fround(2 * absmax) / 254);
    const name: string = fc.name;
    for (const mode of ["dynamic", "int8"] as const) {
      const c = converterFor("cnn", mode, representative("cnn", 4));
      c.perChannel = false;
      const m = await c.convertToModel();
      const t: Tensor | undefined = m.subgraphs[0].tensors.find(
        (x) => x.name === name && x.type === "int8",
      );
      assert.ok(t);
      assert.deepEqual(t.quantization?.scale, [expected], mode);
      const q = m.buffers[t.buffer]?.data;
      assert.ok(q);
      const codes = new Int8Array(q.buffer, q.byteOffset, q.byteLength);
      // The largest weight maps to ±127 and nothing saturates below it.
      assert.equal(Math.max(...Array.from(codes, Math.abs)), 127);
      const saturated = Array.from(codes).filter((v) => Math.abs(v) === 127).length;
      assert.ok(saturated <= 2, `${saturated} codes at ±127`);
    }
  });
});

describe("representativeDataset forms", () => {
  test("an array, a generator function and an async iterable give the same file", async () => {
    const data = representative("cnn", 4);
    const convert = async (
      dataset: TFLiteConverter["representativeDataset"],
    ): Promise<Uint8Array> => {
      const c = converterFor("cnn", "int8", []);
      c.representativeDataset = dataset;
      return c.convert();
    };
    const fromArray = await convert(data);
    const fromGenerator = await convert(function* () {
      yield* data;
    });
    const fromAsync = await convert(
      (async function* () {
        for (const s of data) yield s;
      })(),
    );
    assert.deepEqual(fromGenerator, fromArray);
    assert.deepEqual(fromAsync, fromArray);
  });
});

describe("activationRanges (ranges learned elsewhere, e.g. by QAT)", () => {
  test("the calibrated ranges given by name, without a dataset, give the calibrated file", async () => {
    const data = representative("cnn", 10);
    const calibrated = await calibrate(floatBytes("cnn"), data);
    const ranges = Object.fromEntries(calibrated.tensors.map((t) => [t.name, t.range]));
    const c = TFLiteConverter.fromBuffer(floatBytes("cnn"));
    c.optimizations = ["DEFAULT"];
    c.activationRanges = ranges;
    c.activationRangePrecision = "float32"; // the post-training rule, as calibration uses
    assert.equal(c.mode, "int8");
    const given = await c.convert();
    assert.deepEqual(given, await converterFor("cnn", "int8", data).convert());
  });
  test("a missing range names the tensor; with every range given (QAT precision) the input is 1/255, −128", async () => {
    const c = TFLiteConverter.fromBuffer(floatBytes("cnn"));
    c.optimizations = ["DEFAULT"];
    c.activationRanges = { "serving_default_image:0": { min: 0, max: 1 } };
    await assert.rejects(
      c.convert(),
      (e: unknown) =>
        e instanceof UsageError &&
        /tensor 'tutorial_cnn_1\/reshape_1_1\/Reshape' has no range/.test(e.message),
    );
    const data = representative("cnn", 10);
    const calibrated = await calibrate(floatBytes("cnn"), data);
    c.activationRanges = Object.fromEntries(calibrated.tensors.map((t) => [t.name, t.range]));
    const m = await c.convertToModel();
    const input = m.subgraphs[0].tensors.find((t) => t.name === "tfl.quantize");
    // [0, 1] by FakeQuant's double rule: scale = (1 − 0)/255 in double, stored as float32.
    assert.deepEqual(input?.quantization?.scale, [Math.fround(1 / 255)]);
    assert.deepEqual(input?.quantization?.zeroPoint, [-128]);
  });
});
