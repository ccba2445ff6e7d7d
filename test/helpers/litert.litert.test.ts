/**
 * The LiteRT harness round-trips models and data: ai_edge_litert (project .venv) reproduces the
 * goldens that TF's bundled interpreter wrote at fixture time, for every fixture model, dtypes
 * and shapes survive the .npy exchange, batching and tensor dumps work, and bad calls fail with
 * the harness's message.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mnist } from "../../kernel/src/data/datasets";
import { UsageError } from "../../kernel/src/errors";
import { NDArray, shapeSize } from "../../kernel/src/ir";
import {
  FIXTURE_MODELS,
  fixtureGolden,
  fixtureInputs,
  fixtureManifest,
  fixtureModelBytes,
  fixtureModelPath,
  mnistTest300Float32,
  mnistTest300Labels,
} from "./fixtures";
import { runLiteRT } from "./litert";

/** Largest |a - b| over all elements (shapes and dtypes must agree). */
function maxAbsDiff(a: NDArray, b: NDArray): number {
  assert.deepEqual(a.shape, b.shape);
  assert.equal(a.dtype, b.dtype);
  let m = 0;
  for (let i = 0; i < a.data.length; i++)
    m = Math.max(m, Math.abs(Number(a.data[i]) - Number(b.data[i])));
  return m;
}

function numbers(data: NDArray["data"]): number[] {
  const out: number[] = [];
  for (let i = 0; i < data.length; i++) out.push(Number(data[i]));
  return out;
}

function argmaxRows(a: NDArray): number[] {
  const [n = 0, k = 0] = a.shape;
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    let best = 0;
    for (let c = 1; c < k; c++)
      if (Number(a.data[r * k + c]) > Number(a.data[r * k + best])) best = c;
    out.push(best);
  }
  return out;
}

describe("runLiteRT on the TF-made fixtures", () => {
  test("reference kernels reproduce TF's BUILTIN_REF goldens for every fixture model", async () => {
    for (const name of FIXTURE_MODELS) {
      const golden = fixtureGolden(name, "ref");
      const { outputs } = await runLiteRT(fixtureModelPath(name), [fixtureInputs(name)], {
        resolver: "ref",
      });
      assert.equal(outputs.length, 1, name);
      const out = outputs[0];
      assert.ok(out, name);
      assert.deepEqual(out.shape, [300, 10], name);
      assert.equal(out.dtype, fixtureManifest().models[name].goldenDtype, name);
      // Float outputs within 1e-6; integer outputs (uint8/int8 I/O models) bit for bit.
      const tol = out.dtype === "float32" ? 1e-6 : 0;
      assert.ok(maxAbsDiff(out, golden) <= tol, `${name}: max |diff| ${maxAbsDiff(out, golden)}`);
    }
  });

  test("model bytes and the default resolver: matches TF's default-resolver golden", async () => {
    const name = "cnn_float32";
    const { outputs, inputDetails, outputDetails, runtime } = await runLiteRT(
      fixtureModelBytes(name),
      [fixtureInputs(name)],
      { resolver: "default" },
    );
    const out = outputs[0];
    assert.ok(out);
    assert.ok(maxAbsDiff(out, fixtureGolden(name, "default")) <= 1e-6);
    assert.deepEqual(inputDetails[0]?.shape, [1, 28, 28]);
    assert.equal(inputDetails[0]?.dtype, "float32");
    assert.deepEqual(outputDetails[0]?.shape, [1, 10]);
    // The project .venv runs the LiteRT version the fixtures were checked with.
    assert.equal(runtime["ai-edge-litert"], fixtureManifest().versions["ai-edge-litert"]);
    // The golden's predictions score what the manifest recorded on these 300 images.
    const labels = mnistTest300Labels();
    const hits = argmaxRows(out).filter((p, i) => p === labels.data[i]).length;
    const refAccuracy = fixtureManifest().models[name].accuracy300Ref;
    assert.ok(Math.abs(hits / 300 - refAccuracy) <= 1 / 300, `${hits}/300 vs ${refAccuracy}`);
  });

  test("quantization details come back as tf.lite.Interpreter gives them", async () => {
    const name = "cnn_int8_only_uint8_io";
    const entry = fixtureManifest().models[name];
    const { inputDetails, outputDetails, invocations } = await runLiteRT(fixtureModelPath(name), [
      { ...fixtureInputs(name), shape: [1, 28, 28], data: fixtureInputs(name).data.slice(0, 784) },
    ]);
    assert.equal(invocations, 1);
    assert.equal(inputDetails[0]?.dtype, "uint8");
    assert.deepEqual(inputDetails[0]?.quantization, [
      entry.inputs[0]?.scale[0],
      entry.inputs[0]?.zeroPoint[0],
    ]);
    assert.deepEqual(
      outputDetails[0]?.quantizationParameters.zeroPoints,
      entry.outputs[0]?.zeroPoint,
    );
  });

  test("batch resizes a resizable model; reference results do not depend on the batch", async () => {
    const name = "everyop_int8_only_int8_io";
    const x = fixtureInputs(name);
    const perImage = await runLiteRT(fixtureModelPath(name), [x]);
    assert.equal(perImage.invocations, 300);
    // 300 = 2 chunks of 128 + one of 44: exercises the resize for a shorter last chunk.
    const batched = await runLiteRT(fixtureModelPath(name), [x], { batch: 128 });
    assert.equal(batched.invocations, 3);
    const [a, b] = [perImage.outputs[0], batched.outputs[0]];
    assert.ok(a && b);
    assert.equal(maxAbsDiff(a, b), 0);
    assert.equal(maxAbsDiff(a, fixtureGolden(name, "ref")), 0);
  });

  test("allTensors returns every tensor; the output tensor equals the output", async () => {
    const name = "cnn_int8";
    const x = fixtureInputs(name);
    const one: NDArray = { ...x, shape: [1, 28, 28], data: x.data.slice(784, 2 * 784) };
    const r = await runLiteRT(fixtureModelPath(name), [one], { allTensors: true });
    assert.ok(r.tensors);
    const counted = Object.values(fixtureManifest().models[name].tensorTypes).reduce(
      (s, n) => s + n,
      0,
    );
    assert.equal(r.tensors.length, counted);
    const outIndex = r.outputDetails[0]?.index;
    const outTensor = r.tensors.find((t) => t.index === outIndex);
    const out = r.outputs[0];
    assert.ok(outTensor?.value && out);
    assert.equal(maxAbsDiff(outTensor.value, out), 0);
    // Row 1 of the golden is this image's output.
    const golden = fixtureGolden(name, "ref");
    assert.deepEqual(numbers(out.data), numbers(golden.data.slice(10, 20)));
    // Some intermediate is int8 with a per-tensor quantization: the quantized activations.
    assert.ok(
      r.tensors.some((t) => t.dtype === "int8" && t.value !== null && t.quantization[0] > 0),
    );
    for (const t of r.tensors) {
      if (t.value) assert.equal(t.value.data.length, shapeSize(t.shape), t.name);
    }
  });

  test("allTensors on a float16 model hands float16 weights over as raw bits", async () => {
    const name = "cnn_float16";
    const x = fixtureInputs(name);
    const one: NDArray = { ...x, shape: [1, 28, 28], data: x.data.slice(0, 784) };
    const r = await runLiteRT(fixtureModelPath(name), [one], { allTensors: true });
    const halfs = (r.tensors ?? []).filter((t) => t.dtype === "float16");
    // The conv kernel, conv bias, dense kernel and dense bias are stored as float16.
    assert.equal(halfs.length, 4);
    for (const t of halfs) {
      assert.ok(t.value?.data instanceof Uint16Array, t.name);
      assert.equal(t.value.dtype, "float16");
    }
  });

  test("10,000 MNIST test images in one call score the manifest's LiteRT accuracy", async () => {
    const name = "cnn_float32";
    const test10k = mnist().test;
    const t0 = performance.now();
    const { outputs, invocations, seconds } = await runLiteRT(
      fixtureModelPath(name),
      [test10k.asFloat()],
      {
        resolver: "default",
      },
    );
    const wall = (performance.now() - t0) / 1000;
    assert.equal(invocations, 10000);
    const out = outputs[0];
    assert.ok(out);
    const hits = argmaxRows(out).filter((p, i) => p === test10k.labels.data[i]).length;
    assert.equal(hits / 10000, fixtureManifest().models[name].accuracy10kLiteRT);
    // A couple of seconds including Python start-up (measured ~1.5 s; invoke time alone < 1 s).
    assert.ok(wall < 10, `10k images took ${wall.toFixed(1)} s (${seconds.toFixed(2)} s invoking)`);
  });
});

describe("runLiteRT errors", () => {
  const model = () => fixtureModelPath("cnn_int8_only_uint8_io");

  test("a wrong input dtype names the input and both dtypes", async () => {
    const x = mnistTest300Float32();
    await assert.rejects(runLiteRT(model(), [x]), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /expects dtype uint8, got float32/);
      return true;
    });
  });

  test("a wrong sample shape names expected and found", async () => {
    const x: NDArray = { data: new Uint8Array(2 * 27 * 28), shape: [2, 27, 28], dtype: "uint8" };
    await assert.rejects(
      runLiteRT(model(), [x]),
      /expects samples of shape \[N, 28, 28\], got \[2, 27, 28\]/,
    );
  });

  test("the wrong number of inputs", async () => {
    await assert.rejects(runLiteRT(model(), []), /has 1 input\(s\), 0 given/);
  });

  test("allTensors across several invokes is refused", async () => {
    await assert.rejects(
      runLiteRT(fixtureModelPath("cnn_int8"), [mnistTest300Float32()], { allTensors: true }),
      /--all-tensors needs every sample in one invoke, but 300 samples at batch 1 take 300/,
    );
  });

  test("a batch the graph cannot take is LiteRT's error, with context", async () => {
    // The tutorial CNN's RESHAPE carries a constant [1, 28, 28, 1]: it cannot run at batch 2.
    await assert.rejects(
      runLiteRT(fixtureModelPath("cnn_float32"), [mnistTest300Float32()], { batch: 2 }),
      /cannot run at batch 2 \(the model's batch is 1/,
    );
  });

  test("a bad batch option is refused before spawning", async () => {
    await assert.rejects(runLiteRT(model(), [], { batch: 0 }), UsageError);
  });
});
