// Several inputs and outputs through the tsquant CLI (node --import tsx kernel/src/cli/main.ts):
// --calibration data.npz or NAME=FILE per input, --scale NAME=v, eval with labels per output,
// inspect listing every input and output, bench with random inputs; and the same model through
// the API (representativeDataset as a list, a record by tensor name, a record by signature
// name) giving the same bytes.
import { test, describe, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeNpy } from "../../kernel/src/data/npy";
import { writeNpz } from "../../kernel/src/data/npz";
import type { Model, NDArray } from "../../kernel/src/ir";
import { buildModel } from "../../kernel/src/interpreter/testing";
import { writeModel } from "../../kernel/src/tflite/writer";
import { TFLiteConverter } from "../../kernel/src/converter/converter";
import { compareLayers } from "../../kernel/src/converter/compare";
import { mulberry32 } from "../../kernel/src/train/shuffle";
import { REPO_ROOT } from "../helpers/litert";

const MAIN = join(REPO_ROOT, "kernel", "src", "cli", "main.ts");

function tsquant(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Inputs "features" [1, 4] and "context" [1, 4] (signature names "feat", "ctx"); outputs
 * "class" = FULLY_CONNECTED(features + context) [1, 3] and "value" = features · context [1, 4].
 */
function twoInTwoOut(): Model {
  const rand = mulberry32(7);
  const w = Float32Array.from({ length: 12 }, () => rand() * 2 - 1);
  const model = buildModel(
    [
      { dtype: "float32", shape: [1, 4], name: "features" },
      { dtype: "float32", shape: [1, 4], name: "context" },
      { dtype: "float32", shape: [1, 4], name: "sum" },
      { dtype: "float32", shape: [3, 4], name: "w", data: w },
      { dtype: "float32", shape: [3], name: "b", data: Float32Array.of(0.1, -0.2, 0.3) },
      { dtype: "float32", shape: [1, 3], name: "class" },
      { dtype: "float32", shape: [1, 4], name: "value" },
    ],
    [
      {
        op: "ADD",
        inputs: [0, 1],
        outputs: [2],
        options: { type: "AddOptions", fusedActivationFunction: "NONE", potScaleInt16: true },
      },
      {
        op: "FULLY_CONNECTED",
        inputs: [2, 3, 4],
        outputs: [5],
        options: {
          type: "FullyConnectedOptions",
          fusedActivationFunction: "NONE",
          weightsFormat: 0,
          keepNumDims: false,
          asymmetricQuantizeInputs: false,
          quantizedBiasType: 0,
        },
      },
      {
        op: "MUL",
        inputs: [0, 1],
        outputs: [6],
        options: { type: "MulOptions", fusedActivationFunction: "NONE" },
      },
    ],
    { inputs: [0, 1], outputs: [5, 6] },
  );
  model.signatureDefs = [
    {
      signatureKey: "serving_default",
      subgraphIndex: 0,
      inputs: [
        { name: "feat", tensorIndex: 0 },
        { name: "ctx", tensorIndex: 1 },
      ],
      outputs: [
        { name: "out_class", tensorIndex: 5 },
        { name: "out_value", tensorIndex: 6 },
      ],
    },
  ];
  return model;
}

const N = 24;

/** `N` samples per input: features as uint8 (scaled by the CLI), context as float32. */
function data(): { features: NDArray; context: NDArray } {
  const rand = mulberry32(11);
  return {
    features: {
      data: Uint8Array.from({ length: N * 4 }, () => Math.floor(rand() * 256)),
      shape: [N, 4],
      dtype: "uint8",
    },
    context: {
      data: Float32Array.from({ length: N * 4 }, () => rand() * 4 - 2),
      shape: [N, 4],
      dtype: "float32",
    },
  };
}

/** Sample `i` of each input as the CLI makes it: features · scale, context as is. */
function sampleOf(i: number, scale: number): { features: Float32Array; context: Float32Array } {
  const d = data();
  return {
    features: Float32Array.from((d.features.data as Uint8Array).subarray(i * 4, i * 4 + 4), (v) =>
      Math.fround(v * scale),
    ),
    context: (d.context.data as Float32Array).slice(i * 4, i * 4 + 4),
  };
}

describe("tsquant CLI with several inputs and outputs", () => {
  let dir = "";
  let modelPath = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "tsquant-multiio-"));
    modelPath = join(dir, "two.tflite");
    writeFileSync(modelPath, writeModel(twoInTwoOut()));
    const d = data();
    writeFileSync(join(dir, "features.npy"), writeNpy(d.features));
    writeFileSync(join(dir, "context.npy"), writeNpy(d.context));
    writeFileSync(join(dir, "named.npz"), writeNpz({ features: d.features, ctx: d.context }));
    writeFileSync(
      join(dir, "positional.npz"),
      writeNpz({ arr_0: d.features, arr_1: d.context }, { compress: false }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test("convert --mode int8: NAME=FILE, a named .npz and a positional .npz give the API's bytes", async () => {
    const scale = 0.01;
    const api = TFLiteConverter.fromModel(twoInTwoOut());
    api.optimizations = ["DEFAULT"];
    // A record by signature name for one input and by tensor name for the other.
    api.representativeDataset = Array.from({ length: N }, (_, i) => {
      const s = sampleOf(i, scale);
      return {
        feat: { data: s.features, shape: [1, 4] },
        context: { data: s.context, shape: [1, 4] },
      };
    });
    const expected = await api.convert();
    const runs = [
      [
        "--calibration",
        `features=${join(dir, "features.npy")}`,
        "--calibration",
        `ctx=${join(dir, "context.npy")}`,
      ],
      ["--calibration", join(dir, "named.npz")],
      ["--calibration", join(dir, "positional.npz")],
    ];
    for (const [k, args] of runs.entries()) {
      const out = join(dir, `int8-${k}.tflite`);
      const r = tsquant(
        "convert",
        modelPath,
        "-o",
        out,
        "--mode",
        "int8",
        ...args,
        "--scale",
        `features=${scale}`,
        "--scale",
        "context=1",
        "--samples",
        String(N),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`calibrating on ${N} samples`));
      assert.deepEqual(new Uint8Array(readFileSync(out)), expected, args.join(" "));
    }
    // The list form (input order) gives the same bytes as the record form.
    const listed = TFLiteConverter.fromModel(twoInTwoOut());
    listed.optimizations = ["DEFAULT"];
    listed.representativeDataset = Array.from({ length: N }, (_, i) => {
      const s = sampleOf(i, scale);
      return [s.features, s.context];
    });
    assert.deepEqual(await listed.convert(), expected);
  });

  test("eval with labels for two outputs, inspect lists both inputs and outputs, bench runs", () => {
    const labelsClass = Int32Array.from({ length: N }, (_, i) => i % 3);
    const labelsValue = Int32Array.from({ length: N }, (_, i) => i % 4);
    writeFileSync(join(dir, "lc.npy"), writeNpy({ data: labelsClass, shape: [N], dtype: "int32" }));
    writeFileSync(join(dir, "lv.npy"), writeNpy({ data: labelsValue, shape: [N], dtype: "int32" }));
    const e = tsquant(
      "eval",
      modelPath,
      "--data",
      join(dir, "named.npz"),
      "--scale",
      "feat=0.01",
      "--labels",
      `out_class=${join(dir, "lc.npy")}`,
      "--labels",
      `value=${join(dir, "lv.npy")}`,
      "--json",
    );
    assert.equal(e.code, 0, e.stderr);
    const result = JSON.parse(e.stdout) as {
      images: number;
      outputs: { output: string; tensor: string; correct: number }[];
    };
    assert.equal(result.images, N);
    assert.deepEqual(
      result.outputs.map((o) => o.tensor),
      ["class", "value"],
    );
    // The same argmax computed here from the model's arithmetic (float32 ADD, FC, MUL).
    const model = twoInTwoOut();
    const w = model.buffers[1]?.data;
    assert.ok(w !== null && w !== undefined);
    const wf = new Float32Array(w.buffer, w.byteOffset, 12);
    const bias = [0.1, -0.2, 0.3].map(Math.fround);
    let hitsClass = 0;
    let hitsValue = 0;
    for (let i = 0; i < N; i++) {
      const s = sampleOf(i, 0.01);
      const sum = s.features.map((v, k) => Math.fround(v + (s.context[k] ?? 0)));
      const logits = [0, 1, 2].map((o) => {
        let acc = 0;
        for (let k = 0; k < 4; k++)
          acc = Math.fround(acc + Math.fround((wf[o * 4 + k] ?? 0) * (sum[k] ?? 0)));
        return Math.fround(acc + (bias[o] ?? 0));
      });
      const prod = s.features.map((v, k) => Math.fround(v * (s.context[k] ?? 0)));
      const argmax = (xs: ArrayLike<number>): number => {
        let best = 0;
        for (let k = 1; k < xs.length; k++) if ((xs[k] ?? 0) > (xs[best] ?? 0)) best = k;
        return best;
      };
      if (argmax(logits) === labelsClass[i]) hitsClass++;
      if (argmax(prod) === labelsValue[i]) hitsValue++;
    }
    assert.deepEqual(
      result.outputs.map((o) => o.correct),
      [hitsClass, hitsValue],
    );

    const i = tsquant("inspect", modelPath);
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stdout, /Inputs:\n {2}0: 'features' \(signature 'feat'\) float32 \[1, 4\]/);
    assert.match(i.stdout, / {2}1: 'context' \(signature 'ctx'\) float32 \[1, 4\]/);
    assert.match(i.stdout, /Outputs:\n {2}0: 'class' \(signature 'out_class'\) float32 \[1, 3\]/);
    const j = JSON.parse(tsquant("inspect", modelPath, "--json").stdout) as {
      inputDetails: { name: string; signatureName: string }[];
      outputDetails: { name: string }[];
    };
    assert.deepEqual(
      j.inputDetails.map((t) => [t.name, t.signatureName]),
      [
        ["features", "feat"],
        ["context", "ctx"],
      ],
    );
    assert.equal(j.outputDetails.length, 2);

    const b = tsquant("bench", modelPath, "--runs", "3", "--json");
    assert.equal(b.code, 0, b.stderr);
    assert.ok((JSON.parse(b.stdout) as { medianMs: number }).medianMs >= 0);
  });

  test("compareLayers takes record samples of a two-input model", async () => {
    const api = TFLiteConverter.fromModel(twoInTwoOut());
    api.optimizations = ["DEFAULT"];
    const samples = Array.from({ length: N }, (_, i) => {
      const s = sampleOf(i, 0.01);
      return { feat: s.features, ctx: s.context };
    });
    api.representativeDataset = samples;
    const quantized = await api.convertToModel();
    const c = await compareLayers(twoInTwoOut(), quantized, samples);
    assert.equal(c.samples, N);
    assert.deepEqual(
      c.layers.map((l) => l.name),
      ["sum", "class", "value"],
    );
    for (const l of c.layers) assert.ok(l.sqnr === null || l.sqnr > 20, `${l.name} ${l.sqnr}`);
  });

  test("bad multi-input data exits 1 with one line naming the input", () => {
    const base = ["convert", modelPath, "-o", join(dir, "x.tflite"), "--mode", "int8"];
    const cases: [string[], RegExp][] = [
      [
        [...base, "--calibration", join(dir, "features.npy")],
        /the model has 2 inputs \(0: 'features' \(signature 'feat'\), 1: 'context' \(signature 'ctx'\)\); give one \.npz, or --calibration NAME=FILE for each/,
      ],
      [
        [...base, "--calibration", `features=${join(dir, "features.npy")}`],
        /no --calibration data for input 'context' \(signature 'ctx'\)/,
      ],
      [
        [...base, "--calibration", `bogus=${join(dir, "features.npy")}`],
        /the model has no input 'bogus'; its inputs are 0: 'features'/,
      ],
      [
        [
          ...base,
          "--calibration",
          join(dir, "named.npz"),
          "--calibration",
          `ctx=${join(dir, "context.npy")}`,
        ],
        /input 'context' \(signature 'ctx'\) is given twice/,
      ],
      [
        [...base, "--calibration", join(dir, "named.npz"), "--scale", "nope=2"],
        /--scale nope=2: the model has no input 'nope'/,
      ],
      [
        [
          ...base,
          "--calibration",
          `features=${join(dir, "features.npy")}`,
          "--calibration",
          `context=${join(dir, "lc.npy")}`,
        ],
        /each sample has 1 values \(shape \[24\]\) but the model input 'context' \(signature 'ctx'\) takes 4 values \(\[4\], float32\)/,
      ],
    ];
    writeFileSync(
      join(dir, "lc.npy"),
      writeNpy({ data: new Int32Array(N), shape: [N], dtype: "int32" }),
    );
    for (const [args, why] of cases) {
      const r = tsquant(...args);
      assert.equal(r.code, 1, args.join(" "));
      const lines = r.stderr.trim().split("\n");
      assert.match(lines[lines.length - 1], why);
    }
  });
});
