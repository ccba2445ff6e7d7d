import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ModelFormatError, UsageError } from "../errors";
import type { BuiltinOptions } from "../ir";
import { Interpreter } from "./interpreter";
import type { InterpreterOptions } from "./interpreter";
import { AllocationBudget, checkedSize, defaultLimits } from "./limits";
import { buildModel } from "./testing";

const POOL = (size: number): BuiltinOptions => ({
  type: "Pool2DOptions",
  padding: "SAME",
  strideW: 1,
  strideH: 1,
  filterWidth: size,
  filterHeight: size,
  fusedActivationFunction: "NONE",
});

const CONV = (dilation: number): BuiltinOptions => ({
  type: "Conv2DOptions",
  padding: "SAME",
  strideW: 1,
  strideH: 1,
  fusedActivationFunction: "NONE",
  dilationWFactor: dilation,
  dilationHFactor: dilation,
  quantizedBiasType: 0,
});

/** allocateTensors() of `model` must throw a ModelFormatError whose message matches `pattern`. */
function assertRefused(
  model: ReturnType<typeof buildModel>,
  pattern: RegExp,
  options: Omit<InterpreterOptions, "model"> = {},
): void {
  const it = new Interpreter({ model, ...options });
  assert.throws(
    () => it.allocateTensors(),
    (e: unknown) => e instanceof ModelFormatError && pattern.test(e.message),
  );
}

describe("allocation limits", () => {
  test("checkedSize stops as soon as the running product passes the cap (no overflow)", () => {
    const t = { index: 3, name: "x", dtype: "int8" as const };
    assert.equal(checkedSize(t, [2, 3, 4], 24), 24);
    assert.equal(checkedSize(t, [], 1), 1); // a scalar
    assert.equal(checkedSize(t, [0, 2 ** 31 - 1, 2 ** 31 - 1], 1), 0);
    assert.throws(
      () => checkedSize(t, [2, 3, 4], 23),
      /'x' \(#3\) of shape \[2, 3, 4\].*24 elements/,
    );
    // 2^31−1 squared is above 2^53: the message still names the shape.
    assert.throws(
      () => checkedSize(t, [2 ** 31 - 1, 2 ** 31 - 1], 2 ** 28),
      /shape \[2147483647, 2147483647\]/,
    );
    assert.throws(() => checkedSize(t, [2, -1], 100), /dimension -1 is not a size/);
  });

  test("the budget counts bytes by dtype and refuses the tensor that would pass it", () => {
    const budget = new AllocationBudget({
      maxTensorElements: 100,
      maxAllocatedBytes: 40,
      maxMultiplyAccumulates: 10,
    });
    budget.reserve({ index: 0, name: "a", dtype: "float32" }, [2, 4]); // 32 bytes
    budget.reserve({ index: 1, name: "b", dtype: "int8" }, [8]); // 40 bytes: exactly the cap
    assert.equal(budget.allocatedBytes, 40);
    assert.throws(
      () => budget.reserve({ index: 2, name: "c", dtype: "int8" }, [1]),
      /'c' \(#2\) of shape \[1\] \(int8\) needs 1 bytes, but 40 of the interpreter's 40/,
    );
    budget.reserveWork({ index: 0, name: "a", dtype: "float32" }, [2, 4], 10);
    assert.throws(
      () => budget.reserveWork({ index: 0, name: "a", dtype: "float32" }, [2, 4], 1),
      /maxMultiplyAccumulates/,
    );
  });

  test("defaults grow with the model: 16 MiB and 2^23 MACs at least, 16 and 128 per byte", () => {
    assert.deepEqual(defaultLimits(0), {
      maxTensorElements: 2 ** 28,
      maxAllocatedBytes: 16 * 2 ** 20,
      maxMultiplyAccumulates: 2 ** 23,
    });
    const big = defaultLimits(10 * 2 ** 20);
    assert.equal(big.maxAllocatedBytes, 160 * 2 ** 20);
    assert.equal(big.maxMultiplyAccumulates, 1280 * 2 ** 20);
  });

  test("an input of 2^62 elements: ModelFormatError naming it, before any allocation", () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [1, 2 ** 31 - 1, 2 ** 31 - 1, 1], name: "image" },
        { dtype: "float32", shape: [1, 1, 1, 1] },
      ],
      [{ op: "RELU", inputs: [0], outputs: [1] }],
    );
    assertRefused(model, /tensor 'image' \(#0\) of shape \[1, 2147483647, 2147483647, 1\]/);
  });

  test("a RESHAPE whose shape operand is huge is refused as a shape error, not allocated", () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [2, 3] },
        { dtype: "int32", shape: [2], data: Int32Array.from([2 ** 31 - 1, 2 ** 31 - 1]) },
        { dtype: "float32", shape: [6] },
      ],
      [{ op: "RESHAPE", inputs: [0, 1], outputs: [2] }],
    );
    const it = new Interpreter({ model });
    assert.throws(() => it.allocateTensors(), /cannot reshape/);
  });

  test("a PAD with huge paddings: ModelFormatError naming the output and its shape", () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [1, 4], name: "x" },
        { dtype: "int32", shape: [2, 2], data: Int32Array.from([0, 0, 2 ** 30, 2 ** 30]) },
        { dtype: "float32", shape: [1, 4], name: "padded" },
      ],
      [{ op: "PAD", inputs: [0, 1], outputs: [2] }],
    );
    assertRefused(
      model,
      /PAD \(op #0\): output tensor 'padded' \(#2\) of shape \[1, 2147483652\] \(float32\)/,
    );
  });

  test("maxAllocatedBytes counts every tensor: the one that passes it is named", () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [1, 1000], name: "x" },
        { dtype: "float32", shape: [1, 1000], name: "y" },
      ],
      [{ op: "RELU", inputs: [0], outputs: [1] }],
    );
    // 4,000 bytes for x, 4,000 for y.
    new Interpreter({ model, maxAllocatedBytes: 8000 }).allocateTensors();
    assertRefused(model, /'y' \(#1\) of shape \[1, 1000\] \(float32\) needs 4000 bytes/, {
      maxAllocatedBytes: 7999,
    });
    assertRefused(model, /'x' \(#0\).*1000 elements.*limit of 999/, { maxTensorElements: 999 });
  });

  test("resizeTensorInput grows the budget by the growth of the input", () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [1, 1000], name: "x" },
        { dtype: "float32", shape: [1, 1000], name: "y" },
      ],
      [{ op: "RELU", inputs: [0], outputs: [1] }],
    );
    const it = new Interpreter({ model, maxAllocatedBytes: 8000 });
    it.resizeTensorInput(0, [32, 1000]);
    it.allocateTensors(); // 256,000 bytes within 32 × 8,000
    assert.deepEqual(it.getTensor(1).shape, [32, 1000]);
  });

  test("a pooling window of 2^31−1 counts only the taps inside the image", () => {
    const pool = buildModel(
      [
        { dtype: "float32", shape: [1, 64, 64, 8] },
        { dtype: "float32", shape: [1, 64, 64, 8], name: "pooled" },
      ],
      [{ op: "MAX_POOL_2D", inputs: [0], outputs: [1], options: POOL(2 ** 31 - 1) }],
    );
    // 64·64·8 outputs × 64·64 taps = 2^27 taps.
    assertRefused(pool, /'pooled' \(#1\).*takes 134217728 multiply-accumulates/);
    new Interpreter({ model: pool, maxMultiplyAccumulates: 2 ** 27 }).allocateTensors();
  });

  test("a dilated convolution counts every tap of its filter, in or out of the image", () => {
    const conv = buildModel(
      [
        { dtype: "float32", shape: [1, 32, 32, 4] },
        { dtype: "float32", shape: [8, 3, 3, 4], data: new Float32Array(8 * 3 * 3 * 4) },
        { dtype: "float32", shape: [1, 32, 32, 8], name: "conv" },
      ],
      [{ op: "CONV_2D", inputs: [0, 1, -1], outputs: [2], options: CONV(2 ** 30) }],
    );
    // 32·32·8 outputs × 3·3·4 taps = 294,912.
    assertRefused(conv, /'conv' \(#2\).*takes 294912 multiply-accumulates/, {
      maxMultiplyAccumulates: 294_911,
    });
    const it = new Interpreter({ model: conv, maxMultiplyAccumulates: 294_912 });
    it.allocateTensors();
    it.invoke();
  });

  test("limits that are not positive numbers are a UsageError", () => {
    const model = buildModel(
      [
        { dtype: "float32", shape: [1] },
        { dtype: "float32", shape: [1] },
      ],
      [{ op: "RELU", inputs: [0], outputs: [1] }],
    );
    for (const bad of [0, -1, NaN]) {
      assert.throws(() => new Interpreter({ model, maxAllocatedBytes: bad }), UsageError);
    }
  });
});
