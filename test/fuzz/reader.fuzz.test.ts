// Fuzz test of the .tflite reader: mutate valid models (bit flips, truncation, splices, field
// values) with a seeded PRNG and check that every outcome is either a clean model — which must
// then write (or be refused with a TsquantError) and read back identically — or a TsquantError.
// Never another exception type, never a hang. Deterministic: same seed, same 12,000 cases.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { TsquantError } from "../../kernel/src/errors";
import type { Model } from "../../kernel/src/ir";
import { readModel } from "../../kernel/src/tflite/reader";
import { everyOpModel, floatDenseModel } from "../../kernel/src/tflite/testing";
import { finalizeModel } from "../../kernel/src/tflite/versions";
import { writeModel } from "../../kernel/src/tflite/writer";

const SEED = 0x7f1e;
const ITERATIONS = 12_000;

/** mulberry32: a small, fast, seedable PRNG; returns floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
