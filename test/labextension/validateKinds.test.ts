// The "model", "qparams" and "calibration" payload kinds: what the kernel builds (from a fixture
// model, real parameters and a real calibration) passes the extension's validator after a JSON
// round trip, and each malformed variant is refused with the bad field's path.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { validatePayload } from "../../labextension/src/validate";
import { calibrationPayload, modelPayload, qparamsPayload } from "../../kernel/src/display/bundles";
import { readModel } from "../../kernel/src/tflite/reader";
import { chooseQuantParams } from "../../kernel/src/quant/params";
import { calibrate } from "../../kernel/src/calib/calibrate";
import { FIXTURES_DIR } from "../helpers/fixtures";

type Json = Record<string, unknown>;

function roundTrip(p: unknown): Json {
  return JSON.parse(JSON.stringify(p)) as Json;
}

function errorOf(data: unknown): string {
  const v = validatePayload(data);
  assert.equal(v.ok, false, "expected the payload to be refused");
  return v.ok ? "" : v.error;
}

function modelBytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES_DIR, "models", `${name}.tflite`)));
}

describe("validatePayload: model", () => {
  const model = roundTrip(modelPayload(readModel(modelBytes("cnn_int8_only_uint8_io"))));

  test("the kernel's payload of a fixture model is accepted unchanged", () => {
    const v = validatePayload(model);
    assert.ok(v.ok, v.ok ? "" : v.error);
    assert.deepEqual(roundTrip(v.payload), model);
  });

  test("malformed: bad op reference, tensor field, quantization, totals", () => {
    const ops = model["ops"] as Json[];
    const badRef = { ...model, ops: [{ ...ops[0], inputs: [999] }] };
    assert.match(
      errorOf(badRef),
      /payload\.ops\[0\]\.inputs\[0\]: expected the index of a tensor in payload\.tensors, found 999/,
    );
    const tensors = model["tensors"] as Json[];
    const badShape = {
      ...model,
      tensors: [{ ...tensors[0], shape: [1, "28"] }, ...tensors.slice(1)],
    };
    assert.match(
      errorOf(badShape),
      /payload\.tensors\[0\]\.shape\[1\]: expected a finite number, found "28"/,
    );
    const badBytes = { ...model, tensors: [{ ...tensors[0], bytes: -4 }, ...tensors.slice(1)] };
    assert.match(
      errorOf(badBytes),
      /payload\.tensors\[0\]\.bytes: expected an integer >= 0, found -4/,
    );
    const badQ = {
      ...model,
      tensors: [{ ...tensors[0], quantization: { scale: 0.1 } }, ...tensors.slice(1)],
    };
    assert.match(
      errorOf(badQ),
      /payload\.tensors\[0\]\.quantization\.zeroPoint: expected a finite number/,
    );
    const noTotals = { ...model, totals: undefined };
    assert.match(errorOf(noTotals), /payload\.totals: expected an object, found undefined/);
    const badOutput = { ...model, outputs: [-7] };
    assert.match(errorOf(badOutput), /payload\.outputs\[0\]: expected an integer >= -1, found -7/);
  });
});

describe("validatePayload: qparams", () => {
  const perTensor = roundTrip(qparamsPayload(chooseQuantParams(-1, 3)));
  const perChannel = roundTrip(
    qparamsPayload(
      {
        scale: [0.01, 0.02, 0.04],
        zeroPoint: [0, 0, 0],
        axis: 0,
        format: chooseQuantParams(0, 1).format,
      },
      "conv weights",
      "conv/w",
    ),
  );

  test("per-tensor and per-channel payloads are accepted", () => {
    for (const p of [perTensor, perChannel]) {
      const v = validatePayload(p);
      assert.ok(v.ok, v.ok ? "" : v.error);
      assert.deepEqual(roundTrip(v.payload), p);
    }
  });

  test("malformed: scales, zero points, axis, format", () => {
    assert.match(
      errorOf({ ...perChannel, scales: [0.01, 0, 0.04] }),
      /payload\.scales\[1\]: expected a scale > 0, found 0/,
    );
    assert.match(
      errorOf({ ...perChannel, zeroPoints: [0, 0] }),
      /payload\.zeroPoints: expected 3 integers, found "2 numbers"/,
    );
    assert.match(
      errorOf({ ...perChannel, zeroPoints: [0, 0.5, 0] }),
      /payload\.zeroPoints\[1\]: expected an integer, found 0\.5/,
    );
    assert.match(
      errorOf({ ...perTensor, scales: [0.1, 0.2], zeroPoints: [0, 0], channels: 2 }),
      /payload\.scales: expected one scale when axis is null \(per-tensor\), found "2 scales"/,
    );
    assert.match(
      errorOf({ ...perTensor, qmax: -128 }),
      /payload\.qmax: expected > qmin \(-128\), found -128/,
    );
    assert.match(
      errorOf({ ...perChannel, channels: 2 }),
      /payload\.channels: expected >= the number of scales \(3\), found 2/,
    );
    assert.match(
      errorOf({ ...perChannel, axis: -1 }),
      /payload\.axis: expected an integer >= 0, found -1/,
    );
  });
});

describe("validatePayload: calibration", () => {
  test("a real calibration's payload is accepted; malformed tensors are refused", async () => {
    const samples = [0, 1].map((k) => [
      Float32Array.from({ length: 784 }, (_, i) => ((i * 5 + k * 11) % 256) / 255),
    ]);
    const result = await calibrate(modelBytes("cnn_float32"), samples);
    const p = roundTrip(calibrationPayload(result));
    const v = validatePayload(p);
    assert.ok(v.ok, v.ok ? "" : v.error);
    assert.deepEqual(roundTrip(v.payload), p);
    const tensors = p["tensors"] as Json[];
    assert.ok(tensors.length > 0);
    const inverted = { ...p, tensors: [{ ...tensors[0], rangeMin: 1, rangeMax: 0 }] };
    assert.match(
      errorOf(inverted),
      /payload\.tensors\[0\]\.rangeMax: expected >= rangeMin \(1\), found 0/,
    );
    const noScale = { ...p, tensors: [{ ...tensors[0], scale: -1 }] };
    assert.match(errorOf(noScale), /payload\.tensors\[0\]\.scale: expected a number > 0, found -1/);
    assert.match(
      errorOf({ ...p, samples: 1.5 }),
      /payload\.samples: expected an integer >= 0, found 1\.5/,
    );
  });
});
