/**
 * The model, qparams and calibration views in Chromium, without JupyterLab: the views are bundled
 * with esbuild, fed the payloads the kernel builds (a fixture model whose tensor name is an XSS
 * attempt, per-channel parameters, a real calibration) and their DOM is read back — one table row
 * per op / channel / tensor, names shown as text (no element or script from a name), one SVG bar
 * per channel.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { calibrationPayload, modelPayload, qparamsPayload } from "../../kernel/src/display/bundles";
import { calibrate } from "../../kernel/src/calib/calibrate";
import { readModel } from "../../kernel/src/tflite/reader";
import { chooseQuantParams } from "../../kernel/src/quant/params";
import { FIXTURES_DIR } from "../helpers/fixtures";

const CHROMIUM = "/usr/bin/chromium";
const skip = existsSync(CHROMIUM) ? null : `no ${CHROMIUM} (apt-get install chromium)`;
if (skip && process.env.CI === "true") throw new Error(`browser tests cannot run in CI: ${skip}`);

const XSS = `<img src=x onerror="window.pwned=1">`;

/** The views as one script defining `window.renderTsquant(payload)`. */
async function bundle(): Promise<string> {
  const entry = `
    import { ModelView } from "./views/model";
    import { QParamsView } from "./views/qparams";
    import { CalibrationView } from "./views/calibration";
    import { validatePayload } from "./validate";
    const theme = { light: true, fontFamily: "sans-serif", font: "#000", fontMuted: "#666",
      grid: "#ddd", accent: "#1f77b4", warn: "#d32f2f", good: "#2e7d32", palette: ["#1f77b4"] };
    window.renderTsquant = async (data) => {
      const v = validatePayload(data);
      if (!v.ok) throw new Error(v.error);
      const p = v.payload;
      const view = p.kind === "model" ? new ModelView(p) : p.kind === "qparams" ? new QParamsView(p)
        : p.kind === "calibration" ? new CalibrationView(p) : null;
      if (view === null) throw new Error("no view for " + p.kind);
      document.body.replaceChildren(view.node);
      await view.render(theme);
    };`;
  const out = await build({
    stdin: {
      contents: entry,
      resolveDir: join(__dirname, "..", "..", "labextension", "src"),
      loader: "ts",
    },
    bundle: true,
    format: "iife",
    write: false,
    target: "es2020",
  });
  return out.outputFiles[0]?.text ?? "";
}

describe(
  "model, qparams and calibration views in Chromium",
  { skip: skip ?? false, timeout: 120_000 },
  () => {
    let browser: Browser;
    let page: Page;

    before(async () => {
      const script = await bundle();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
      });
      page = await browser.newPage();
      await page.setContent("<!doctype html><html><body></body></html>");
      await page.addScriptTag({ content: script });
    });
    after(async () => {
      await browser?.close();
    });

    async function show(payload: unknown): Promise<void> {
      await page.evaluate(
        async (p) => {
          await (
            globalThis as unknown as { renderTsquant(p: unknown): Promise<void> }
          ).renderTsquant(p);
        },
        JSON.parse(JSON.stringify(payload)) as unknown,
      );
    }

    test("model: one row per op, operands with dtype and shape, I/O quantization, names as text", async () => {
      const model = readModel(
        new Uint8Array(readFileSync(join(FIXTURES_DIR, "models", "cnn_int8_only_uint8_io.tflite"))),
      );
      const sg = model.subgraphs[0];
      const input = sg?.tensors[sg.inputs[0] ?? 0];
      assert.ok(input !== undefined);
      input.name = XSS;
      const payload = modelPayload(model);
      await show(payload);
      const tables: string[][] = [];
      for (let i = 0; i < (await page.locator("table").count()); i++) {
        tables.push(await page.locator("table").nth(i).locator("tbody tr").allTextContents());
      }
      // Inputs/outputs, operators, tensors.
      assert.equal(tables.length, 3);
      assert.equal(tables[1]?.length, payload.ops.length);
      assert.match(tables[1]?.[2] ?? "", /CONV_2D/);
      assert.match(
        tables[0]?.[0] ?? "",
        /input.*uint8\[1, 28, 28\].*scale 0\.003922, zero point 0/,
      );
      assert.ok((tables[0]?.[0] ?? "").includes(XSS), "the name shown as text");
      assert.equal(await page.$$eval("img", (imgs) => imgs.length), 0);
      await page.waitForTimeout(100);
      assert.equal(
        await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned),
        undefined,
      );
    });

    test("qparams: per-tensor range; per-channel bars, one per channel", async () => {
      await show(qparamsPayload(chooseQuantParams(-1, 3), "activation"));
      const text = await page.$eval("body", (b) => b.textContent ?? "");
      assert.match(text, /per-tensor, int8, q in \[-128, 127\]/);
      const scales = Array.from({ length: 12 }, (_, c) => 0.001 * (c + 1));
      await show(
        qparamsPayload(
          {
            scale: scales,
            zeroPoint: scales.map(() => 0),
            axis: 0,
            format: chooseQuantParams(0, 1).format,
          },
          undefined,
          XSS,
        ),
      );
      assert.equal(await page.$$eval("svg rect", (r) => r.length), 12);
      assert.equal(await page.$$eval("details tbody tr", (r) => r.length), 12);
      const heights = await page
        .locator("svg rect")
        .evaluateAll((r: unknown[]) =>
          r.map((e) =>
            Number((e as { getAttribute(n: string): string | null }).getAttribute("height")),
          ),
        );
      assert.ok(
        heights.every((hgt, c) => c === 0 || hgt > (heights[c - 1] ?? 0)),
        "bars grow with the scale",
      );
      assert.equal(await page.$$eval("img", (imgs) => imgs.length), 0);
    });

    test("calibration: one row per tensor with its range and parameters", async () => {
      const bytes = new Uint8Array(
        readFileSync(join(FIXTURES_DIR, "models", "cnn_float32.tflite")),
      );
      const result = await calibrate(
        bytes,
        [[Float32Array.from({ length: 784 }, (_, i) => (i % 256) / 255)]],
        {
          progress: false,
        },
      );
      const payload = calibrationPayload(result);
      await show(payload);
      assert.equal(await page.$$eval("tbody tr", (r) => r.length), payload.tensors.length);
      const text = await page.$eval("body", (b) => b.textContent ?? "");
      assert.match(text, /minmax, 1 sample\(s\)/);
    });
  },
);
