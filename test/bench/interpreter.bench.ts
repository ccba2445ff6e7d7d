/**
 * Interpreter benchmark (issue 2 §6; not a test): tsquant's interpreter against LiteRT (Python,
 * one thread, default CPU path = XNNPACK) on the tutorial CNN fixtures, in one run, so the ratio
 * is meaningful on a noisy machine.
 *
 *   npm run bench            (= node --import tsx test/bench/interpreter.bench.ts)
 *
 * Per model: per-image latency at batch 1 (median of 5 passes over 1,000 images) and throughput
 * over all 10,000 MNIST test images one image at a time; tsquant also batched (resizeTensorInput
 * to 100). Writes its section of test/bench/RESULTS.md and test/bench/results/interpreter.json.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mnist } from "../../kernel/src/data";
import { saveNpy } from "../../kernel/src/data/npy";
import { Interpreter } from "../../kernel/src/interpreter";
import { NDArray, TypedArray } from "../../kernel/src/ir";
import { fixtureModelPath, FixtureModel } from "../helpers/fixtures";
import { replaceSection } from "./results";

const ROOT = join(__dirname, "..", "..");
const PYTHON = join(ROOT, ".venv", "bin", "python");
const MODELS: FixtureModel[] = [
  "cnn_float32",
  "cnn_float16",
  "cnn_dynamic_range",
  "cnn_int8",
  "cnn_int8_only_uint8_io",
];
const LATENCY_IMAGES = 1000;
const REPS = 5;

interface Row {
  model: FixtureModel;
  inputDtype: string;
  tsquantLatencyUs: number;
  litertLatencyUs: number;
  tsquantThroughput: number;
  tsquantBatchedThroughput: number;
  litertThroughput: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The 10,000 test images in the model's input dtype, quantized as the tutorial's helper does. */
function modelInputs(interp: Interpreter, images: NDArray<Float32Array>): NDArray {
  const [input] = interp.getInputDetails();
  const n = images.shape[0];
  const shape = [n, ...input.shape.slice(1)];
  if (input.dtype === "float32") return { data: images.data, shape, dtype: "float32" };
  const [scale, zeroPoint] = input.quantization;
  const [lo, hi, Ctor] =
    input.dtype === "uint8"
      ? ([0, 255, Uint8Array] as const)
      : input.dtype === "int8"
        ? ([-128, 127, Int8Array] as const)
        : (() => {
            throw new Error(`unsupported input dtype ${input.dtype}`);
          })();
  const q = new Ctor(images.data.length);
  for (let i = 0; i < q.length; i++) {
    q[i] = Math.min(hi, Math.max(lo, Math.round(images.data[i] / scale + zeroPoint)));
  }
  return { data: q, shape, dtype: input.dtype };
}

function sliceImage(x: NDArray, i: number, per: number): TypedArray {
  return x.data.subarray(i * per, (i + 1) * per);
}

function benchTsquant(model: FixtureModel, x: NDArray): [number, number, number] {
  const interp = new Interpreter({ modelPath: fixtureModelPath(model) });
  interp.allocateTensors();
  const input = interp.getInputDetails()[0].index;
  const output = interp.getOutputDetails()[0].index;
  const n = x.shape[0];
  const per = x.data.length / n;
  const run = (count: number): number => {
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      interp.setTensor(input, sliceImage(x, i, per));
      interp.invoke();
      interp.getTensor(output);
    }
    return performance.now() - t0;
  };
  run(200); // warm-up: let V8 optimize the kernels
  const lat: number[] = [];
  for (let r = 0; r < REPS; r++) lat.push((run(LATENCY_IMAGES) / LATENCY_IMAGES) * 1000);
  const throughput = n / (run(n) / 1000);

  const batch = 100;
  const batched = new Interpreter({ modelPath: fixtureModelPath(model) });
  batched.resizeTensorInput(input, [batch, ...x.shape.slice(1)]);
  batched.allocateTensors();
  const t0 = performance.now();
  for (let i = 0; i < n; i += batch) {
    batched.setTensor(input, x.data.subarray(i * per, (i + batch) * per));
    batched.invoke();
    batched.getTensor(output);
  }
  const batchedThroughput = n / ((performance.now() - t0) / 1000);
  return [median(lat), throughput, batchedThroughput];
}

function benchLiteRT(model: FixtureModel, x: NDArray, dir: string): [number, number] {
  const inputs = join(dir, `${model}.npy`);
  saveNpy(inputs, x);
  const r = spawnSync(
    PYTHON,
    [
      join(__dirname, "litert_bench.py"),
      fixtureModelPath(model),
      inputs,
      "--latency-images",
      String(LATENCY_IMAGES),
      "--reps",
      String(REPS),
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`litert_bench.py failed on ${model}:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split("\n").pop() ?? "{}") as {
    latencyUs: number;
    throughput: number;
  };
  return [out.latencyUs, out.throughput];
}

function fmt(x: number, digits = 1): string {
  return x.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
}

function main(): void {
  if (!existsSync(PYTHON)) {
    console.error("bench: no .venv (LiteRT): run `npm install` first");
    process.exit(1);
  }
  const images = mnist().test.asFloat();
  const dir = mkdtempSync(join(tmpdir(), "tsquant-bench-"));
  const rows: Row[] = [];
  try {
    for (const model of MODELS) {
      const probe = new Interpreter({ modelPath: fixtureModelPath(model) });
      probe.allocateTensors();
      const x = modelInputs(probe, images);
      console.error(`bench: ${model} …`);
      const [tsquantLatencyUs, tsquantThroughput, tsquantBatchedThroughput] = benchTsquant(
        model,
        x,
      );
      const [litertLatencyUs, litertThroughput] = benchLiteRT(model, x, dir);
      rows.push({
        model,
        inputDtype: x.dtype,
        tsquantLatencyUs,
        litertLatencyUs,
        tsquantThroughput,
        tsquantBatchedThroughput,
        litertThroughput,
      });
      console.error(
        `  tsquant ${fmt(tsquantLatencyUs)} µs/image, LiteRT ${fmt(litertLatencyUs)} µs/image ` +
          `(ratio ${fmt(tsquantLatencyUs / litertLatencyUs, 2)})`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    `Date: ${date}. Command: \`npm run bench\` (test/bench/interpreter.bench.ts). Machine: 2 cores, Node ${process.version}; LiteRT = ai-edge-litert from .venv, Python, \`num_threads=1\`, default resolver (XNNPACK).`,
    "",
    "Latency is per image at batch 1 (set input, invoke, read output; median of 5 passes over 1,000 MNIST test images). Throughput is over all 10,000 test images one at a time; tsquant batched = `resizeTensorInput` to 100. Ratio = tsquant ÷ LiteRT for latency (lower is better; goal ≤ 2).",
    "",
    "| model | input | tsquant µs/image | LiteRT µs/image | latency ratio | tsquant images/s | tsquant batched images/s | LiteRT images/s |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.model} | ${r.inputDtype} | ${fmt(r.tsquantLatencyUs)} | ${fmt(r.litertLatencyUs)} | ${fmt(r.tsquantLatencyUs / r.litertLatencyUs, 2)} | ${fmt(r.tsquantThroughput, 0)} | ${fmt(r.tsquantBatchedThroughput, 0)} | ${fmt(r.litertThroughput, 0)} |`,
    ),
  ];
  const f32 = rows.find((r) => r.model === "cnn_float32");
  const i8 = rows.find((r) => r.model === "cnn_int8_only_uint8_io");
  if (f32 && i8) {
    lines.push(
      "",
      `int8 vs float in tsquant (integer-only model vs float model, batch-1 latency): ${fmt(f32.tsquantLatencyUs / i8.tsquantLatencyUs, 2)}× (> 1 means int8 is faster).`,
    );
  }
  replaceSection("interpreter", "Interpreter: tsquant vs LiteRT (issue 2)", lines.join("\n"));
  const jsonDir = join(__dirname, "results");
  mkdirSync(jsonDir, { recursive: true });
  writeFileSync(
    join(jsonDir, "interpreter.json"),
    JSON.stringify({ date, node: process.version, rows }, null, 2) + "\n",
  );
  console.log(readFileSync(join(__dirname, "RESULTS.md"), "utf8"));
}

main();
