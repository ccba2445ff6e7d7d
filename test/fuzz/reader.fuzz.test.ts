// Fuzz test of the .tflite reader: mutate valid models (bit flips, truncation, splices, field
// values) with a seeded PRNG and check that every outcome is either a clean model — which must
// then write (or be refused with a TsquantError) and read back identically — or a TsquantError.
// Never another exception type, never a hang. Deterministic: same seed, same 12,000 cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TsquantError } from "../../kernel/src/errors";
import { ACTIVATIONS, PADDINGS, TENSOR_TYPES } from "../../kernel/src/ir";
import type { Model } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite/reader";
import { everyOpModel, floatDenseModel } from "../../kernel/src/tflite/testing";
import { finalizeModel } from "../../kernel/src/tflite/versions";
import { serializeUnchecked, writeModel } from "../../kernel/src/tflite/writer";
import { mulberry32 } from "../../kernel/src/services/random";

const SEED = 0x7f1e;
const ITERATIONS = 12_000;

type Mutation = "bitflip" | "truncate" | "splice" | "insert" | "delete" | "field";
const MUTATIONS: Mutation[] = ["bitflip", "truncate", "splice", "insert", "delete", "field"];

function mutate(src: Uint8Array, kind: Mutation, rand: () => number): Uint8Array {
  const int = (n: number): number => Math.floor(rand() * n);
  const n = src.length;
  switch (kind) {
    case "bitflip": {
      const out = src.slice();
      for (let k = 1 + int(8); k > 0; k--) {
        const i = int(n);
        out[i] = (out[i] ?? 0) ^ (1 << int(8));
      }
      return out;
    }
    case "truncate":
      return src.slice(0, int(n));
    case "splice": {
      // Copy a chunk of the file over another place: plausible offsets in the wrong spots.
      const out = src.slice();
      const from = int(n);
      const to = int(n);
      const chunk = src.subarray(from, Math.min(n, from + 1 + int(64)));
      out.set(chunk.subarray(0, n - to), to);
      return out;
    }
    case "insert": {
      const at = int(n);
      const chunk = Uint8Array.from({ length: 1 + int(32) }, () => int(256));
      const out = new Uint8Array(n + chunk.length);
      out.set(src.subarray(0, at));
      out.set(chunk, at);
      out.set(src.subarray(at), at + chunk.length);
      return out;
    }
    case "delete": {
      const at = int(n);
      const len = 1 + int(32);
      const out = new Uint8Array(Math.max(0, n - len));
      out.set(src.subarray(0, at).subarray(0, out.length));
      if (at < out.length) out.set(src.subarray(at + len), at);
      return out;
    }
    case "field": {
      // Overwrite an aligned word with a value that tends to break offsets, lengths and enums.
      const out = src.slice();
      if (n < 4) return out;
      const view = new DataView(out.buffer);
      const interesting = [
        0,
        1,
        2,
        3,
        -1,
        127,
        128,
        255,
        0x7fff,
        0xffff,
        0x7fffffff,
        0x80000000,
        n,
        n - 4,
        int(300),
        int(2 ** 32),
      ];
      const value = interesting[int(interesting.length)] ?? 0;
      const width = [1, 2, 4][int(3)] ?? 4;
      const at = int(Math.max(1, n - 4)) & ~(width - 1);
      if (width === 1) view.setUint8(at, value & 0xff);
      else if (width === 2) view.setUint16(at, value & 0xffff, true);
      else view.setUint32(at, value >>> 0, true);
      return out;
    }
    default:
      return kind satisfies never;
  }
}

function seeds(): [string, Uint8Array][] {
  const withMetadata = finalizeModel(everyOpModel());
  const list: [string, Uint8Array][] = [
    ["everyOp (aligned 16)", writeModel(withMetadata)],
    ["everyOp (aligned 1)", writeModel(withMetadata, { dataAlignment: 1 })],
    ["floatDense", writeModel(floatDenseModel())],
  ];
  const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..");
  const fixture = join(root, "test", "fixtures", "models", "cnn_int8.tflite");
  if (existsSync(fixture))
    list.push(["cnn_int8.tflite (TF)", new Uint8Array(readFileSync(fixture))]);
  return list;
}

test(`reader survives ${ITERATIONS} mutated models: clean model or TsquantError, never a hang`, () => {
  const rand = mulberry32(SEED);
  const bases = seeds();
  const outcomes = { clean: 0, rejected: 0, unwritable: 0 };
  let slowest = 0;
  for (let it = 0; it < ITERATIONS; it++) {
    const [baseName, base] = bases[it % bases.length] ?? bases[0] ?? ["", new Uint8Array()];
    let bytes = base;
    const applied: Mutation[] = [];
    for (let k = rand() < 0.8 ? 1 : 2 + Math.floor(rand() * 2); k > 0; k--) {
      const kind = MUTATIONS[Math.floor(rand() * MUTATIONS.length)] ?? "bitflip";
      applied.push(kind);
      bytes = mutate(bytes, kind, rand);
    }
    const what = `iteration ${it} (${baseName}; ${applied.join("+")})`;
    const start = performance.now();
    let model: Model;
    try {
      model = readModel(bytes);
    } catch (e) {
      if (!(e instanceof TsquantError)) assert.fail(`${what}: readModel threw ${String(e)}`);
      outcomes.rejected++;
      slowest = Math.max(slowest, performance.now() - start);
      continue;
    }
    outcomes.clean++;
    let written: Uint8Array;
    try {
      written = writeModel(model);
    } catch (e) {
      if (!(e instanceof TsquantError)) assert.fail(`${what}: writeModel threw ${String(e)}`);
      outcomes.unwritable++;
      continue;
    }
    // A model the reader accepts is a model: it reads back the same and rewrites stably.
    const back = readModel(written);
    assert.deepEqual(back, model, what);
    assert.deepEqual(writeModel(back), written, what);
    slowest = Math.max(slowest, performance.now() - start);
  }
  console.log(`fuzz outcomes: ${JSON.stringify(outcomes)}; slowest case ${slowest.toFixed(1)} ms`);
  assert.equal(outcomes.clean + outcomes.rejected, ITERATIONS);
  // Both paths must be exercised for the test to mean anything.
  assert.ok(outcomes.clean > ITERATIONS / 20, `only ${outcomes.clean} clean models`);
  assert.ok(outcomes.rejected > ITERATIONS / 4, `only ${outcomes.rejected} rejections`);
  assert.ok(slowest < 1000, `slowest case took ${slowest} ms`);
});

/** Every mutable scalar of an IR model: a container and a key to overwrite. */
function slots(model: Model): [Record<string | number, unknown>, string | number][] {
  const out: [Record<string | number, unknown>, string | number][] = [];
  const record = (o: object): Record<string | number, unknown> =>
    o as Record<string | number, unknown>;
  const all = (arr: unknown[]): void => arr.forEach((_, i) => out.push([record(arr), i]));
  out.push([record(model), "version"]);
  for (const c of model.operatorCodes) out.push([record(c), "builtinCode"], [record(c), "version"]);
  for (const m of model.metadata ?? []) out.push([record(m), "buffer"]);
  for (const d of model.signatureDefs ?? []) {
    out.push([record(d), "subgraphIndex"]);
    for (const e of [...d.inputs, ...d.outputs]) out.push([record(e), "tensorIndex"]);
  }
  for (const sg of model.subgraphs) {
    all(sg.inputs);
    all(sg.outputs);
    for (const t of sg.tensors) {
      out.push([record(t), "buffer"], [record(t), "type"]);
      all(t.shape);
      if (t.quantization !== null) {
        out.push([record(t.quantization), "quantizedDimension"]);
        all(t.quantization.zeroPoint ?? []);
      }
    }
    for (const op of sg.operators) {
      out.push([record(op), "opcodeIndex"]);
      all(op.inputs);
      all(op.outputs);
      if (op.builtinOptions !== null) {
        for (const key of Object.keys(op.builtinOptions)) {
          if (key !== "type") out.push([record(op.builtinOptions), key]);
        }
      }
    }
  }
  return out;
}

/** Values outside every field's domain (wrong type, fractional, out of int32 range). */
const WEIRD: unknown[] = [-2, 2 ** 31, 2 ** 32, 2 ** 53, 1.5, NaN, "bogus", true];

/** A replacement for `current`: usually plausible for its type, sometimes outside any domain. */
function newValue(key: string | number, current: unknown, rand: () => number): unknown {
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(rand() * items.length)];
  if (rand() < 0.25) return pick(WEIRD);
  if (typeof current === "boolean") return !current;
  if (typeof current === "string") {
    if (key === "padding") return pick(PADDINGS);
    if (key === "fusedActivationFunction") return pick(ACTIVATIONS);
    return pick(TENSOR_TYPES);
  }
  const n = typeof current === "number" ? current : 0;
  return pick([n + 1, n - 1, 0, 1, 2, 3, -1, Math.floor(rand() * 30), 127, 2 ** 31 - 1]);
}

test("writer and reader agree on 2,000 models with random IR field values", () => {
  const rand = mulberry32(SEED + 1);
  const pick = <T>(items: readonly T[]): T | undefined => items[Math.floor(rand() * items.length)];
  const outcomes = { written: 0, refused: 0 };
  for (let it = 0; it < 2000; it++) {
    const model = finalizeModel(everyOpModel());
    const edits: string[] = [];
    for (let k = 1 + Math.floor(rand() * 2); k > 0; k--) {
      const slot = pick(slots(model));
      if (slot === undefined) continue;
      const value = newValue(slot[1], slot[0][slot[1]], rand);
      slot[0][slot[1]] = value;
      edits.push(`${String(slot[1])}=${String(value)}`);
    }
    const what = `IR iteration ${it} (${edits.join(", ")})`;
    let bytes: Uint8Array;
    try {
      bytes = writeModel(model);
    } catch (e) {
      if (!(e instanceof TsquantError)) assert.fail(`${what}: writeModel threw ${String(e)}`);
      outcomes.refused++;
      // The same IR serialized without checks must be refused by the reader, or read cleanly.
      let raw: Uint8Array | null = null;
      try {
        raw = serializeUnchecked(model);
      } catch {
        continue; // not even serializable (e.g. a fractional zero point)
      }
      try {
        readModel(raw);
      } catch (e2) {
        if (!(e2 instanceof TsquantError)) assert.fail(`${what}: readModel threw ${String(e2)}`);
      }
      continue;
    }
    // Whatever the writer accepts, the reader returns unchanged.
    outcomes.written++;
    assert.deepEqual(readModel(bytes), model, what);
  }
  console.log(`IR fuzz outcomes: ${JSON.stringify(outcomes)}`);
  assert.ok(outcomes.written > 200 && outcomes.refused > 200, JSON.stringify(outcomes));
});
