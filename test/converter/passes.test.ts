// The integer pass on small hand-built graphs: the constraints TF's fixtures do not exercise —
// a fixed-range output feeding a same-scale op (shared or requantized), float fallback in the
// middle, and I/O type edge rules.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { GraphBuilder } from "../../kernel/src/tflite/testing";
import { type Model, opName } from "../../kernel/src/ir";
import { Interpreter } from "../../kernel/src/interpreter/interpreter";
import { writeModel } from "../../kernel/src/tflite/writer";
import { readModel } from "../../kernel/src/tflite/reader";
import { calibrate } from "../../kernel/src/calib/calibrate";
import { integerPass } from "../../kernel/src/converter/integer";
import { TFLiteConverter } from "../../kernel/src/converter/converter";
import { UsageError } from "../../kernel/src/errors";

const ops = (m: Model): string[] =>
  m.subgraphs[0].operators.map((o) => opName(m.operatorCodes[o.opcodeIndex].builtinCode));

function samples(n: number, size: number, spread: number): Float32Array[] {
  // Deterministic values in [−spread, spread]: a sine sweep.
  return Array.from({ length: n }, (_, s) =>
    Float32Array.from({ length: size }, (_, i) => spread * Math.sin(0.37 * i + s)),
  );
}

/** x → LOGISTIC → CONCATENATION(·, x) → out: the logistic output (1/256, −128) meets x's range. */
function logisticConcat(): Model {
  const g = new GraphBuilder();
  const x = g.tensor("x", "float32", [1, 8]);
  const s = g.tensor("sigmoid", "float32", [1, 8]);
  const c = g.tensor("concat", "float32", [1, 16]);
  g.op("LOGISTIC", [x], [s]);
  g.op("CONCATENATION", [s, x], [c], {
    type: "ConcatenationOptions",
    axis: -1,
    fusedActivationFunction: "NONE",
  });
  return g.io([x], [c]).build();
}

/** x → SOFTMAX → RESHAPE → out: the reshape takes the softmax's fixed parameters. */
function softmaxReshape(): Model {
  const g = new GraphBuilder();
  const x = g.tensor("x", "float32", [1, 8]);
  const p = g.tensor("probs", "float32", [1, 8]);
  const shape = g.tensor("shape", "int32", [2], { data: Int32Array.from([2, 4]) });
  const r = g.tensor("reshaped", "float32", [2, 4]);
  g.op("SOFTMAX", [x], [p], { type: "SoftmaxOptions", beta: 1 });
  g.op("RESHAPE", [p, shape], [r], { type: "ReshapeOptions", newShape: null });
  return g.io([x], [r]).build();
}

async function quantizeGraph(model: Model, data: Float32Array[]): Promise<Model> {
  const calibration = await calibrate(
    model,
    data.map((d) => [d]),
  );
  return integerPass(structuredClone(model), calibration);
}

describe("same-scale constraints", () => {
  test("LOGISTIC → CONCATENATION with a wider input: the concat keeps x's scale and the logistic output is requantized", async () => {
    const m = await quantizeGraph(logisticConcat(), samples(4, 8, 3));
    assert.deepEqual(ops(m), ["QUANTIZE", "LOGISTIC", "QUANTIZE", "CONCATENATION", "DEQUANTIZE"]);
    const sg = m.subgraphs[0];
    const byName = (n: string) => sg.tensors.find((t) => t.name === n);
    // x ∈ [−3, 3] (the sweep reaches ±2.99…): scale = f32(max − min)/255, about 6/255.
    const xScale = byName("tfl.quantize")?.quantization?.scale?.[0] ?? 0;
    assert.ok(Math.abs(xScale - 6 / 255) < 1e-3);
    assert.deepEqual(byName("sigmoid")?.quantization?.scale, [1 / 256]);
    assert.deepEqual(byName("sigmoid_requantized")?.quantization?.scale, [xScale]);
    const concat = sg.tensors[sg.operators[3].outputs[0]];
    assert.deepEqual(concat.quantization?.scale, [xScale]);
    // The file runs, and its outputs stay within one x step of the float model's.
    const bytes = writeModel(m, { finalize: true });
    const q = new Interpreter({ modelContent: bytes });
    const f = new Interpreter({ model: logisticConcat() });
    for (const it of [q, f]) it.allocateTensors();
    const x = samples(1, 8, 2.5)[0];
    for (const it of [q, f]) {
      it.setTensor(it.getInputDetails()[0].index, x);
      it.invoke();
    }
    const a = q.getTensor(q.getOutputDetails()[0].index).data;
    const b = f.getTensor(f.getOutputDetails()[0].index).data;
    for (let i = 0; i < 16; i++) assert.ok(Math.abs(Number(a[i]) - Number(b[i])) <= xScale, `${i}`);
  });

  test("SOFTMAX → RESHAPE: the reshape shares the softmax's fixed (1/256, −128), no requantize", async () => {
    const m = await quantizeGraph(softmaxReshape(), samples(4, 8, 2));
    assert.deepEqual(ops(m), ["QUANTIZE", "SOFTMAX", "RESHAPE", "DEQUANTIZE"]);
    const sg = m.subgraphs[0];
    const reshaped = sg.tensors[sg.operators[2].outputs[0]];
    assert.deepEqual(reshaped.quantization?.scale, [1 / 256]);
    assert.deepEqual(reshaped.quantization?.zeroPoint, [-128]);
    readModel(writeModel(m, { finalize: true }));
  });
});

describe("I/O types", () => {
  test("int8 input when the first op is left in float is a UsageError naming the input", async () => {
    const c = TFLiteConverter.fromModel(softmaxReshape());
    c.optimizations = ["DEFAULT"];
    c.representativeDataset = samples(2, 8, 1).map((d) => [d]);
    c.denylistedOps = ["SOFTMAX"];
    c.inferenceInputType = "int8";
    await assert.rejects(
      c.convert(),
      (e: unknown) => e instanceof UsageError && /graph input 'x'/.test(e.message),
    );
  });
  test("int16 I/O is refused for int8 activations", async () => {
    const c = TFLiteConverter.fromModel(softmaxReshape());
    c.optimizations = ["DEFAULT"];
    c.representativeDataset = samples(2, 8, 1).map((d) => [d]);
    c.inferenceOutputType = "int16";
    await assert.rejects(
      c.convert(),
      /inferenceOutputType int16 is not allowed with int8 activations/,
    );
  });
});
