import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { BuiltinOptions, Operator } from "../../ir";
import { opName } from "../../ir";
import { ModelBuilder } from "./graph";
import type { BatchNormFold } from "./layers/call";
import { foldBatchNorms, fuseActivations } from "./passes";

const NONE = "NONE" as const;
const conv = (act: "NONE" | "RELU" = NONE): BuiltinOptions => ({
  type: "Conv2DOptions",
  padding: "VALID",
  strideW: 1,
  strideH: 1,
  fusedActivationFunction: act,
  dilationWFactor: 1,
  dilationHFactor: 1,
  quantizedBiasType: 0,
});
const add: BuiltinOptions = {
  type: "AddOptions",
  fusedActivationFunction: NONE,
  potScaleInt16: true,
};
const mul: BuiltinOptions = { type: "MulOptions", fusedActivationFunction: NONE };

function ops(b: ModelBuilder): string[] {
  return b.graph.operators.map((o) => {
    const name = opName(b.model.operatorCodes[o.opcodeIndex]?.builtinCode ?? -1);
    const opts = o.builtinOptions;
    const act =
      opts !== null && "fusedActivationFunction" in opts ? opts.fusedActivationFunction : NONE;
    return act === NONE ? name : `${name}+${act}`;
  });
}

/** x [1,1,1,1] → op → y [1,1,1,C] → batch norm (MUL, ADD) → z; returns the pieces. */
function withBatchNorm(
  b: ModelBuilder,
  producer: (x: number, y: number) => Operator,
  scale: number[],
  offset: number[],
) {
  const c = scale.length;
  const x = b.activation("x", [1, 1, 1, 1]);
  b.graph.inputs = [x];
  const y = b.activation("conv/BiasAdd", [1, 1, 1, c]);
  const p = producer(x, y);
  const s = b.constant("bn/batchnorm/mul", [c], Float32Array.from(scale));
  const o = b.constant("bn/batchnorm/sub", [c], Float32Array.from(offset));
  const t = b.activation("bn/batchnorm/mul_1", [1, 1, 1, c]);
  const z = b.activation("bn/batchnorm/add_1", [1, 1, 1, c]);
  const m = b.op("MUL", [y, s], [t], mul);
  const a = b.op("ADD", [t, o], [z], add);
  const folds = new Map<Operator, BatchNormFold>([
    [m, { scale: Float64Array.from(scale), offset: Float64Array.from(offset), add: a }],
  ]);
  b.graph.outputs = [z];
  return { p, y, z, folds };
}

const newBuilder = () => new ModelBuilder({ size: 1, dynamic: true }, "test");

describe("foldBatchNorms", () => {
  test("into CONV_2D: W' = W·scale[c], b' = b·scale[c] + offset[c] (hand-computed)", () => {
    const b = newBuilder();
    const w = b.constant("conv/kernel", [2, 1, 1, 1], Float32Array.of(2, 3));
    const bias = b.constant("conv/bias", [2], Float32Array.of(1, -1));
    const { p, z, folds } = withBatchNorm(
      b,
      (x, y) => b.op("CONV_2D", [x, w, bias], [y], conv()),
      [0.5, 3],
      [0.25, 1],
    );
    assert.equal(foldBatchNorms(b, folds), 1);
    assert.deepEqual(ops(b), ["CONV_2D"]);
    // W' = [2·0.5, 3·3] = [1, 9]; b' = [1·0.5 + 0.25, −1·3 + 1] = [0.75, −2].
    assert.deepEqual([...b.floatData(w)], [1, 9]);
    assert.deepEqual([...b.floatData(bias)], [0.75, -2]);
    assert.deepEqual(p.outputs, [z]);
    assert.equal(b.tensor(z).name, "bn/batchnorm/add_1;conv/BiasAdd");
  });

  test("rounds once from float64: W·scale with scale = 1/√(3 + 3/7) not first rounded to float32", () => {
    const b = newBuilder();
    const w = b.constant("conv/kernel", [1, 1, 1, 1], Float32Array.of(1.003));
    const bias = b.constant("conv/bias", [1], Float32Array.of(0));
    const scale = 1 / Math.sqrt(3 + 3 / 7); // 0.5400617248673217…
    const { folds } = withBatchNorm(
      b,
      (x, y) => b.op("CONV_2D", [x, w, bias], [y], conv()),
      [scale],
      [0],
    );
    assert.equal(foldBatchNorms(b, folds), 1);
    // f32(1.003) = 1.003000020980835; × scale in float64 → 0.54168194… rounds to
    // 0.5416819453239441, while × f32(scale) would round to 0.5416818857192993.
    assert.equal(b.floatData(w)[0], 0.5416819453239441);
  });

  test("into DEPTHWISE_CONV_2D along the last axis (channel c·mult + m)", () => {
    const b = newBuilder();
    const w = b.constant(
      "dw/depthwise_kernel",
      [1, 1, 2, 4],
      Float32Array.of(1, 1, 1, 1, 2, 2, 2, 2),
    );
    const bias = b.constant("dw/depthwise_bias", [4], new Float32Array(4));
    const { folds } = withBatchNorm(
      b,
      (x, y) =>
        b.op("DEPTHWISE_CONV_2D", [x, w, bias], [y], {
          type: "DepthwiseConv2DOptions",
          padding: "VALID",
          strideW: 1,
          strideH: 1,
          depthMultiplier: 4,
          fusedActivationFunction: NONE,
          dilationWFactor: 1,
          dilationHFactor: 1,
        }),
      [1, 2, 3, 4],
      [0, 0, 0, 1],
    );
    assert.equal(foldBatchNorms(b, folds), 1);
    // Row y=0: [1,1,1,1]·[1,2,3,4]; row y=1: [2,2,2,2]·[1,2,3,4].
    assert.deepEqual([...b.floatData(w)], [1, 2, 3, 4, 2, 4, 6, 8]);
    assert.deepEqual([...b.floatData(bias)], [0, 0, 0, 1]);
  });

  test("into FULLY_CONNECTED without a bias: the bias becomes the offset", () => {
    const b = newBuilder();
    const w = b.constant("fc/kernel", [2, 1], Float32Array.of(4, 5));
    const fc: BuiltinOptions = {
      type: "FullyConnectedOptions",
      fusedActivationFunction: NONE,
      weightsFormat: 0,
      keepNumDims: false,
      asymmetricQuantizeInputs: false,
      quantizedBiasType: 0,
    };
    const { p, folds } = withBatchNorm(
      b,
      (x, y) => b.op("FULLY_CONNECTED", [x, w, -1], [y], fc),
      [2, 0.5],
      [-1, 3],
    );
    assert.equal(foldBatchNorms(b, folds), 1);
    assert.deepEqual([...b.floatData(w)], [8, 2.5]);
    const biasIndex = p.inputs[2] ?? -1;
    assert.ok(biasIndex >= 0);
    assert.equal(b.tensor(biasIndex).name, "fc/bias");
    assert.deepEqual([...b.floatData(biasIndex)], [-1, 3]);
  });

  test("not into a conv with a fused activation, nor one whose output has another reader", () => {
    for (const variant of ["fused relu", "second reader", "graph output", "pool"] as const) {
      const b = newBuilder();
      const w = b.constant("conv/kernel", [1, 1, 1, 1], Float32Array.of(2));
      const bias = b.constant("conv/bias", [1], Float32Array.of(1));
      const { y, z, folds } = withBatchNorm(
        b,
        (x, out) =>
          variant === "pool"
            ? b.op("MAX_POOL_2D", [x], [out], {
                type: "Pool2DOptions",
                padding: "VALID",
                strideW: 1,
                strideH: 1,
                filterWidth: 1,
                filterHeight: 1,
                fusedActivationFunction: NONE,
              })
            : b.op("CONV_2D", [x, w, bias], [out], conv(variant === "fused relu" ? "RELU" : NONE)),
        [3],
        [1],
      );
      if (variant === "second reader")
        b.op("ADD", [y, z], [b.activation("sum", [1, 1, 1, 1])], add);
      if (variant === "graph output") b.graph.outputs.push(y);
      assert.equal(foldBatchNorms(b, folds), 0, variant);
      assert.ok(ops(b).includes("MUL") && ops(b).includes("ADD"), variant);
      assert.deepEqual([...b.floatData(w)], [2], variant);
    }
  });
});

describe("fuseActivations", () => {
  function chain(
    first: "CONV_2D" | "ADD" | "CONCATENATION",
    activation: "RELU" | "RELU6" | "TANH",
  ) {
    const b = newBuilder();
    const x = b.activation("x", [1, 2, 2, 1]);
    b.graph.inputs = [x];
    const y = b.activation("y", [1, 2, 2, 1]);
    if (first === "CONV_2D") {
      const w = b.constant("w", [1, 1, 1, 1], Float32Array.of(1));
      const bias = b.constant("b", [1], Float32Array.of(0));
      b.op("CONV_2D", [x, w, bias], [y], conv());
    } else if (first === "ADD") {
      b.op("ADD", [x, x], [y], add);
    } else {
      b.op("CONCATENATION", [x, x], [y], {
        type: "ConcatenationOptions",
        axis: 3,
        fusedActivationFunction: NONE,
      });
    }
    const z = b.activation("z", [1, 2, 2, 1]);
    b.op(activation, [y], [z]);
    b.graph.outputs = [z];
    return { b, y, z };
  }

  test("RELU into CONV_2D, RELU6 into ADD; the fused tensor is named act;op", () => {
    const c = chain("CONV_2D", "RELU");
    assert.equal(fuseActivations(c.b), 1);
    assert.deepEqual(ops(c.b), ["CONV_2D+RELU"]);
    assert.equal(c.b.tensor(c.z).name, "z;y");
    const a = chain("ADD", "RELU6");
    assert.equal(fuseActivations(a.b), 1);
    assert.deepEqual(ops(a.b), ["ADD+RELU6"]);
  });

  test("never TANH, never into CONCATENATION, not when the op's output is a graph output", () => {
    const t = chain("CONV_2D", "TANH");
    assert.equal(fuseActivations(t.b), 0);
    assert.deepEqual(ops(t.b), ["CONV_2D", "TANH"]);
    const c = chain("CONCATENATION", "RELU");
    assert.equal(fuseActivations(c.b), 0);
    const o = chain("CONV_2D", "RELU");
    o.b.graph.outputs.push(o.y);
    assert.equal(fuseActivations(o.b), 0);
    assert.deepEqual(ops(o.b), ["CONV_2D", "RELU"]);
  });

  test("a second RELU after a fused one stays an op", () => {
    const c = chain("CONV_2D", "RELU");
    const w = c.b.activation("w", [1, 2, 2, 1]);
    c.b.op("RELU", [c.z], [w]);
    c.b.graph.outputs = [w];
    assert.equal(fuseActivations(c.b), 1);
    assert.deepEqual(ops(c.b), ["CONV_2D+RELU", "RELU"]);
  });
});

describe("ModelBuilder.compact", () => {
  test("drops orphaned tensors, their buffers and unused op codes; orders inputs, constants, activations", () => {
    const c = (() => {
      const b = newBuilder();
      const x = b.activation("x", [1, 2, 2, 1]);
      b.graph.inputs = [x];
      const y = b.activation("y", [1, 2, 2, 1]);
      const w = b.constant("w", [1, 1, 1, 1], Float32Array.of(1));
      const bias = b.constant("b", [1], Float32Array.of(0));
      b.op("CONV_2D", [x, w, bias], [y], conv());
      const z = b.activation("z", [1, 2, 2, 1]);
      b.op("RELU", [y], [z]);
      b.graph.outputs = [z];
      return b;
    })();
    fuseActivations(c);
    c.compact();
    assert.deepEqual(
      c.graph.tensors.map((t) => t.name),
      ["x", "w", "b", "z;y"],
    );
    assert.deepEqual(
      c.graph.tensors.map((t) => t.buffer),
      [1, 2, 3, 4],
    );
    assert.equal(c.model.buffers.length, 5);
    assert.deepEqual(
      c.model.operatorCodes.map((o) => opName(o.builtinCode)),
      ["CONV_2D"],
    );
    assert.deepEqual(c.graph.operators[0]?.inputs, [0, 1, 2]);
    assert.deepEqual(c.graph.operators[0]?.outputs, [3]);
    assert.deepEqual(c.graph.outputs, [3]);
    // Activations: batch 1 in the shape, -1 in the signature; constants: no signature.
    assert.deepEqual(c.graph.tensors[3]?.shapeSignature, [-1, 2, 2, 1]);
    assert.equal(c.graph.tensors[1]?.shapeSignature, null);
  });
});
