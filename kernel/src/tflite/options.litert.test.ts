// Options tables as LiteRT sees them (project .venv):
// - LiteRT's own generated Python schema unpacks a model holding every options table (each field
//   non-default) to the values the IR holds, and packing it again the way TF's converter does
//   gives exactly writeModel's bytes;
// - the runtime runs LEAKY_RELU and GATHER written by tsquant with the behaviour their options
//   imply (alpha 0.2, axis 1).
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, VENV_PYTHON, runLiteRT } from "../../../test/helpers/litert";
import { BuiltinOperator, dtypeCode } from "../ir";
import type { BuiltinOptions, BuiltinOptions2, Model } from "../ir";
import { optionsTableSpec } from "./options";
import { carriedFeaturesModel, everyOptionsModel } from "./options-samples";
import { GraphBuilder } from "./testing";
import { finalizeModel } from "./versions";
import { writeModel } from "./writer";

interface Dumped {
  type: number;
  options: Record<string, unknown> | null;
  type2: number;
  options2: Record<string, unknown> | null;
}

/** Runs test/helpers/tflite_repack.py on `bytes`: Python's repacked bytes and options dump. */
function repack(bytes: Uint8Array): { bytes: Uint8Array; ops: Dumped[] } {
  const dir = mkdtempSync(join(tmpdir(), "tsquant-repack-"));
  try {
    const src = join(dir, "in.tflite");
    writeFileSync(src, bytes);
    const script = join(REPO_ROOT, "test", "helpers", "tflite_repack.py");
    const run = spawnSync(
      VENV_PYTHON,
      [script, src, join(dir, "out.tflite"), join(dir, "ops.json")],
      {
        encoding: "utf8",
      },
    );
    assert.equal(run.status, 0, run.stderr);
    return {
      bytes: new Uint8Array(readFileSync(join(dir, "out.tflite"))),
      ops: JSON.parse(readFileSync(join(dir, "ops.json"), "utf8")) as Dumped[],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The IR value as Python's object API holds it (enums as their numbers, bools as bools). */
function pythonValue(kind: string, v: unknown): unknown {
  if (v === null) return null;
  switch (kind) {
    case "activation":
      return ["NONE", "RELU", "RELU_N1_TO_1", "RELU6", "TANH", "SIGN_BIT"].indexOf(v as string);
    case "padding":
      return v === "VALID" ? 1 : 0;
    case "dtype":
      return dtypeCode(v as never);
    case "[bool]":
      return (v as number[]).map((x) => x !== 0);
    default:
      return v;
  }
}

function assertSameFields(ir: BuiltinOptions | BuiltinOptions2, py: Record<string, unknown>) {
  assert.ok(ir.type !== "UnknownOptions");
  const spec = optionsTableSpec(ir.type);
  const values = ir as unknown as Record<string, unknown>;
  for (const f of spec.fields) {
    if (f === null) continue;
    const [name, kind] = f;
    const pyName = name === "projectionType" ? "type" : name;
    const expected = pythonValue(kind, values[name]);
    const actual = py[pyName];
    assert.deepEqual(actual, expected, `${ir.type}.${name}`);
  }
}

describe("every options table through LiteRT's Python schema", () => {
  const model = everyOptionsModel();
  const bytes = writeModel(model, { dataAlignment: 1 });
  const python = repack(bytes);

  test("Python reads every field of every table as the IR holds it", () => {
    const ops = model.subgraphs[0]?.operators ?? [];
    assert.equal(python.ops.length, ops.length);
    ops.forEach((op, k) => {
      const dumped = python.ops[k];
      assert.ok(dumped !== undefined);
      if (op.builtinOptions !== null) {
        assert.ok(dumped.options !== null, `op #${k}`);
        assertSameFields(op.builtinOptions, dumped.options);
      }
      if (op.builtinOptions2 !== undefined) {
        assert.ok(dumped.options2 !== null, `op #${k}`);
        assertSameFields(op.builtinOptions2, dumped.options2);
      }
    });
  });

  test("packing it again as TF's converter does gives writeModel's bytes exactly", () => {
    assert.equal(python.bytes.length, bytes.length);
    assert.ok(Buffer.from(python.bytes).equals(Buffer.from(bytes)), "bytes differ");
  });
});

test("carried features (quantization details, debug indices, …): TF's packer gives the same bytes", () => {
  const bytes = writeModel(carriedFeaturesModel(), { dataAlignment: 1 });
  const python = repack(bytes);
  assert.ok(Buffer.from(python.bytes).equals(Buffer.from(bytes)), "bytes differ");
});

function oneOp(
  op: keyof typeof BuiltinOperator,
  options: BuiltinOptions,
  build: (g: GraphBuilder) => [number[], number],
): Model {
  const g = new GraphBuilder();
  const [ins, out] = build(g);
  g.op(BuiltinOperator[op], ins, [out], options);
  return finalizeModel(g.io([ins[0] ?? 0], [out]).build());
}

describe("newly modelled options run in LiteRT as their fields say", () => {
  test("LEAKY_RELU with alpha 0.2", async () => {
    const model = oneOp("LEAKY_RELU", { type: "LeakyReluOptions", alpha: 0.2 }, (g) => [
      [g.tensor("x", "float32", [1, 6])],
      g.tensor("y", "float32", [1, 6]),
    ]);
    const x = Float32Array.of(-5, -1, -0.5, 0, 1, 3);
    const result = await runLiteRT(
      writeModel(model),
      [{ data: x, shape: [1, 6], dtype: "float32" }],
      {
        resolver: "ref",
      },
    );
    const y = result.outputs[0]?.data;
    assert.ok(y instanceof Float32Array);
    assert.deepEqual(
      Array.from(y),
      Array.from(x, (v) => (v < 0 ? Math.fround(Math.fround(0.2) * v) : v)),
    );
  });

  test("GATHER along axis 1", async () => {
    const model = oneOp("GATHER", { type: "GatherOptions", axis: 1, batchDims: 0 }, (g) => [
      [
        g.tensor("params", "float32", [2, 4]),
        g.tensor("indices", "int32", [3], { data: Int32Array.of(3, 0, 3) }),
      ],
      g.tensor("y", "float32", [2, 3]),
    ]);
    const params = Float32Array.of(0, 1, 2, 3, 10, 11, 12, 13);
    const result = await runLiteRT(
      writeModel(model),
      [{ data: params, shape: [2, 4], dtype: "float32" }],
      { resolver: "ref" },
    );
    const y = result.outputs[0];
    assert.ok(y !== undefined);
    assert.deepEqual(y.shape, [2, 3]);
    assert.ok(y.data instanceof Float32Array);
    assert.deepEqual(Array.from(y.data), [3, 0, 3, 13, 10, 13]);
  });
});
