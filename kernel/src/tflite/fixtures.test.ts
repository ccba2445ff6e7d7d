// The reader/writer against files TensorFlow's own converter wrote (test/fixtures/models,
// produced by test/fixtures/make_fixtures.py): byte-for-byte stability, and op versions and
// min_runtime_version recomputed exactly as TF computed them.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { opName } from "../ir";
import { readModel } from "./reader";
import { summarizeModel } from "./summary";
import {
  MIN_RUNTIME_VERSION,
  finalizeModel,
  minRuntimeVersion,
  updateOpVersions,
} from "./versions";
import { writeModel } from "./writer";

const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..", "..");
const dir = join(root, "test", "fixtures", "models");
const files = existsSync(dir)
  ? readdirSync(dir)
      .filter((f) => f.endsWith(".tflite"))
      .sort()
  : [];

describe("TF-converted fixtures", () => {
  test("fixtures are present", (t) => {
    if (files.length === 0) t.skip(`no .tflite files under ${dir}`);
    else assert.ok(files.length >= 1);
  });

  for (const name of files) {
    describe(name, () => {
      const bytes = new Uint8Array(readFileSync(join(dir, name)));

      test("read then write is byte-identical", () => {
        const out = writeModel(readModel(bytes, { file: name }));
        assert.equal(out.length, bytes.length);
        assert.ok(Buffer.from(out).equals(Buffer.from(bytes)), "bytes differ");
      });

      test("with 16-byte data alignment: same IR, stable bytes", () => {
        const model = readModel(bytes);
        const aligned = writeModel(model, { dataAlignment: 16 });
        const back = readModel(aligned);
        assert.deepEqual(back, model);
        assert.deepEqual(writeModel(back), aligned);
      });

      test("op versions and min_runtime_version recomputed from scratch match TF's", () => {
        const model = readModel(bytes);
        const expected = model.operatorCodes.map((c) => `${opName(c.builtinCode)} v${c.version}`);
        const fresh = structuredClone(model);
        for (const c of fresh.operatorCodes) c.version = 1;
        updateOpVersions(fresh);
        assert.deepEqual(
          fresh.operatorCodes.map((c) => `${opName(c.builtinCode)} v${c.version}`),
          expected,
        );
        const entry = model.metadata?.find((m) => m.name === MIN_RUNTIME_VERSION);
        assert.ok(entry !== undefined);
        const stored = new TextDecoder()
          .decode(model.buffers[entry.buffer]?.data ?? new Uint8Array(0))
          .replace(/\0+$/, "");
        assert.equal(minRuntimeVersion(model), stored);
      });

      test("finalizeModel leaves a TF-finalized model byte-identical", () => {
        const model = finalizeModel(readModel(bytes));
        assert.ok(Buffer.from(writeModel(model)).equals(Buffer.from(bytes)));
      });

      test("summarizeModel names every operator and tensor", () => {
        const model = readModel(bytes);
        const text = summarizeModel(model);
        for (const c of model.operatorCodes) assert.ok(text.includes(opName(c.builtinCode)));
        for (const t of model.subgraphs[0]?.tensors ?? []) assert.ok(text.includes(`'${t.name}'`));
      });
    });
  }
});
