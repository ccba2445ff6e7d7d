import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readModel } from "../tflite/reader";
import { chooseQuantParams } from "../quant/params";
import { type CellContext, nextCellSignal, runInCell } from "../jupyter/context";
import {
  calibrationBundle,
  comparisonBundle,
  layerErrorsBundle,
  modelBundle,
  quantParamsBundle,
  rangeBundle,
} from "./bundles";
import { DISPLAY_SYMBOL, display, displayable, mimeBundle } from "./display";
import { escapeHtml, htmlTable, textTable } from "./html";
import { type RangePayload, TSQUANT_MIME } from "./payload";
import type { CalibrationResult } from "../calib/calibrate";

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
    assert.equal(b[TSQUANT_MIME], undefined, "no payload kind for models in v1");
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
