/**
 * Constants several ops read (TF's exporter stores equal constants once: the ResNet family's
 * convolutions share one zero bias tensor). In int8 each op's bias has its own scale, so the
 * converter gives every op its own copy before quantizing; equal quantized data is then stored
 * once (one buffer, several tensors), as in TF's files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { TFLiteConverter } from "../../kernel/src/converter/converter";
import { Interpreter } from "../../kernel/src/interpreter/interpreter";
import type { Model } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite/reader";
import { writeModel } from "../../kernel/src/tflite/writer";
import { familyInput, familyModel } from "../helpers/fixtures";

const N = 8;

function images(): Float32Array[] {
  const x = familyInput("resnet_bn", 0);
  const per = x.data.length / (x.shape[0] ?? 1);
  return Array.from({ length: N }, (_, i) =>
    Float32Array.from({ length: per }, (_, k) => Math.fround(Number(x.data[i * per + k]) / 255)),
  );
}

/** The ResNet family's float file with its shared bias tensors set to non-zero values. */
function withSharedNonZeroBias(): { bytes: Uint8Array; shared: string[] } {
  const m = readModel(familyModel("resnet_bn"));
  const sg = m.subgraphs[0];
  const readers = new Map<number, number>();
  for (const op of sg.operators)
    for (const i of op.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  const shared: string[] = [];
  sg.tensors.forEach((t, i) => {
    const buf = m.buffers[t.buffer]?.data;
    if (t.type !== "float32" || buf == null || (readers.get(i) ?? 0) < 2) return;
    const f = new Float32Array(buf.length / 4);
    for (let k = 0; k < f.length; k++) f[k] = 0.05 * ((k % 7) - 3);
    m.buffers[t.buffer] = { data: new Uint8Array(f.buffer) };
    shared.push(t.name);
  });
  return { bytes: writeModel(m), shared };
}

function run(bytes: Uint8Array, xs: Float32Array[]): number[] {
  const it = new Interpreter({ modelContent: bytes });
  it.allocateTensors();
  const [input] = it.getInputDetails();
  const [output] = it.getOutputDetails();
  assert.ok(input !== undefined && output !== undefined);
  const out: number[] = [];
  for (const x of xs) {
    it.setTensor(input.index, { data: x, shape: input.shape, dtype: "float32" });
    it.invoke();
    out.push(...(it.getTensor(output.index).data as Float32Array));
  }
  return out;
}

function sqnr(ref: number[], y: number[]): number {
  let s = 0;
  let e = 0;
  ref.forEach((r, i) => {
    s += r * r;
    e += (r - (y[i] ?? 0)) ** 2;
  });
  return 10 * Math.log10(s / e);
}

async function int8(bytes: Uint8Array, xs: Float32Array[]): Promise<Uint8Array> {
  const c = TFLiteConverter.fromBuffer(bytes);
  c.optimizations = ["DEFAULT"];
  c.representativeDataset = xs.map((x) => [x]);
  return c.convert();
}

function biasTensorsOf(m: Model): { op: number; index: number }[] {
  const sg = m.subgraphs[0];
  return sg.operators.flatMap((op, k) => {
    const b = op.inputs[2];
    return b !== undefined && b >= 0 && sg.tensors[b]?.type === "int32"
      ? [{ op: k, index: b }]
      : [];
  });
}

test("a bias shared by several convolutions gets one copy per op, each at its op's scale", async () => {
  const { bytes, shared } = withSharedNonZeroBias();
  assert.ok(shared.length > 0, "the ResNet family file shares bias tensors");
  const xs = images();
  const quant = await int8(bytes, xs);
  const m = readModel(quant);
  const biases = biasTensorsOf(m);
  assert.ok(biases.length >= 10);
  assert.equal(new Set(biases.map((b) => b.index)).size, biases.length, "one bias tensor per op");
  // Measured: 16.9 dB when the second and later convolutions read the first one's bias scale.
  const db = sqnr(run(bytes, xs), run(quant, xs));
  assert.ok(db > 35, `output SQNR ${db.toFixed(1)} dB`);
});

test("equal constant data is stored once: no two buffers of a converted file are equal", async () => {
  const xs = images();
  const float = familyModel("resnet_bn");
  const quant = await int8(float, xs);
  const m = readModel(quant);
  const seen = new Set<string>();
  for (const b of m.buffers) {
    if (b.data === null || b.data.length === 0) continue;
    const key = Buffer.from(b.data).toString("base64");
    assert.ok(!seen.has(key), "two equal buffers");
    seen.add(key);
  }
  // Several zero-bias tensors (different scales) point at one buffer.
  const biases = biasTensorsOf(m).map((b) => m.subgraphs[0].tensors[b.index]?.buffer);
  assert.ok(new Set(biases).size < biases.length);
  assert.ok(quant.length <= familyModel("resnet_bn", "int8").length * 1.01);
});
