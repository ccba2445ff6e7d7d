// The writer lays bytes out exactly as the Python object API that ends TF's converter does:
// hand-built models covering features the TF fixtures lack (custom ops, intermediates,
// shape signatures, calibration min/max, two subgraphs, non-default options, absent vs empty
// fields) are unpacked and repacked by ai_edge_litert's flatbuffer_utils (project .venv) and
// must come back byte-identical.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VENV_PYTHON, liteRTAvailable } from "../../../test/helpers/litert";
import type { Model } from "../ir";
import { everyOpModel, floatDenseModel } from "./testing";
import { finalizeModel } from "./versions";
import { writeModel } from "./writer";

const REPACK = `
import sys
from ai_edge_litert.tools import flatbuffer_utils as fu
for path in sys.argv[1:]:
    with open(path, "rb") as f:
        model = fu.convert_bytearray_to_object(bytearray(f.read()))
    with open(path + ".repacked", "wb") as f:
        f.write(bytes(fu.convert_object_to_bytearray(model)))
`;

function variants(): [string, Model][] {
  const custom = floatDenseModel();
  custom.operatorCodes.push({ builtinCode: 32, customCode: "TsquantTestOp", version: 2 });
  const sg = custom.subgraphs[0];
  const op = sg?.operators[1];
  assert.ok(sg !== undefined && op !== undefined);
  op.opcodeIndex = 2;
  op.builtinOptions = null;
  op.customOptions = Uint8Array.of(1, 2, 3, 250);
  op.intermediates = [3];
  const t = sg.tensors[0];
  assert.ok(t !== undefined);
  t.shapeSignature = [-1, 8];
  t.quantization = {
    min: [-1.5],
    max: [2.25],
    scale: null,
    zeroPoint: null,
    quantizedDimension: 0,
  };
  custom.subgraphs.push({ ...structuredClone(sg), name: null });
  custom.description = null;
  custom.signatureDefs = [];
  return [
    ["everyOp, finalized", finalizeModel(everyOpModel())],
    ["custom op, intermediates, min/max, two subgraphs", custom],
  ];
}

test("hand-built models are laid out as TF's Python packing lays them out", (t) => {
  if (!liteRTAvailable()) {
    t.skip(`${VENV_PYTHON} not found`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "tsquant-pack-"));
  try {
    const cases = variants().map(([name, model], i) => {
      const path = join(dir, `model_${i}.tflite`);
      const bytes = writeModel(model, { dataAlignment: 1 });
      writeFileSync(path, bytes);
      return { name, path, bytes };
    });
    const r = spawnSync(VENV_PYTHON, ["-c", REPACK, ...cases.map((c) => c.path)], {
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    for (const c of cases) {
      const repacked = new Uint8Array(readFileSync(`${c.path}.repacked`));
      assert.ok(Buffer.from(repacked).equals(Buffer.from(c.bytes)), `${c.name}: bytes differ`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
