/**
 * Model Explorer overlays of `compareLayers`: the node-data shape per metric (keys, values,
 * thresholds or gradient), the cosine metric, and `tsquant compare --overlay` writing one file
 * per metric keyed by the quantized model's tensor names.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LayerError } from "../../kernel/src/display/payload";
import { compareLayers } from "../../kernel/src/converter/compare";
import {
  SQNR_CAP,
  modelExplorerOverlay,
  overlayPath,
  type OverlayMetric,
} from "../../kernel/src/converter/overlay";
import { loadNpy } from "../../kernel/src/data/npy";
import { UsageError } from "../../kernel/src/errors";
import { readModel } from "../../kernel/src/tflite/reader";
import { FIXTURES_DIR, fixtureModelBytes } from "../helpers/fixtures";
import { REPO_ROOT } from "../helpers/litert";

const layer = (name: string, sqnr: number | null, mse: number, cosine?: number): LayerError => ({
  index: 0,
  name,
  op: "CONV_2D",
  sqnr,
  mse,
  ...(cosine === undefined ? {} : { cosine }),
});

describe("modelExplorerOverlay", () => {
  const layers = [
    layer("a", 12.5, 0.01, 0.97),
    { ...layer("b", null, 0, 1.0000000002), quantizedName: "b_q" },
    layer("c", 41, 1e-5),
  ];

  test("sqnr: values by tensor name, +∞ written as the cap, ascending thresholds", () => {
    const o = modelExplorerOverlay(layers, "sqnr");
    assert.deepEqual(o.results, { a: { value: 12.5 }, b_q: { value: SQNR_CAP }, c: { value: 41 } });
    const t = o.thresholds ?? [];
    assert.deepEqual(
      t.map((x) => x.value),
      [10, 20, 30, SQNR_CAP],
    );
    assert.equal(o.gradient, undefined);
  });

  test("keys: 'float' uses the float model's names", () => {
    assert.deepEqual(Object.keys(modelExplorerOverlay(layers, "mse", { keys: "float" }).results), [
      "a",
      "b",
      "c",
    ]);
  });

  test("cosine: clamped to 1, layers without a cosine left out", () => {
    const o = modelExplorerOverlay(layers, "cosine");
    assert.deepEqual(o.results, { a: { value: 0.97 }, b_q: { value: 1 } });
    assert.equal(o.thresholds?.at(-1)?.value, 1);
  });

  test("mse: a gradient with stops 0 and 1", () => {
    const o = modelExplorerOverlay(layers, "mse");
    assert.deepEqual(
      o.gradient?.map((g) => g.stop),
      [0, 0.5, 1],
    );
    assert.equal(o.results["a"]?.value, 0.01);
  });

  test("an unknown metric is a UsageError naming it", () => {
    assert.throws(
      () => modelExplorerOverlay(layers, "psnr" as OverlayMetric),
      (e: unknown) => e instanceof UsageError && /'psnr'/.test(e.message),
    );
  });

  test("overlayPath puts the metric before .json", () => {
    assert.equal(overlayPath("out/cnn.json", "sqnr"), "out/cnn.sqnr.json");
    assert.equal(overlayPath("cnn", "mse"), "cnn.mse.json");
  });
});

describe("compareLayers cosine", () => {
  const images = loadNpy(join(FIXTURES_DIR, "data", "mnist_test300_images_float32.npy"));
  const per = 28 * 28;
  const samples = Array.from({ length: 20 }, (_, i) => [
    {
      data: images.data.slice(i * per, (i + 1) * per) as Float32Array,
      shape: [1, 28, 28],
      dtype: "float32" as const,
    },
  ]);

  test("a model against itself: cosine 1 and no error on every layer", async () => {
    const float = fixtureModelBytes("cnn_float32");
    const r = await compareLayers(float, float, samples);
    assert.ok(r.layers.length > 3);
    for (const l of r.layers) {
      assert.equal(l.sqnr, null, l.name);
      assert.ok(Math.abs((l.cosine ?? 0) - 1) < 1e-12, `${l.name}: ${l.cosine}`);
    }
  });

  test("TF's int8 CNN: cosine below 1 and consistent with SQNR (high SQNR ⇒ cosine near 1)", async () => {
    const r = await compareLayers(
      fixtureModelBytes("cnn_float32"),
      fixtureModelBytes("cnn_int8"),
      samples,
    );
    assert.ok(
      r.layers.some((l) => (l.cosine ?? 1) < 0.99999),
      "some layer of the int8 model is measurably off",
    );
    for (const l of r.layers) {
      const c = l.cosine ?? NaN;
      assert.ok(c > 0.9 && c <= 1 + 1e-12, `${l.name}: cosine ${c}`);
      // For small relative noise e = 10^(−SQNR/10), cosine ≈ 1 − e/2 (up to float64 rounding).
      if (l.sqnr !== null && l.sqnr > 20) {
        const e = 10 ** (-l.sqnr / 10);
        assert.ok(Math.abs(1 - c - e / 2) < e + 1e-12, `${l.name}: sqnr ${l.sqnr}, cosine ${c}`);
      }
    }
  });
});

test("tsquant compare --overlay writes one Model Explorer file per metric, keyed by the quantized model's tensors", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsquant-overlay-"));
  try {
    const base = join(dir, "cnn.json");
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO_ROOT, "kernel", "src", "cli", "main.ts"),
        "compare",
        join(FIXTURES_DIR, "models", "cnn_float32.tflite"),
        join(FIXTURES_DIR, "models", "cnn_int8.tflite"),
        "--data",
        join(FIXTURES_DIR, "data", "mnist_test300_images_float32.npy"),
        "--samples",
        "20",
        "--overlay",
        base,
        "--json",
      ],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    assert.equal(r.status, 0, r.stderr);
    const layers = JSON.parse(r.stdout) as LayerError[];
    const quantNames = new Set(
      readModel(fixtureModelBytes("cnn_int8")).subgraphs[0].tensors.map((t) => t.name),
    );
    for (const metric of ["sqnr", "mse", "cosine"] as const) {
      const o = JSON.parse(readFileSync(overlayPath(base, metric), "utf8")) as {
        results: Record<string, { value: number }>;
      };
      const keys = Object.keys(o.results);
      assert.equal(keys.length, layers.length, metric);
      for (const k of keys)
        assert.ok(quantNames.has(k), `${metric}: ${k} is not a tensor of the int8 model`);
    }
    const sqnr = JSON.parse(readFileSync(overlayPath(base, "sqnr"), "utf8")) as {
      results: Record<string, { value: number }>;
    };
    for (const l of layers) {
      const v = sqnr.results[l.quantizedName ?? l.name]?.value;
      assert.equal(v, l.sqnr === null ? SQNR_CAP : l.sqnr, l.name);
    }
    const bad = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO_ROOT, "kernel", "src", "cli", "main.ts"),
        "compare",
        "x.tflite",
      ],
      { cwd: REPO_ROOT, encoding: "utf8" },
    );
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /expected FLOAT and QUANT models, got 1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
