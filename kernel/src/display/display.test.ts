import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readModel } from "../tflite/reader";
import { chooseQuantParams } from "../quant/params";
import { type CellContext, nextCellSignal, runInCell } from "../services/context";
import {
  calibrationBundle,
  comparisonBundle,
  layerErrorsBundle,
  modelBundle,
  modelPayload,
  qparamsPayload,
  quantParamsBundle,
  rangeBundle,
  rebinHistogram,
  MAX_RANGE_BINS,
} from "./bundles";
import { DISPLAY_SYMBOL, display, displayable, mimeBundle } from "./display";
import { escapeHtml, htmlTable, textTable } from "./html";
import { PAYLOAD_KINDS, type RangePayload, TSQUANT_MIME } from "./payload";
import { Progress } from "../services/progress";
import { type CalibrationResult, calibrate } from "../calib/calibrate";

const EVIL = `<img src=x onerror="alert('x')">&`;
const root = join(__dirname, "..", "..", "..");

function range(name = "conv/out"): RangePayload {
  return {
    kind: "range",
    tensor: name,
    histogram: { min: -1, max: 3, counts: [1, 2, 3, 4] },
    range: { min: -1, max: 3 },
    bits: 8,
    symmetric: false,
    narrowRange: false,
    methods: [{ method: "percentile", min: -0.5, max: 2.5, label: "percentile 99.9" }],
  };
}

/** A real calibration of the float CNN on three images (input shape [1, 28, 28]). */
async function calibrationOfCnn(): Promise<CalibrationResult> {
  const bytes = readFileSync(join(root, "test", "fixtures", "models", "cnn_float32.tflite"));
  const samples = [0, 1, 2].map((k) => [
    Float32Array.from({ length: 784 }, (_, i) => ((i * 7 + k * 13) % 256) / 255),
  ]);
  return calibrate(new Uint8Array(bytes), samples);
}

/** A cell whose published messages are recorded. */
function recordingCell(): { cell: CellContext; sent: [string, Record<string, unknown>][] } {
  const sent: [string, Record<string, unknown>][] = [];
  return {
    sent,
    cell: { executionCount: 1, signal: nextCellSignal(), publish: (t, c) => sent.push([t, c]) },
  };
}

describe("html fallbacks", () => {
  test("escapeHtml neutralises markup and attribute quotes", () => {
    assert.equal(escapeHtml(EVIL), "&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;");
  });

  test("tables escape every text cell and the caption", () => {
    const html = htmlTable([EVIL], [[EVIL, 1.5]], EVIL);
    assert.ok(!html.includes("<img"), html);
    assert.ok(html.includes("&lt;img"));
  });

  test("text tables pad columns and right-align numbers", () => {
    // widths: "name" vs "conv" = 4; "mse" vs "0.25"/"12" = 4.
    assert.equal(
      textTable(
        ["name", "mse"],
        [
          ["conv", 0.25],
          ["fc", 12],
        ],
      ),
      "name   mse\n----  ----\nconv  0.25\nfc      12",
    );
  });
});

describe("bundles of tsquant objects", () => {
  test("a model shows its ops and tensors; names are escaped", () => {
    const bytes = readFileSync(join(root, "test", "fixtures", "models", "cnn_int8.tflite"));
    const model = readModel(new Uint8Array(bytes));
    const first = model.subgraphs[0]?.tensors[0];
    assert.ok(first !== undefined);
    first.name = EVIL;
    const b = modelBundle(model);
    assert.match(b["text/plain"] ?? "", /^Model: schema v3/);
    const html = b["text/html"] ?? "";
    assert.ok(html.includes("CONV_2D") && html.includes("FULLY_CONNECTED"), "op names");
    assert.ok(html.includes("int8"), "dtypes");
    assert.ok(!html.includes("<img"), "escaped tensor name");
    const payload = b[TSQUANT_MIME];
    assert.ok(payload?.kind === "model");
    // cnn_int8: QUANTIZE RESHAPE CONV_2D MAX_POOL_2D RESHAPE FULLY_CONNECTED DEQUANTIZE.
    assert.deepEqual(
      payload.ops.map((o) => o.op),
      ["QUANTIZE", "RESHAPE", "CONV_2D", "MAX_POOL_2D", "RESHAPE", "FULLY_CONNECTED", "DEQUANTIZE"],
    );
    assert.equal(payload.note, undefined);
    const conv = payload.ops[2];
    assert.ok(conv !== undefined);
    const byIndex = new Map(payload.tensors.map((t) => [t.index, t]));
    const weights = byIndex.get(conv.inputs[1] ?? -1);
    assert.equal(weights?.dtype, "int8");
    assert.equal(weights?.constant, true);
    // Per-channel conv weights: one scale per output channel (axis 0), symmetric (zero point 0).
    assert.equal(weights?.quantization?.axis, 0);
    assert.equal(weights?.quantization?.channels, weights?.shape[0]);
    assert.equal(weights?.quantization?.zeroPoint, 0);
    assert.equal(weights?.quantization?.zeroPointMax, 0);
    assert.equal(
      weights?.bytes,
      weights?.shape.reduce((a, d) => a * d, 1),
    );
    const input = byIndex.get(payload.inputs[0] ?? -1);
    assert.equal(input?.dtype, "float32");
    assert.equal(input?.quantization, null);
    assert.equal(input?.bytes, 4 * 28 * 28);
    assert.equal(
      payload.totals.constantBytes,
      model.buffers.reduce((n, x) => n + (x.data?.length ?? 0), 0),
    );
  });

  test("a 100-op model's payload stays under 100 kB; a bigger one is cut with a note", () => {
    const bytes = readFileSync(join(root, "test", "fixtures", "models", "everyop_int8.tflite"));
    const model = readModel(new Uint8Array(bytes));
    const sg = model.subgraphs[0];
    assert.ok(sg !== undefined);
    // Repeat the op list to 100 and 600 ops, each copy with tensors of its own and long names
    // (the payload does not check the graph's semantics).
    const ops = sg.operators;
    const tensors = sg.tensors;
    for (const [target, cut] of [
      [100, false],
      [600, true],
    ] as const) {
      sg.tensors = [];
      sg.operators = [];
      for (let k = 0; k < target; k++) {
        const op = ops[k % ops.length];
        assert.ok(op !== undefined);
        const copy = (i: number): number => {
          const t = tensors[i];
          if (i < 0 || t === undefined) return -1;
          sg.tensors.push({ ...t, name: `model/block_${k}/${t.name}` });
          return sg.tensors.length - 1;
        };
        sg.operators.push({ ...op, inputs: op.inputs.map(copy), outputs: op.outputs.map(copy) });
      }
      const p = modelPayload(model);
      const size = JSON.stringify(p).length;
      assert.ok(size < 100_000, `${target} ops: ${size} characters`);
      assert.equal(p.totals.ops, target);
      if (cut) {
        assert.ok(p.ops.length < target);
        assert.match(
          p.note ?? "",
          new RegExp(`showing the first ${p.ops.length} of ${target} ops`),
        );
      } else {
        assert.equal(p.ops.length, target);
      }
      for (const op of p.ops)
        for (const i of [...op.inputs, ...op.outputs])
          assert.ok(i < 0 || p.tensors.some((t) => t.index === i), `tensor #${i} listed`);
    }
  });

  test("quantization parameters: per-tensor with its representable range, per-axis per channel", () => {
    // [-1, 1] int8: scale = 2/255, zeroPoint = round(-128 - (-1)/scale) = round(-0.5) → -1 (TF
    // rounds half away from zero... here -128 + 127.5 = -0.5 → -1); range = scale·(q − zp).
    const p = chooseQuantParams(-1, 1);
    const b = quantParamsBundle(p);
    assert.match(b["text/plain"] ?? "", /scale=0\.007843 zeroPoint=-1 range \[-0\.9961, 1\.004\]/);
    const perAxis = quantParamsBundle({
      scale: [0.5, 0.25],
      zeroPoint: [0, 0],
      axis: 0,
      format: p.format,
    });
    assert.match(perAxis["text/plain"] ?? "", /per-axis \(axis 0, 2 channels\)/);
    assert.deepEqual(b[TSQUANT_MIME], {
      kind: "qparams",
      bits: 8,
      signed: true,
      narrowRange: false,
      qmin: -128,
      qmax: 127,
      axis: null,
      scales: [p.scale],
      zeroPoints: [-1],
      channels: 1,
    });
    const q = perAxis[TSQUANT_MIME];
    assert.ok(q?.kind === "qparams");
    assert.deepEqual([q.axis, q.scales, q.zeroPoints, q.channels], [0, [0.5, 0.25], [0, 0], 2]);
  });

  test("every displayable tsquant object gives the payload, HTML and text", async () => {
    const bytes = readFileSync(join(root, "test", "fixtures", "models", "cnn_int8.tflite"));
    const model = readModel(new Uint8Array(bytes));
    const p = chooseQuantParams(-1, 1);
    const perAxis = { scale: [0.5, 0.25], zeroPoint: [0, 0], axis: 0, format: p.format };
    const weights = {
      kind: "weights" as const,
      layer: "conv",
      tensor: "conv/w",
      axis: 0,
      channelMin: [-1, -0.5],
      channelMax: [1, 0.25],
      tensorMin: -1,
      tensorMax: 1,
    };
    const calibration = await calibrationOfCnn();
    const progress = new Progress({
      total: 10,
      task: "evaluation",
      jupyter: false,
      output: { write: () => true },
    });
    const values: [string, unknown][] = [
      ["model", model],
      ["model payload", modelPayload(model)],
      ["per-tensor qparams", p],
      ["per-axis qparams", perAxis],
      ["qparams payload", qparamsPayload(perAxis)],
      ["range payload", range()],
      ["calibrated tensor", calibration.tensors.find((t) => !t.constant)],
      ["calibration result", calibration],
      ["weights payload", weights],
      ["progress", progress],
      ["table payload", comparisonBundle({ rows: [] })[TSQUANT_MIME]],
      ["error payload", layerErrorsBundle({ layers: [] })[TSQUANT_MIME]],
    ];
    for (const [what, value] of values) {
      const b = await mimeBundle(value);
      assert.equal(typeof b["text/plain"], "string", `${what}: text/plain`);
      assert.equal(typeof b["text/html"], "string", `${what}: text/html`);
      const payload = b[TSQUANT_MIME];
      assert.ok(typeof payload === "object" && payload !== null, `${what}: ${TSQUANT_MIME}`);
      assert.ok(PAYLOAD_KINDS.includes(payload.kind), `${what}: kind ${payload.kind}`);
    }
  });

  test("range, comparison and per-layer error bundles carry their payloads", () => {
    const r = rangeBundle(range(EVIL));
    assert.deepEqual(r[TSQUANT_MIME], range(EVIL));
    assert.ok(!(r["text/html"] ?? "").includes("<img"));
    assert.match(r["text/plain"] ?? "", /10 values in 4 bins/);

    const t = comparisonBundle({
      rows: [
        {
          variant: "float32",
          accuracy: 0.99,
          sizeBytes: 400,
          latencyMs: 1,
          inputType: "float32",
          outputType: "float32",
        },
        {
          variant: "int8",
          accuracy: 0.985,
          sizeBytes: 100,
          latencyMs: null,
          inputType: "int8",
          outputType: "int8",
        },
      ],
    });
    // Δ = 0.985 − 0.99 = −0.5 pp; compression = 400 / 100 = 4.00×.
    assert.equal(t[TSQUANT_MIME]?.kind, "table");
    assert.match(t["text/plain"] ?? "", /int8 +98\.50% +-0\.50 pp +100 +4\.00×/);

    const e = layerErrorsBundle({
      layers: [{ index: 0, name: "conv", op: "CONV_2D", sqnr: 30.5, mse: 0.001 }],
    });
    assert.equal(e[TSQUANT_MIME]?.kind, "error");
    assert.match(e["text/plain"] ?? "", /conv +CONV_2D +30\.5 +0\.001/);
  });

  test("calibration results list every tensor's range and parameters", () => {
    const p = chooseQuantParams(0, 6);
    const result: CalibrationResult = {
      method: "minmax",
      samples: 3,
      tensors: [
        {
          index: 2,
          name: "relu",
          shape: [1, 4],
          constant: false,
          min: 0,
          max: 6,
          range: { min: 0, max: 6 },
          qparams: p,
          count: 12,
          histogram: null,
        },
      ],
      get: () => undefined,
    };
    const b = calibrationBundle(result);
    assert.match(b["text/plain"] ?? "", /method minmax, 3 sample\(s\), 1 tensor\(s\)/);
    assert.match(b["text/plain"] ?? "", /relu +\[1, 4\] +activation/);
  });
});

describe("mimeBundle and display", () => {
  test("the Jupyter.display method wins, sync or async", async () => {
    class Shown {
      [Symbol.for("Jupyter.display")]() {
        return { "text/plain": "shown", "text/html": "<b>shown</b>" };
      }
    }
    assert.deepEqual(await mimeBundle(new Shown()), {
      "text/plain": "shown",
      "text/html": "<b>shown</b>",
    });
    const later = { [DISPLAY_SYMBOL]: async () => ({ "text/plain": "later" }) };
    assert.deepEqual(await mimeBundle(later), { "text/plain": "later" });
    await assert.rejects(
      mimeBundle({ [DISPLAY_SYMBOL]: () => "not a bundle" }),
      /must return a MIME bundle/,
    );
  });

  test("tsquant plain objects are recognised; anything else is util.inspect text", async () => {
    assert.equal((await mimeBundle(range()))[TSQUANT_MIME]?.kind, "range");
    assert.match((await mimeBundle(chooseQuantParams(-1, 1)))["text/plain"] ?? "", /zeroPoint=-1/);
    assert.deepEqual(await mimeBundle({ a: 1 }), { "text/plain": "{ a: 1 }" });
    assert.deepEqual(await mimeBundle("text"), { "text/plain": "'text'" });
    assert.deepEqual(await mimeBundle(displayable({ "text/plain": "x" })), { "text/plain": "x" });
  });

  test("display publishes display_data in a cell (with a display id and updates)", async () => {
    const { cell, sent } = recordingCell();
    await runInCell(cell, async () => {
      await display(range(), { displayId: "d1" });
      await display({ "text/plain": "v2" }, { raw: true, displayId: "d1", update: true });
    });
    assert.equal(sent.length, 2);
    assert.equal(sent[0]?.[0], "display_data");
    assert.deepEqual(sent[0]?.[1]["transient"], { display_id: "d1" });
    assert.equal(sent[1]?.[0], "update_display_data");
    assert.deepEqual(sent[1]?.[1]["data"], { "text/plain": "v2" });
    await assert.rejects(
      runInCell(cell, () => display(1, { update: true })),
      /needs a displayId/,
    );
  });
});

describe("rebinHistogram", () => {
  test("merges runs of k bins, keeping the total and uniform bins", () => {
    // 10 bins over [0, 10) (w = 1), at most 4 bins: least k = ceil(10/4) = 3 does not divide 10,
    // 4 does not either (and 4 < 2·3), 5 does → k = 5: bins [0,5) and [5,10], max unchanged.
    const h = { min: 0, max: 10, counts: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] };
    assert.deepEqual(rebinHistogram(h, 4), { min: 0, max: 10, counts: [15, 40] });
  });
  test("no divisor below 2·least: pads the last bin and extends max by whole original bins", () => {
    // 7 bins (prime), at most 3: least k = 3; 3, 4, 5 don't divide 7 → k = 3, ceil(7/3) = 3 bins
    // covering 9 original bins of width 1: max = 0 + 9 = 9.
    const h = { min: 0, max: 7, counts: [1, 1, 1, 1, 1, 1, 1] };
    assert.deepEqual(rebinHistogram(h, 3), { min: 0, max: 9, counts: [3, 3, 1] });
  });
  test("a small histogram is returned as is; rangeBundle caps a million bins", () => {
    const h = { min: -1, max: 1, counts: [1, 2] };
    assert.equal(rebinHistogram(h), h);
    const counts = Array.from({ length: 1_000_000 }, (_, i) => i % 3);
    const bundle = rangeBundle({
      kind: "range",
      tensor: "t",
      histogram: { min: -1, max: 1, counts },
      range: { min: -1, max: 1 },
      bits: 8,
      symmetric: false,
      narrowRange: false,
      methods: [],
    });
    const p = bundle[TSQUANT_MIME];
    assert.ok(p?.kind === "range");
    assert.ok(p.histogram.counts.length <= MAX_RANGE_BINS);
    assert.equal(p.histogram.max, 1);
    assert.match(bundle["text/plain"] ?? "", /re-binned from 1000000 bins/);
  });
});
