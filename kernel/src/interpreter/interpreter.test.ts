import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ShapeError, UnsupportedError, UsageError } from "../errors";
import type { BuiltinOptions, Model } from "../ir";
import { opName } from "../ir";
import { Interpreter } from "./interpreter";
import { buildModel } from "./testing";

const FC: BuiltinOptions = {
  type: "FullyConnectedOptions",
  fusedActivationFunction: "NONE",
  weightsFormat: 0,
  keepNumDims: false,
  asymmetricQuantizeInputs: false,
  quantizedBiasType: 0,
};

/**
 * input [1, 3] float32 → QUANTIZE (scale 0.5, zp −1) → DEQUANTIZE → FULLY_CONNECTED with
 * float16 weights [[1, 0, −1]] behind a DEQUANTIZE (folded once at allocateTensors) → [1, 1].
 */
function chain(): Model {
  return buildModel(
    [
      { dtype: "float32", shape: [1, 3], name: "x" }, // 0
      { dtype: "int8", shape: [1, 3], quant: [0.5, -1], name: "x_q" }, // 1
      { dtype: "float32", shape: [1, 3], name: "x_dq" }, // 2
      { dtype: "float16", shape: [1, 3], data: Uint16Array.from([0x3c00, 0, 0xbc00]), name: "w16" }, // 3
      { dtype: "float32", shape: [1, 3], name: "w" }, // 4
      { dtype: "float32", shape: [1, 1], name: "y" }, // 5
    ],
    [
      { op: "QUANTIZE", inputs: [0], outputs: [1] },
      { op: "DEQUANTIZE", inputs: [1], outputs: [2] },
      { op: "DEQUANTIZE", inputs: [3], outputs: [4] },
      { op: "FULLY_CONNECTED", inputs: [2, 4, -1], outputs: [5], options: FC },
    ],
  );
}

describe("Interpreter", () => {
  test("runs a chain and keeps every intermediate readable", () => {
    const it = new Interpreter({ model: chain(), preserveAllTensors: true });
    it.allocateTensors();
    it.setTensor(0, Float32Array.from([1.2, 0.3, -0.4]));
    it.invoke();
    // x_q = round([2.4, 0.6, −0.8]) − 1 = [2, 1, −1] − 1 = [1, 0, −2]; x_dq = 0.5·(x_q + 1) = [1, 0.5, −0.5]
    assert.deepEqual(Array.from(it.getTensor(1).data, Number), [1, 0, -2]);
    assert.deepEqual(Array.from(it.getTensor(2).data, Number), [1, 0.5, -0.5]);
    // y = 1·1 + 0·0.5 − 1·(−0.5) = 1.5
    assert.deepEqual(Array.from(it.getTensor(5).data, Number), [1.5]);
  });

  test("details mirror tf.lite: quantization [scale, zeroPoint] and its parameters", () => {
    const it = new Interpreter({ model: chain() });
    it.allocateTensors();
    const [input] = it.getInputDetails();
    assert.equal(input?.name, "x");
    assert.deepEqual(input?.shape, [1, 3]);
    assert.deepEqual(input?.quantization, [0, 0]);
    const q = it.getTensorDetails()[1];
    assert.equal(q?.dtype, "int8");
    assert.deepEqual(q?.quantization, [0.5, -1]);
    assert.deepEqual(Array.from(q?.quantizationParameters.scales ?? []), [0.5]);
    assert.deepEqual(Array.from(q?.quantizationParameters.zeroPoints ?? []), [-1]);
    assert.deepEqual(
      it.getOutputDetails().map((d) => d.index),
      [5],
    );
  });

  test("getTensor returns a copy", () => {
    const it = new Interpreter({ model: chain() });
    it.allocateTensors();
    it.setTensor(0, Float32Array.from([1, 1, 1]));
    it.invoke();
    const y = it.getTensor(5);
    y.data[0] = 42;
    assert.notEqual(it.getTensor(5).data[0], 42);
  });

  test("setTensor checks dtype, size and shape and names the tensor", () => {
    const it = new Interpreter({ model: chain() });
    it.allocateTensors();
    assert.throws(
      () => it.setTensor(0, Int8Array.from([1, 2, 3])),
      (e: unknown) => e instanceof ShapeError && /'x' \(#0\) holds float32/.test(e.message),
    );
    assert.throws(() => it.setTensor(0, Float32Array.from([1, 2])), /needs 3 elements, found 2/);
    assert.throws(
      () => it.setTensor(0, { data: new Float32Array(3), shape: [3, 1], dtype: "float32" }),
      /has shape \[1, 3\], found \[3, 1\]/,
    );
    assert.throws(() => it.setTensor(3, new Uint16Array(3)), /is a constant/);
    assert.throws(() => it.setTensor(99, new Float32Array(3)), UsageError);
  });

  test("methods before allocateTensors are usage errors", () => {
    const it = new Interpreter({ model: chain() });
    assert.throws(
      () => it.invoke(),
      (e: unknown) => e instanceof UsageError && /allocateTensors/.test(e.message),
    );
    assert.throws(() => new Interpreter({}), /exactly one of modelContent, modelPath or model/);
    assert.throws(
      () => new Interpreter({ modelPath: "/nonexistent/model.tflite" }),
      (e: unknown) => e instanceof UsageError && e.message.includes("'/nonexistent/model.tflite'"),
    );
  });

  test("resizeTensorInput then allocateTensors runs a batch, row by row equal to batch 1", () => {
    const it = new Interpreter({ model: chain() });
    it.resizeTensorInput(0, [2, 3]);
    it.allocateTensors();
    it.setTensor(0, Float32Array.from([1.2, 0.3, -0.4, 2, 2, 2]));
    it.invoke();
    const y = it.getTensor(5);
    assert.deepEqual(y.shape, [2, 1]);
    // row 2: x_q = [4, 4, 4] − 1 = [3, 3, 3] → x_dq = [2, 2, 2] → y = 2 − 2 = 0
    assert.deepEqual(Array.from(y.data, Number), [1.5, 0]);
    it.resizeTensorInput(0, [1, 3]);
    assert.throws(() => it.invoke(), UsageError);
    assert.throws(() => it.resizeTensorInput(0, [3]), /has rank 2/);
    assert.throws(() => it.resizeTensorInput(4, [1, 3]), /not a model input/);
  });

  test("an op without a kernel fails at allocateTensors, naming the op, its index and types", () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [2, 2] },
        { dtype: "int32", shape: [1], data: Int32Array.from([0]) },
        { dtype: "float32", shape: [1, 2] },
      ],
      [{ op: "GATHER", inputs: [0, 1], outputs: [2] }],
    );
    // LSH_PROJECTION (builtin code 15): an op the interpreter has no kernel for.
    const code = model.operatorCodes[0];
    assert.ok(code !== undefined);
    code.builtinCode = 15;
    const it = new Interpreter({ model });
    assert.throws(
      () => it.allocateTensors(),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        e.message.includes(
          `${opName(15)} (op #0) with input types [float32, int32] and output types [float32]`,
        ),
    );
  });

  test("shape errors name the op and both shapes", () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [1, 4] },
        { dtype: "float32", shape: [2, 3], data: new Float32Array(6) },
        { dtype: "float32", shape: [1, 2] },
      ],
      [{ op: "FULLY_CONNECTED", inputs: [0, 1, -1], outputs: [2], options: FC }],
    );
    assert.throws(
      () => new Interpreter({ model }).allocateTensors(),
      (e: unknown) =>
        e instanceof ShapeError &&
        /FULLY_CONNECTED \(op #0\): input 't0' \[1, 4\] cannot be flattened to rows of 3/.test(
          e.message,
        ),
    );
  });
});
