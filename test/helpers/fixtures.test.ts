/**
 * The committed fixtures are what the manifest says they are (no Python needed): files match
 * their sizes and hashes, the images and labels are MNIST's first 300 test samples, the integer
 * inputs follow the tutorial's recipe exactly, and the goldens have the recorded shapes, dtypes
 * and accuracies.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mnist, toFloat32 } from "../../kernel/src/data/datasets";
import { NDArray } from "../../kernel/src/ir";
import {
  FIXTURE_MODELS,
  fixtureGolden,
  fixtureInputs,
  fixtureManifest,
  fixtureModelBytes,
  mnistTest300Float32,
  mnistTest300Labels,
  mnistTest300Uint8,
  type FamilyVariant,
  familiesManifest,
  familyInput,
  familyModel,
} from "./fixtures";

function numbers(a: NDArray): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.data.length; i++) out.push(Number(a.data[i]));
  return out;
}

function argmaxRows(a: NDArray): number[] {
  const [n = 0, k = 0] = a.shape;
  const v = numbers(a);
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if ((v[r * k + c] ?? 0) > (v[r * k + best] ?? 0)) best = c;
    out.push(best);
  }
  return out;
}

describe("TF-made fixtures", () => {
  test("each model file has the manifest's size and sha256", () => {
    for (const name of FIXTURE_MODELS) {
      const entry = fixtureManifest().models[name];
      const bytes = fixtureModelBytes(name);
      assert.equal(bytes.length, entry.bytes, name);
      assert.equal(createHash("sha256").update(bytes).digest("hex"), entry.sha256, name);
      // "TFL3" file identifier at offset 4.
      assert.equal(Buffer.from(bytes.subarray(4, 8)).toString("latin1"), "TFL3", name);
    }
  });

  test("images and labels are the first 300 MNIST test samples", () => {
    const test10k = mnist().test;
    const u8 = mnistTest300Uint8();
    assert.deepEqual(u8.shape, [300, 28, 28]);
    assert.equal(u8.dtype, "uint8");
    assert.deepEqual(numbers(u8), Array.from(test10k.images.data.subarray(0, 300 * 784)));
    const labels = mnistTest300Labels();
    assert.deepEqual(labels.shape, [300]);
    assert.deepEqual(numbers(labels), Array.from(test10k.labels.data.subarray(0, 300)));
    // MNIST's first test labels, as documented: 7, 2, 1, 0, 4.
    assert.deepEqual(numbers(labels).slice(0, 5), [7, 2, 1, 0, 4]);
  });

  test("the float32 images are numpy's u8.astype(float32) / 255.0, bit for bit", () => {
    const f32 = mnistTest300Float32();
    assert.equal(f32.dtype, "float32");
    const ours = toFloat32(mnistTest300Uint8() as NDArray<Uint8Array>);
    assert.deepEqual(numbers(f32), Array.from(ours.data));
  });

  test("integer inputs follow the tutorial: trunc(fl32(fl32(x / fl32(scale)) + zeroPoint))", () => {
    const x = mnistTest300Float32();
    const u8 = mnistTest300Uint8();
    for (const name of ["cnn_int8_only_uint8_io", "everyop_int8_only_int8_io"] as const) {
      const entry = fixtureManifest().models[name];
      const input = entry.inputs[0];
      assert.ok(input);
      const scale = Math.fround(input.scale[0] ?? NaN);
      const zeroPoint = input.zeroPoint[0] ?? NaN;
      const q = fixtureInputs(name);
      assert.equal(q.dtype, input.dtype);
      assert.deepEqual(q.shape, entry.inputShape);
      const saved = numbers(q);
      let belowRaw = 0;
      for (let i = 0; i < saved.length; i++) {
        const want = Math.trunc(Math.fround(Math.fround(Number(x.data[i]) / scale) + zeroPoint));
        assert.equal(saved[i], want, `${name} element ${i}`);
        // The truncation lands one below u8 + zeroPoint for part of the pixels, never above.
        const raw = Number(u8.data[i]) + zeroPoint;
        assert.ok(want === raw || want === raw - 1, `${name} element ${i}`);
        if (want !== raw) belowRaw++;
      }
      assert.ok(belowRaw > 0, name);
    }
  });

  test("goldens have the recorded shape and dtype, and score the recorded accuracy", () => {
    const labels = numbers(mnistTest300Labels());
    for (const name of FIXTURE_MODELS) {
      const entry = fixtureManifest().models[name];
      for (const resolver of ["ref", "default"] as const) {
        const g = fixtureGolden(name, resolver);
        assert.deepEqual(g.shape, entry.goldenShape, `${name} ${resolver}`);
        assert.equal(g.dtype, entry.goldenDtype, `${name} ${resolver}`);
      }
      const hits = argmaxRows(fixtureGolden(name, "ref")).filter((p, i) => p === labels[i]);
      assert.equal(hits.length / 300, entry.accuracy300Ref, name);
    }
  });

  test("float every-op goldens are softmax rows: non-negative, summing to 1", () => {
    const g = numbers(fixtureGolden("everyop_float32"));
    for (let r = 0; r < 300; r++) {
      const row = g.slice(r * 10, r * 10 + 10);
      assert.ok(row.every((p) => p >= 0));
      const sum = row.reduce((s, p) => s + p, 0);
      assert.ok(Math.abs(sum - 1) < 1e-5, `row ${r} sums to ${sum}`);
    }
  });

  test("every every-op variant holds every op the interpreter supports", () => {
    const required = [
      "PAD",
      "CONV_2D",
      "DEPTHWISE_CONV_2D",
      "ADD",
      "LOGISTIC",
      "TANH",
      "MUL",
      "CONCATENATION",
      "AVERAGE_POOL_2D",
      "MEAN",
      "FULLY_CONNECTED",
      "SOFTMAX",
    ];
    for (const name of FIXTURE_MODELS.filter((n) => n.startsWith("everyop_"))) {
      const ops = fixtureManifest().models[name].ops;
      const plain = new Set(ops.map((o) => o.split("+")[0]));
      for (const op of required) assert.ok(plain.has(op), `${name} lacks ${op}`);
      // RELU and RELU6 appear fused into CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED.
      assert.ok(ops.includes("CONV_2D+RELU") && ops.includes("DEPTHWISE_CONV_2D+RELU6"), name);
      assert.deepEqual(fixtureManifest().models[name].inputShape, [300, 28, 28, 1]);
    }
  });
});

describe("families fixtures (make_families.py)", () => {
  test("every file TF made is there with the manifest's size and hash; inputs have their shapes", () => {
    const families = familiesManifest();
    assert.ok(Object.keys(families).length >= 10);
    for (const [name, f] of Object.entries(families)) {
      for (const [variant, v] of Object.entries(f.variants)) {
        if ("error" in v) continue;
        const bytes = familyModel(name, variant as FamilyVariant);
        assert.equal(bytes.length, v.bytes, `${name} ${variant}`);
        assert.equal(createHash("sha256").update(bytes).digest("hex"), v.sha256);
      }
      assert.ok(!("error" in (f.variants.float32 ?? { error: "" })), `${name}: float32 file`);
      f.inputs.forEach((input, k) => {
        const a = familyInput(name, k);
        assert.deepEqual(a.shape, input.shape, `${name} input ${k}`);
        assert.equal(a.dtype, input.dtype);
      });
    }
  });
});
