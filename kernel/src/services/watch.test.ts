// calibrate()'s progress and interrupt hooks (watchDataset): one live output with ~20 updates in
// a cell, the same ranges as without it, and an aborted signal stops calibration between samples
// with InterruptedError — for an array, a generator and an async generator.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { calibrate } from "../calib/calibrate";
import { InterruptedError, nextCellSignal, runInCell } from "./context";
import { TSQUANT_MIME } from "../display/payload";

const root = join(__dirname, "..", "..", "..");
const model = new Uint8Array(
  readFileSync(join(root, "test", "fixtures", "models", "cnn_float32.tflite")),
);

function sample(k: number): Float32Array[] {
  return [Float32Array.from({ length: 784 }, (_, i) => ((i * 7 + k * 13) % 256) / 255)];
}

describe("calibrate: progress and interrupts", () => {
  test("in a cell: one progress output, at most ~20 updates, same ranges as without it", async () => {
    const samples = Array.from({ length: 100 }, (_, k) => sample(k));
    const sent: [string, Record<string, unknown>][] = [];
    const cell = {
      executionCount: 1,
      signal: nextCellSignal(),
      publish: (t: string, c: Record<string, unknown>) => sent.push([t, c]),
    };
    const shown = await runInCell(cell, () => calibrate(model, samples));
    const quiet = await calibrate(model, samples, { progress: false });
    assert.deepEqual(
      shown.tensors.map((t) => [t.name, t.range, t.qparams.scale]),
      quiet.tensors.map((t) => [t.name, t.range, t.qparams.scale]),
    );
    assert.equal(sent[0]?.[0], "display_data");
    assert.ok(sent.slice(1).every(([t]) => t === "update_display_data"));
    assert.ok(sent.length >= 2 && sent.length <= 22, `${sent.length} messages`);
    const last = (sent[sent.length - 1]?.[1]["data"] as Record<string, unknown>)[TSQUANT_MIME];
    assert.deepEqual(
      [(last as { task: string }).task, (last as { status: string }).status],
      ["calibration", "done"],
    );
  });

  test("an aborted signal stops it between samples: array, generator, async generator", async () => {
    for (const kind of ["array", "generator", "async"] as const) {
      const controller = new AbortController();
      let fed = 0;
      const next = (k: number): Float32Array[] => {
        fed++;
        if (k === 30) controller.abort(new InterruptedError());
        return sample(k);
      };
      const n = 200;
      const dataset =
        kind === "array"
          ? Array.from({ length: n }, (_, k) => sample(k)).map((s, k) => (k === 30 ? next(k) : s))
          : kind === "generator"
            ? function* () {
                for (let k = 0; k < n; k++) yield next(k);
              }
            : async function* () {
                for (let k = 0; k < n; k++) yield next(k);
              };
      if (kind === "array") controller.abort(new InterruptedError());
      await assert.rejects(
        calibrate(model, dataset, { signal: controller.signal, chunkSize: 8 }),
        InterruptedError,
        kind,
      );
      if (kind !== "array") assert.ok(fed <= 32, `${kind}: ${fed} samples read`);
    }
  });
});
