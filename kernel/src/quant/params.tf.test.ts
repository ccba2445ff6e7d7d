// Cross-checks of scale / zero-point choice against TensorFlow 2.21:
// 1. activations: TFLite's calibrator min/max → the scale and zero point TF's quantizer wrote
//    (test/fixtures/quant/calibration_reference.json, from make_quant_reference.py);
// 2. weights and biases: the float model's constants, quantized by tsquant, against the tensors
//    of the TF-converted int8 model (test/fixtures/models/*.tflite, from make_fixtures.py).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readModel } from "../tflite/reader";
import { BuiltinOperator, type Model, type Tensor } from "../ir";
import { chooseQuantParams, isPerAxis } from "./params";
import { quantizeWeights } from "./affine";
import { quantizeBias, quantizeBias64 } from "./bias";

const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..", "..");
const fixtures = join(root, "test", "fixtures");

interface CalibratedTensor {
  name: string;
  min: number;
  max: number;
  dtype?: number;
  scale?: number[];
  zeroPoint?: number[];
}
const calibration = JSON.parse(
  readFileSync(join(fixtures, "quant", "calibration_reference.json"), "utf8"),
) as {
  models: { model: string; tensors: CalibratedTensor[] }[];
};

const qat = JSON.parse(readFileSync(join(fixtures, "quant", "qat_reference.json"), "utf8")) as {
  ranges: { min: number; max: number; scale: number; zeroPoint: number }[];
};

test(`QAT: int8 parameters from ${qat.ranges.length} FakeQuant ranges equal the TFLite converter's (float64 path)`, () => {
  for (const r of qat.ranges) {
    const p = chooseQuantParams(r.min, r.max, { scalePrecision: "float64" });
    assert.deepEqual([p.scale, p.zeroPoint], [r.scale, r.zeroPoint], `[${r.min}, ${r.max}]`);
  }
});

describe("activation parameters equal TF's from the same calibrated min/max", () => {
  for (const m of calibration.models) {
    test(m.model, () => {
      const quantized = m.tensors.filter((t) => t.scale !== undefined && t.zeroPoint !== undefined);
      // Parameters tsquant chooses from each tensor's own range, and the fixed ranges of
      // LOGISTIC (1/256, −128) and TANH (1/128, 0).
      const candidates = m.tensors.map((t) => chooseQuantParams(t.min, t.max));
      let own = 0;
      for (const t of quantized) {
        const mine = chooseQuantParams(t.min, t.max);
        const tf = { scale: t.scale?.[0], zeroPoint: t.zeroPoint?.[0] };
        if (mine.scale === tf.scale && mine.zeroPoint === tf.zeroPoint) {
          own++;
          continue;
        }
        // Otherwise TF imposed another tensor's parameters (same-scale ops: pooling, concat…)
        // or a fixed output range; it must still be one tsquant computes bit for bit.
        const fixed = [
          { scale: 1 / 256, zeroPoint: -128 },
          { scale: 1 / 128, zeroPoint: 0 },
        ];
        const found = [...candidates, ...fixed].some(
          (c) => c.scale === tf.scale && c.zeroPoint === tf.zeroPoint,
        );
        assert.ok(
          found,
          `${t.name}: TF (${tf.scale}, ${tf.zeroPoint}) is no range's tsquant parameters`,
        );
      }
      assert.ok(
        own >= Math.ceil(quantized.length / 2),
        `${own} of ${quantized.length} from their own range`,
      );
    });
  }
});

function floatData(model: Model, t: Tensor): Float32Array {
  const data = model.buffers[t.buffer].data;
  assert.ok(data, `tensor ${t.name} has no data`);
  return new Float32Array(data.slice().buffer);
}

function intData(model: Model, t: Tensor): Int8Array | Int32Array {
  const data = model.buffers[t.buffer].data;
  assert.ok(data, `tensor ${t.name} has no data`);
  const copy = data.slice().buffer;
  return t.type === "int32" ? new Int32Array(copy) : new Int8Array(copy);
}

/** Weight and bias tensors of conv/depthwise/FC ops in order, with the weight quantization axis. */
function affineOps(
  model: Model,
): { input: Tensor; weights: Tensor; bias: Tensor | null; axis: number }[] {
  const g = model.subgraphs[0];
  const out = [];
  for (const op of g.operators) {
    const code = model.operatorCodes[op.opcodeIndex].builtinCode;
    const axis =
      code === BuiltinOperator.CONV_2D || code === BuiltinOperator.FULLY_CONNECTED
        ? 0
        : code === BuiltinOperator.DEPTHWISE_CONV_2D
          ? 3
          : -1;
    if (axis < 0) continue;
    const bias = op.inputs.length > 2 && op.inputs[2] >= 0 ? g.tensors[op.inputs[2]] : null;
    out.push({ input: g.tensors[op.inputs[0]], weights: g.tensors[op.inputs[1]], bias, axis });
  }
  return out;
}

describe("weights and biases equal TF-converted int8 models bit for bit", () => {
  for (const family of ["cnn", "everyop"]) {
    test(`${family}: per-channel scales, int8 weights, int32 biases`, () => {
      const floatModel = readModel(
        new Uint8Array(readFileSync(join(fixtures, "models", `${family}_float32.tflite`))),
      );
      const intModel = readModel(
        new Uint8Array(readFileSync(join(fixtures, "models", `${family}_int8.tflite`))),
      );
      const f = affineOps(floatModel);
      const q = affineOps(intModel);
      assert.equal(f.length, q.length);
      assert.ok(f.length >= 2);
      let weightValues = 0;
      for (let i = 0; i < f.length; i++) {
        const fw = f[i].weights;
        const qw = q[i].weights;
        assert.equal(qw.type, "int8");
        const mine = quantizeWeights(floatData(floatModel, fw), fw.shape, { axis: f[i].axis });
        assert.ok(isPerAxis(mine.params));
        assert.deepEqual(mine.params.scale, qw.quantization?.scale, `${qw.name} scales`);
        assert.deepEqual(mine.params.zeroPoint, qw.quantization?.zeroPoint);
        assert.equal(qw.quantization?.quantizedDimension, f[i].axis);
        assert.deepEqual([...mine.values], [...intData(intModel, qw)], `${qw.name} values`);
        weightValues += mine.values.length;

        const fb = f[i].bias;
        const qb = q[i].bias;
        if (fb === null || qb === null) continue;
        const inputScale = q[i].input.quantization?.scale?.[0];
        assert.ok(inputScale !== undefined);
        const bias = quantizeBias(floatData(floatModel, fb), inputScale, mine.params.scale);
        assert.deepEqual(bias.params.scale, qb.quantization?.scale, `${qb.name} scales`);
        assert.deepEqual([...bias.values], [...intData(intModel, qb)], `${qb.name} values`);
      }
      assert.ok(weightValues > 1000);
    });
  }
});

describe("16x8 mode: TF's legacy quantizer (int16 activations, int8 weights, int64 biases)", () => {
  for (const m of calibration.models) {
    const family = m.model.replace("_float32", "");
    test(`${family}: activation scales from the calibrated ranges, weights and int64 biases bit for bit`, () => {
      const model = readModel(
        new Uint8Array(readFileSync(join(fixtures, "quant", `${family}_int16x8.tflite`))),
      );
      const floatModel = readModel(
        new Uint8Array(readFileSync(join(fixtures, "models", `${m.model}.tflite`))),
      );
      const ranges = new Map(m.tensors.map((t) => [t.name, t]));
      const candidates = m.tensors.map(
        (t) => chooseQuantParams(t.min, t.max, { dtype: "int16" }).scale,
      );
      let own = 0;
      let checked = 0;
      for (const t of model.subgraphs[0].tensors) {
        if (t.type !== "int16" || t.quantization?.scale?.length !== 1) continue;
        const r = ranges.get(t.name.replace(/_int16$/, ""));
        if (r === undefined) continue;
        checked++;
        const tf = t.quantization.scale[0];
        assert.equal(t.quantization.zeroPoint?.[0], 0);
        if (chooseQuantParams(r.min, r.max, { dtype: "int16" }).scale === tf) own++;
        else assert.ok([...candidates, 1 / 32768].includes(tf), `${t.name}: TF scale ${tf}`);
      }
      assert.ok(
        checked >= 4 && own >= checked / 2,
        `${own} of ${checked} int16 activations from their own range`,
      );

      const f = affineOps(floatModel);
      const q = affineOps(model);
      assert.equal(f.length, q.length);
      for (let i = 0; i < f.length; i++) {
        const mine = quantizeWeights(floatData(floatModel, f[i].weights), f[i].weights.shape, {
          axis: f[i].axis,
        });
        assert.deepEqual(
          mine.params.scale,
          q[i].weights.quantization?.scale,
          `${q[i].weights.name} scales`,
        );
        assert.deepEqual(
          [...mine.values],
          [...intData(model, q[i].weights)],
          `${q[i].weights.name} values`,
        );
        const fb = f[i].bias;
        const qb = q[i].bias;
        if (fb === null || qb === null) continue;
        assert.equal(qb.type, "int64");
        const inputScale = q[i].input.quantization?.scale?.[0];
        assert.ok(inputScale !== undefined);
        const bias = quantizeBias64(floatData(floatModel, fb), inputScale, mine.params.scale);
        const data = model.buffers[qb.buffer].data;
        assert.ok(data);
        assert.deepEqual(
          [...bias.values],
          [...new BigInt64Array(data.slice().buffer)],
          `${qb.name} values`,
        );
        assert.deepEqual(bias.scale, qb.quantization?.scale);
      }
    });
  }
});
