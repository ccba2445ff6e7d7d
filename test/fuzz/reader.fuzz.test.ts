// Fuzz tests of the .tflite reader and the interpreter, deterministic (seeded PRNGs).
// 1. Reader: mutate valid models (bit flips, truncation, splices, field values); every outcome
//    is either a clean model — which must then write (or be refused with a TsquantError) and
//    read back identically — or a TsquantError. Same seed, same 12,000 cases.
// 2. Writer/reader agreement on 2,000 IR models with random field values.
// 3. Pipeline: read → allocateTensors → set inputs (zeros or random) → invoke → read outputs, on
//    mutated TF-made fixtures and tsquant's every-op model (IR mutations: huge/zero dimensions,
//    ranks, constant shape/paddings/begin/end operands, buffer indices and data sizes, tensor /
//    opcode / subgraph indices, option values, dtypes; byte mutations; random bytes). Every case
//    ends clean or with a TsquantError, in under 1 s (measured per case; a slow case is re-run
//    once and the faster time counts). The cases run in a worker thread that is terminated when
//    one runs past 10 s, so a hang fails the test instead of blocking the suite.
//    TSQUANT_FUZZ_CASES=<n> runs n pipeline cases instead of 3,000 (e.g. 100000 for a long
//    run); TSQUANT_FUZZ_SEED=<n> picks another seed. A failure names its case number, which
//    `makeCase(loadBases(root), seed, case)` (cases.ts) turns back into the same bytes.
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
import { runFuzzCases } from "./harness";
import type { CaseResult } from "./harness";
import { BYTE_MUTATIONS, mutateBytes } from "./mutations";
import type { ByteMutation } from "./mutations";

const SEED = 0x7f1e;
const ITERATIONS = 12_000;
const ROOT = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..");

function seeds(): [string, Uint8Array][] {
  const withMetadata = finalizeModel(everyOpModel());
  const list: [string, Uint8Array][] = [
    ["everyOp (aligned 16)", writeModel(withMetadata)],
    ["everyOp (aligned 1)", writeModel(withMetadata, { dataAlignment: 1 })],
    ["floatDense", writeModel(floatDenseModel())],
  ];
  const root = ROOT;
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
    const applied: ByteMutation[] = [];
    for (let k = rand() < 0.8 ? 1 : 2 + Math.floor(rand() * 2); k > 0; k--) {
      const kind = BYTE_MUTATIONS[Math.floor(rand() * BYTE_MUTATIONS.length)] ?? "bitflip";
      applied.push(kind);
      bytes = mutateBytes(bytes, kind, rand);
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

const PIPELINE_CASES = Number(process.env.TSQUANT_FUZZ_CASES ?? 3000);
const PIPELINE_SEED = Number(process.env.TSQUANT_FUZZ_SEED ?? 1);
/** Most a case may take, read to invoke (the mutated files are at most ~100 kB). */
const CASE_LIMIT_MS = 1000;

test(`${PIPELINE_CASES} mutated models read, allocate and invoke, or fail typed, each in < 1 s`, async () => {
  assert.ok(Number.isInteger(PIPELINE_CASES) && PIPELINE_CASES > 0, "TSQUANT_FUZZ_CASES");
  const results = await runFuzzCases({
    root: ROOT,
    seed: PIPELINE_SEED,
    count: PIPELINE_CASES,
    slowMs: CASE_LIMIT_MS,
    hangMs: 10 * CASE_LIMIT_MS,
  });
  assert.equal(results.length, PIPELINE_CASES);
  const label = (r: CaseResult): string => `case ${r.c} (${r.what}, ${r.bytes} bytes)`;
  const failures: string[] = [];
  const outcomes = new Map<string, number>();
  for (const r of results) {
    const o = r.outcome;
    const key = o.kind === "rejected" ? `${o.stage}: ${o.error}` : o.kind;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    if (o.kind === "untyped") failures.push(`${label(r)}: ${o.stage} threw ${o.error}`);
    else if (o.kind === "hang") failures.push(`${label(r)}: still running after ${r.ms} ms`);
    else if (r.ms > CASE_LIMIT_MS) failures.push(`${label(r)}: took ${r.ms.toFixed(0)} ms`);
  }
  const slowest = results.reduce((a, b) => (b.ms > a.ms ? b : a));
  console.log(
    `pipeline fuzz (seed ${PIPELINE_SEED}): ${JSON.stringify(Object.fromEntries(outcomes))}; ` +
      `slowest ${label(slowest)} ${slowest.ms.toFixed(1)} ms`,
  );
  assert.deepEqual(failures, []);
  // Every stage must be exercised for the test to mean anything.
  const count = (key: string): number => outcomes.get(key) ?? 0;
  const rejectedAt = (stage: string): number =>
    [...outcomes].reduce((n, [k, v]) => (k.startsWith(`${stage}: `) ? n + v : n), 0);
  assert.ok(count("clean") > PIPELINE_CASES / 10, `only ${count("clean")} clean cases`);
  assert.ok(rejectedAt("read") > PIPELINE_CASES / 4, `only ${rejectedAt("read")} refused at read`);
  assert.ok(rejectedAt("allocate") > PIPELINE_CASES / 20, "too few refused at allocateTensors");
  assert.ok(count("allocate: ModelFormatError") > 0, "no case reached an allocation limit");
});
