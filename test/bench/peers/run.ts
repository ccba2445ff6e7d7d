/**
 * `npm run bench:peers` (issue 9; not a test): tsquant side by side with TensorFlow and LiteRT on
 * the same work, in one run.
 *
 *   npm run bench:peers -- [--epochs 5] [--train-images 60000] [--fashion-epochs E]
 *                          [--fashion-train-images N] [--only mnist|fashion]
 *
 * Per dataset (MNIST, then Fashion-MNIST): tsquant trains the tutorial CNN (fast kernels, batch
 * 32, Adam); TensorFlow (`tf_peer.py` in `.venv-peers`) rebuilds the identical Keras model with
 * those float weights, converts it in the tutorials' five modes with the same 100 calibration
 * images and runs tfmot QAT with the tutorial's recipe, and trains a fresh model on the same
 * images for the throughput comparison; tsquant converts its model in the same modes and runs its
 * own QAT. Every file is evaluated on the 10,000 test images by LiteRT (`litert_eval.py`) and by
 * tsquant's interpreter; the two runtimes are cross-checked on every file and the two pipelines
 * compared mode by mode (compare.ts). Writes the `peers-*` sections of test/bench/RESULTS.md and
 * test/bench/results/peers.json; exits 1 with `PEERS FAIL …` lines when a check fails.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import type { Sample } from "../../../kernel/src/calib/calibrate";
import { TFLiteConverter } from "../../../kernel/src/converter/converter";
import { fashionMnist, mnist } from "../../../kernel/src/data/datasets";
import type { LabeledImages } from "../../../kernel/src/data/datasets";
import { loadNpy, saveNpy } from "../../../kernel/src/data/npy";
import { enableFastKernels } from "../../../kernel/src/fast";
import type { NDArray, TypedArray } from "../../../kernel/src/ir";
import { Interpreter } from "../../../kernel/src/interpreter";
import { quantizeModel } from "../../../kernel/src/qat";
import {
  compileTutorial,
  fit,
  textProgress,
  toTensors,
  tutorialCnn,
} from "../../../kernel/src/train";
import { readModel } from "../../../kernel/src/tflite/reader";
import { replaceSection } from "../results";
import { LITERTJS_VERSION, runLiteRTjs } from "./litertjs";
import {
  type CrossCheck,
  type InputQuantization,
  PEER_MODES,
  type PeerMode,
  type PipelineCheck,
  TOLERANCES,
  accuracyOf,
  crossCheck,
  failureLines,
  inputQuantization,
  pct,
  pipelineCheck,
  tensorNameBytes,
  predictions,
  ratio,
  table,
} from "./compare";

const ROOT = join(__dirname, "..", "..", "..");
const VENV = join(ROOT, ".venv-peers");
const PYTHON = join(VENV, "bin", "python");
const REQUIREMENTS = join(__dirname, "requirements.txt");
const WORK = join(__dirname, "out");
const CLASSES = 10;

type DatasetName = "mnist" | "fashion";

interface Options {
  epochs: number;
  trainImages: number;
  fashionEpochs: number;
  fashionTrainImages: number;
  only: DatasetName | null;
}

function parseOptions(argv: readonly string[]): Options {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? "";
    const value = argv[i + 1];
    if (!a.startsWith("--") || value === undefined) {
      throw new Error(`bench:peers: expected --flag value pairs, found '${a}'`);
    }
    flags.set(a.slice(2), value);
    i++;
  }
  const known = ["epochs", "train-images", "fashion-epochs", "fashion-train-images", "only"];
  for (const k of flags.keys()) {
    if (!known.includes(k)) throw new Error(`bench:peers: unknown flag --${k} (known: ${known})`);
  }
  const int = (name: string, fallback: number): number => {
    const v = flags.get(name);
    const n = v === undefined ? fallback : Number(v);
    if (!Number.isSafeInteger(n) || n < 1) {
      throw new Error(`bench:peers: --${name} must be a positive integer, found '${v}'`);
    }
    return n;
  };
  const only = flags.get("only") ?? null;
  if (only !== null && only !== "mnist" && only !== "fashion") {
    throw new Error(`bench:peers: --only must be mnist or fashion, found '${only}'`);
  }
  const epochs = int("epochs", 5);
  const trainImages = int("train-images", 60000);
  return {
    epochs,
    trainImages,
    fashionEpochs: int("fashion-epochs", epochs),
    fashionTrainImages: int("fashion-train-images", trainImages),
    only,
  };
}

/** Create `.venv-peers` from requirements.txt once; reinstall when the file changes. */
function ensureVenv(): void {
  const stamp = join(VENV, "requirements.sha256");
  const want = createHash("sha256").update(readFileSync(REQUIREMENTS)).digest("hex");
  if (existsSync(PYTHON) && existsSync(stamp) && readFileSync(stamp, "utf8") === want) return;
  console.log(`bench:peers: creating ${VENV} from ${REQUIREMENTS} (once)`);
  const python = process.env.PYTHON ?? "python3";
  const steps: [string, string[]][] = [
    [python, ["-m", "venv", VENV]],
    [PYTHON, ["-m", "pip", "install", "--quiet", "-r", REQUIREMENTS]],
  ];
  for (const [cmd, args] of steps) {
    const r = spawnSync(cmd, args, { stdio: "inherit" });
    if (r.status !== 0) throw new Error(`bench:peers: '${cmd} ${args.join(" ")}' failed`);
  }
  writeFileSync(stamp, want);
}

/** Run a Python script of this folder in .venv-peers; resolve to its last stdout line as JSON. */
function python<T>(script: string, args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [join(__dirname, script), ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: "3", PYTHONWARNINGS: "ignore" },
    });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => (out += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (err += s));
    child.on("error", reject);
    child.on("close", (code) => {
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{")) {
        reject(
          new Error(
            `${script} failed (exit ${code}): ${err.trim().split("\n").slice(-8).join("\n")}`,
          ),
        );
      } else {
        resolve(JSON.parse(last) as T);
      }
    });
  });
}

interface TfPeer {
  tensorflow: string;
  tfmot: string;
  seconds: Record<PeerMode, number>;
  qatTrainSeconds: number;
  qatKerasAccuracy: number;
  floatKerasAccuracy: number;
  train: {
    images: number;
    seconds: number;
    imagesPerSecond: number;
    testAccuracy: number;
    intraOpThreads: number;
  };
}

interface LiteRTModel {
  refAccuracy: number;
  accuracy: number;
  latencyMicros: number;
  imagesPerSecond: number;
}

/** Bytes the file's tensor-name strings take (every subgraph). */
function namesSize(bytes: Uint8Array): number {
  const model = readModel(bytes);
  return tensorNameBytes(model.subgraphs.flatMap((g) => g.tensors.map((t) => t.name)));
}

interface LiteRTEval {
  runtime: Record<string, string>;
  models: Record<string, LiteRTModel>;
}

interface FileRow {
  file: string;
  pipeline: "tf" | "tsquant";
  mode: PeerMode;
  bytes: number;
  /** Bytes of tensor-name strings in the file (the size check is net of them). */
  nameBytes: number;
  /** The quantized input's parameters (null: float input); the pipeline check compares them. */
  input: InputQuantization | null;
  litert: LiteRTModel;
  tsquant: { accuracy: number; latencyMicros: number; imagesPerSecond: number };
  cross: CrossCheck;
}

interface JsRow {
  accuracy: number;
  /** Top-1 agreement with LiteRT's reference kernels (informational: XNNPACK rounds int8 ±1). */
  agreement: number;
  latencyMicros: number;
  imagesPerSecond: number;
}

interface DatasetResult {
  dataset: DatasetName;
  epochs: number;
  trainImages: number;
  training: { tsquantImagesPerSecond: number; tsquantSeconds: number; tfImagesPerSecond: number };
  tf: TfPeer;
  tsquantConvertSeconds: Partial<Record<PeerMode, number>>;
  /** Why tsquant's QAT file is missing, when it is. */
  qatMissing: string | null;
  files: FileRow[];
  /** LiteRT.js per file (MNIST only), or why it did not run. */
  litertJs: Record<string, JsRow | { error: string }> | string;
  pipelines: PipelineCheck[];
  failures: string[];
}

function f32(a: TypedArray): Float32Array {
  return a instanceof Float32Array ? a : Float32Array.from(a, Number);
}

/** Set the converter's fields as the tutorials do for `mode` (QAT files: DEFAULT only). */
function configure(c: TFLiteConverter, mode: PeerMode, calib: Sample[]): void {
  if (mode !== "float32") c.optimizations = ["DEFAULT"];
  if (mode === "float16") c.targetSpec.supportedTypes = ["float16"];
  if (mode === "int8" || mode === "int8-only") c.representativeDataset = calib;
  if (mode === "int8-only") {
    c.targetSpec.supportedOps = ["TFLITE_BUILTINS_INT8"];
    c.inferenceInputType = "uint8";
    c.inferenceOutputType = "uint8";
  }
}

/**
 * The test images as one model's input, as the tutorial's `evaluate_model` makes them:
 * float inputs get fl32(u8 / 255); quantized inputs get trunc((u8 / 255) / scale + zeroPoint) in
 * float64 (numpy's `astype` truncates), clamped to the type's range.
 */
function modelInput(images: Uint8Array, dtype: string, scale: number, zeroPoint: number): NDArray {
  const n = images.length / 784;
  if (dtype === "float32") {
    const x = new Float32Array(images.length);
    for (let i = 0; i < x.length; i++) x[i] = (images[i] ?? 0) / 255;
    return { data: x, shape: [n, 28, 28], dtype: "float32" };
  }
  const [lo, hi] = dtype === "uint8" ? [0, 255] : [-128, 127];
  const x = dtype === "uint8" ? new Uint8Array(images.length) : new Int8Array(images.length);
  for (let i = 0; i < x.length; i++) {
    const q = Math.trunc((images[i] ?? 0) / 255 / scale + zeroPoint);
    x[i] = Math.min(hi, Math.max(lo, q));
  }
  return { data: x, shape: [n, 28, 28], dtype: dtype === "uint8" ? "uint8" : "int8" };
}

/**
 * tsquant's interpreter on every sample, batch 1: outputs, median invoke latency (set + invoke +
 * read, µs) and throughput (images/s) over all samples after 200 warm-up invokes.
 */
function runTsquant(
  model: Uint8Array,
  x: NDArray,
): { outputs: Float32Array; latencyMicros: number; imagesPerSecond: number } {
  const interp = new Interpreter({ modelContent: model });
  interp.allocateTensors();
  const input = interp.getInputDetails()[0];
  if (input === undefined) throw new Error("model has no input");
  if (input.shape[0] !== 1) {
    interp.resizeTensorInput(input.index, [1, ...input.shape.slice(1)]);
    interp.allocateTensors();
  }
  const outIndex = interp.getOutputDetails()[0]?.index ?? -1;
  const per = 784;
  const n = x.data.length / per;
  const sample = (i: number): TypedArray => x.data.subarray(i * per, (i + 1) * per);
  for (let i = 0; i < Math.min(200, n); i++) {
    interp.setTensor(input.index, sample(i));
    interp.invoke();
  }
  const outputs = new Float32Array(n * CLASSES);
  const lat = new Float64Array(n);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    interp.setTensor(input.index, sample(i));
    interp.invoke();
    const y = interp.getTensor(outIndex).data;
    for (let k = 0; k < CLASSES; k++) outputs[i * CLASSES + k] = Number(y[k]);
    lat[i] = performance.now() - t;
  }
  const seconds = (performance.now() - start) / 1000;
  lat.sort();
  return { outputs, latencyMicros: (lat[n >> 1] ?? 0) * 1000, imagesPerSecond: n / seconds };
}

async function runDataset(
  name: DatasetName,
  data: { train: LabeledImages; test: LabeledImages },
  epochs: number,
  trainImages: number,
): Promise<DatasetResult> {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const train = data.train.take(Math.min(trainImages, data.train.length));
  const test = data.test;
  const log = (s: string): void => console.log(`[${name}] ${s}`);

  // 1. tsquant trains (tfjs CPU, one thread, fast kernels).
  await tf.setBackend("cpu");
  enableFastKernels();
  const model = tutorialCnn(0);
  compileTutorial(model);
  const t = toTensors(train);
  log(`training ${epochs} epoch(s) on ${train.length} images with tsquant's fast kernels`);
  const t0 = performance.now();
  await fit(model, t.x, t.y, {
    batchSize: 32,
    epochs,
    progress: textProgress((l) => log(l), 60_000),
  });
  const tsquantSeconds = (performance.now() - t0) / 1000;
  t.x.dispose();
  t.y.dispose();

  // 2. Everything TF needs, as .npy.
  const [ck, cb, dk, db] = model.getWeights();
  if (ck === undefined || cb === undefined || dk === undefined || db === undefined) {
    throw new Error("tutorial CNN: expected 4 weight tensors");
  }
  const save = (file: string, a: NDArray): void => saveNpy(join(dir, `${file}.npy`), a);
  for (const [file, w] of [
    ["conv_kernel", ck],
    ["conv_bias", cb],
    ["dense_kernel", dk],
    ["dense_bias", db],
  ] as const) {
    save(file, { data: f32(w.dataSync()), shape: w.shape, dtype: "float32" });
  }
  const calibSet = data.train.take(100).asFloat();
  save("calib", calibSet);
  save("train_x", train.asFloat());
  save("train_y", { data: train.labels.data, shape: [train.length], dtype: "uint8" });
  save("test_x", test.asFloat());
  save("test_y", { data: test.labels.data, shape: [test.length], dtype: "uint8" });
  const calib: Sample[] = Array.from({ length: 100 }, (_, i) => [
    { data: calibSet.data.slice(i * 784, (i + 1) * 784), shape: [1, 28, 28], dtype: "float32" },
  ]);

  // 3. TensorFlow: conversions, QAT, training throughput.
  log("TensorFlow: conversions, tfmot QAT, training throughput");
  const tfPeer = await python<TfPeer>("tf_peer.py", ["--dir", dir, "--epochs", String(epochs)]);

  // 4. tsquant conversions (a warm-up conversion first, as TF's side). Batch fixed to 1, like the
  // batch-1 copy TF's side converts (and LiteRT.js refuses a dynamic batch).
  log("tsquant: conversions");
  const warm = TFLiteConverter.fromLayersModel(model, { batchSize: 1 });
  configure(warm, "dynamic", calib);
  await warm.convert();
  const convertSeconds: Partial<Record<PeerMode, number>> = {};
  for (const mode of PEER_MODES) {
    if (mode === "qat") continue;
    const s = performance.now();
    const c = TFLiteConverter.fromLayersModel(model, { batchSize: 1 });
    configure(c, mode, calib);
    const bytes = await c.convert();
    convertSeconds[mode] = (performance.now() - s) / 1000;
    writeFileSync(join(dir, `ts_${mode}.tflite`), bytes);
  }

  // 5. tsquant QAT with the tutorial's recipe, last (it trains layers of `model`).
  let qatMissing: string | null = null;
  try {
    log("tsquant: QAT");
    const q = quantizeModel(model);
    compileTutorial(q);
    const qt = toTensors(data.train.take(1000));
    await fit(q, qt.x, qt.y, { batchSize: 500, epochs: 1, validationSplit: 0.1, progress: false });
    qt.x.dispose();
    qt.y.dispose();
    const s = performance.now();
    const c = TFLiteConverter.fromLayersModel(q);
    configure(c, "qat", calib);
    const bytes = await c.convert();
    convertSeconds.qat = (performance.now() - s) / 1000;
    writeFileSync(join(dir, "ts_qat.tflite"), bytes);
  } catch (e) {
    qatMissing = (e instanceof Error ? e.message : String(e)).split("\n")[0] ?? "unknown";
    log(`tsquant QAT → int8 not available: ${qatMissing}`);
  }

  // 6. Inputs per file, the same bytes for both runtimes.
  const labels = test.labels.data;
  const files: { file: string; pipeline: "tf" | "tsquant"; mode: PeerMode; input: string }[] = [];
  const inputs = new Map<string, NDArray>();
  for (const pipeline of ["tf", "tsquant"] as const) {
    for (const mode of PEER_MODES) {
      const file = `${pipeline === "tf" ? "tf" : "ts"}_${mode}`;
      const path = join(dir, `${file}.tflite`);
      if (!existsSync(path)) continue;
      const interp = new Interpreter({ modelPath: path });
      interp.allocateTensors();
      const d = interp.getInputDetails()[0];
      if (d === undefined) throw new Error(`${path}: no input`);
      const [scale, zeroPoint] = d.quantization;
      const key = `${d.dtype}_${scale}_${zeroPoint}`;
      const inputPath = join(dir, `input_${key}.npy`);
      if (!inputs.has(key)) {
        const x = modelInput(test.images.data, d.dtype, scale, zeroPoint);
        inputs.set(key, x);
        saveNpy(inputPath, x);
      }
      files.push({ file, pipeline, mode, input: inputPath });
    }
  }

  // 7. LiteRT (reference kernels for the cross-check; default kernels, one thread, timed).
  log(`LiteRT: ${files.length} files × ${test.length} images`);
  const jobs = join(dir, "jobs.json");
  writeFileSync(
    jobs,
    JSON.stringify(
      files.map((f) => ({ name: f.file, model: join(dir, `${f.file}.tflite`), input: f.input })),
    ),
  );
  const lite = await python<LiteRTEval>("litert_eval.py", [
    "--jobs",
    jobs,
    "--labels",
    join(dir, "test_y.npy"),
    "--out",
    dir,
  ]);

  // 8. tsquant's interpreter, and the cross-check.
  const rows: FileRow[] = [];
  for (const f of files) {
    log(`tsquant interpreter: ${f.file}`);
    const bytes = readFileSync(join(dir, `${f.file}.tflite`));
    const x = loadNpy(f.input);
    const ref = loadNpy(join(dir, `${f.file}.ref.npy`));
    const litert = lite.models[f.file];
    if (litert === undefined) throw new Error(`litert_eval.py returned nothing for ${f.file}`);
    let mine: ReturnType<typeof runTsquant>;
    try {
      mine = runTsquant(new Uint8Array(bytes), x);
    } catch (e) {
      // A file LiteRT runs and tsquant's interpreter refuses is a disagreement of the runtimes.
      const why = `tsquant's interpreter cannot run it: ${e instanceof Error ? e.message : String(e)}`;
      log(why);
      mine = { outputs: new Float32Array(0), latencyMicros: NaN, imagesPerSecond: NaN };
      rows.push({
        file: f.file,
        pipeline: f.pipeline,
        mode: f.mode,
        bytes: bytes.length,
        nameBytes: namesSize(bytes),
        input: inputQuantization(readModel(bytes)),
        litert,
        tsquant: { accuracy: NaN, latencyMicros: NaN, imagesPerSecond: NaN },
        cross: { ...crossCheck(f.file, f.mode, mine.outputs, f32(ref.data), CLASSES), reason: why },
      });
      continue;
    }
    rows.push({
      file: f.file,
      pipeline: f.pipeline,
      mode: f.mode,
      bytes: bytes.length,
      nameBytes: namesSize(bytes),
      input: inputQuantization(readModel(bytes)),
      litert,
      tsquant: {
        accuracy: accuracyOf(predictions(mine.outputs, CLASSES), labels),
        latencyMicros: mine.latencyMicros,
        imagesPerSecond: mine.imagesPerSecond,
      },
      cross: crossCheck(f.file, f.mode, mine.outputs, f32(ref.data), CLASSES),
    });
  }

  // 9. LiteRT.js in headless Chromium (MNIST only: the runtime table is MNIST's).
  let litertJs: Record<string, JsRow | { error: string }> | string = "not run: MNIST files only";
  if (name === "mnist") {
    log("LiteRT.js in headless Chromium");
    try {
      const runs = await runLiteRTjs(
        files.map((f) => ({
          name: f.file,
          model: join(dir, `${f.file}.tflite`),
          input: loadNpy(f.input),
        })),
      );
      const rowsJs: Record<string, JsRow | { error: string }> = {};
      for (const f of files) {
        const r = runs[f.file];
        if (r === undefined) continue;
        if ("error" in r) {
          rowsJs[f.file] = r;
          continue;
        }
        const ref = f32(loadNpy(join(dir, `${f.file}.ref.npy`)).data);
        rowsJs[f.file] = {
          accuracy: accuracyOf(predictions(r.outputs, CLASSES), labels),
          agreement: crossCheck(f.file, "float32", r.outputs, ref, CLASSES).agreement,
          latencyMicros: r.latencyMicros,
          imagesPerSecond: r.imagesPerSecond,
        };
      }
      litertJs = rowsJs;
    } catch (e) {
      litertJs = `not run: ${(e instanceof Error ? e.message : String(e)).split("\n")[0]}`;
      log(`LiteRT.js ${litertJs}`);
    }
  }

  const pipelines: PipelineCheck[] = [];
  for (const mode of PEER_MODES) {
    const a = rows.find((r) => r.pipeline === "tf" && r.mode === mode);
    const b = rows.find((r) => r.pipeline === "tsquant" && r.mode === mode);
    if (a && b) {
      pipelines.push(
        pipelineCheck(
          mode,
          { accuracy: a.litert.accuracy, bytes: a.bytes, nameBytes: a.nameBytes, input: a.input },
          { accuracy: b.litert.accuracy, bytes: b.bytes, nameBytes: b.nameBytes, input: b.input },
        ),
      );
    }
  }
  const trainedImages = train.length * epochs;
  return {
    dataset: name,
    epochs,
    trainImages: train.length,
    training: {
      tsquantImagesPerSecond: trainedImages / tsquantSeconds,
      tsquantSeconds,
      tfImagesPerSecond: tfPeer.train.imagesPerSecond,
    },
    tf: tfPeer,
    tsquantConvertSeconds: convertSeconds,
    qatMissing,
    files: rows,
    litertJs,
    pipelines,
    failures: failureLines(
      name,
      rows.map((r) => r.cross),
      pipelines,
    ),
  };
}

// --- report ---

const LABEL: Record<DatasetName, string> = { mnist: "MNIST", fashion: "Fashion-MNIST" };
const f0 = (v: number): string => Math.round(v).toLocaleString("en-US");
const f1 = (v: number): string => v.toFixed(1);
const f3 = (v: number): string => v.toFixed(3);

function accuracySection(r: DatasetResult): string {
  const rows = PEER_MODES.map((mode) => {
    const a = r.files.find((f) => f.pipeline === "tf" && f.mode === mode);
    const b = r.files.find((f) => f.pipeline === "tsquant" && f.mode === mode);
    const p = r.pipelines.find((c) => c.mode === mode);
    const tol = mode === "qat" ? TOLERANCES.qatAccuracyPoints : TOLERANCES.accuracyPoints;
    return [
      mode,
      a ? pct(a.litert.accuracy) : "n/a",
      b ? pct(b.litert.accuracy) : "n/a",
      p ? p.accuracyDeltaPoints.toFixed(2) : "n/a",
      a ? pct(a.tsquant.accuracy) : "n/a",
      b ? pct(b.tsquant.accuracy) : "n/a",
      p
        ? Math.abs(p.accuracyDeltaPoints) <= tol + 1e-9
          ? `ok (±${tol})`
          : `FAIL (±${tol})`
        : "n/a",
    ];
  });
  return table(
    [
      "mode",
      "TF file, LiteRT",
      "tsquant file, LiteRT",
      "Δ points",
      "TF file, tsquant interp.",
      "tsquant file, tsquant interp.",
      "check",
    ],
    rows,
  );
}

function writeReport(
  results: DatasetResult[],
  opts: Options,
  command: string,
  minutes: number,
): void {
  const date = new Date().toISOString().slice(0, 10);
  const first = results[0];
  if (first === undefined) return;
  const tfv = `TensorFlow ${first.tf.tensorflow}, tfmot ${first.tf.tfmot}`;
  const head = `Date: ${date}. Command: \`${command}\` (${f1(minutes)} min). Machine: ${cpus().length} cores shared with other engineers' jobs, Node ${process.version}; ${tfv}, ai-edge-litert from \`.venv-peers\` (test/bench/peers/requirements.txt).`;
  const failures = results.flatMap((r) => r.failures);
  const verdict =
    failures.length === 0
      ? "Verdict: every check passed (runtimes agree on every file; pipelines within tolerance in every mode)."
      : `Verdict: ${failures.length} check(s) FAILED:\n\n${failures.map((l) => `- ${l}`).join("\n")}`;

  const acc = results
    .map((r) => {
      const qat = r.qatMissing ? `\n\ntsquant QAT → int8 not run: ${r.qatMissing}` : "";
      return `### ${LABEL[r.dataset]} (${r.epochs} epoch(s) on ${f0(r.trainImages)} training images; 10,000 test images)\n\n${accuracySection(r)}${qat}`;
    })
    .join("\n\n");
  replaceSection(
    "peers-accuracy",
    "Peers: accuracy, TensorFlow's pipeline vs tsquant's (issue 9)",
    [
      head,
      "",
      "The same float weights (trained by tsquant) converted by TF (`TFLiteConverter.from_keras_model`, tutorial settings) and by tsquant (`TFLiteConverter.fromLayersModel(model, { batchSize: 1 })`: both sides write batch-1 files; QAT files keep a dynamic batch on tsquant's side), same 100 calibration images (the first training images, fl32(u8/255)); integer-only = uint8 I/O, inputs made as the tutorial's `evaluate_model` (trunc(u8/255/scale + zeroPoint)). QAT: tfmot `quantize_model` vs tsquant `quantizeModel`, the tutorial's recipe (first 1,000 training images, batch 500, 1 epoch, validation split 0.1), then DEFAULT conversion. LiteRT = default kernels (XNNPACK), one thread.",
      "",
      `Tolerances (test/bench/peers/compare.ts): accuracy within ${TOLERANCES.accuracyPoints} point per post-training mode, ${TOLERANCES.qatAccuracyPoints} point for QAT (two different trainings), size within ${100 * TOLERANCES.sizeFraction} % net of tensor-name strings (free text each front end chooses).`,
      "",
      verdict,
      "",
      acc,
    ].join("\n"),
  );

  const mn = results.find((r) => r.dataset === "mnist") ?? first;
  replaceSection(
    "peers-size",
    "Peers: file sizes (bytes)",
    [
      `${LABEL[mn.dataset]} files of the run above. Ratio = tsquant ÷ TF.`,
      "",
      table(
        [
          "mode",
          "TF",
          "tsquant",
          "ratio",
          "TF net of names",
          "tsquant net of names",
          "check (±2 % net)",
        ],
        PEER_MODES.map((mode) => {
          const a = mn.files.find((f) => f.pipeline === "tf" && f.mode === mode);
          const b = mn.files.find((f) => f.pipeline === "tsquant" && f.mode === mode);
          const p = mn.pipelines.find((c) => c.mode === mode);
          const sizeOk = p ? Math.abs(p.contentDeltaFraction) <= TOLERANCES.sizeFraction : null;
          return [
            mode,
            a ? f0(a.bytes) : "n/a",
            b ? f0(b.bytes) : "n/a",
            ratio(b?.bytes ?? null, a?.bytes ?? null),
            a ? f0(a.bytes - a.nameBytes) : "n/a",
            b ? f0(b.bytes - b.nameBytes) : "n/a",
            sizeOk === null ? "n/a" : sizeOk ? "ok" : "FAIL",
          ];
        }),
      ),
    ].join("\n"),
  );

  replaceSection(
    "peers-convert",
    "Peers: conversion time per mode (s)",
    [
      `${LABEL[mn.dataset]} model of the run above; one conversion per mode after one warm-up conversion on each side, calibration on 100 images included. TF = \`from_keras_model(...).convert()\`; tsquant = \`fromLayersModel(...).convert()\`. Ratio = tsquant ÷ TF (lower is better).`,
      "",
      table(
        ["mode", "TF (s)", "tsquant (s)", "ratio"],
        PEER_MODES.map((mode) => {
          const theirs = mn.tf.seconds[mode];
          const mine = mn.tsquantConvertSeconds[mode] ?? null;
          return [mode, f3(theirs), mine === null ? "n/a" : f3(mine), ratio(mine, theirs)];
        }),
      ),
    ].join("\n"),
  );

  replaceSection(
    "peers-training",
    "Peers: training throughput (images/s)",
    [
      `Tutorial CNN, batch 32, Adam (lr 0.001), the same images and epochs on both sides. tsquant = tfjs CPU backend with tsquant's fast kernels (one thread, \`fit\`); TF = Keras 3 (\`tf.keras\` of TF 2.21) with its default threading (${first.tf.train.intraOpThreads || "all"} intra-op threads on ${cpus().length} cores). Ratio = tsquant ÷ TF (higher is better). Accuracy: the trained float model on the 10,000 test images (tsquant's in LiteRT via its float file, TF's in Keras).`,
      "",
      table(
        [
          "dataset",
          "epochs × images",
          "tsquant images/s",
          "TF images/s",
          "ratio",
          "tsquant-trained accuracy",
          "TF-trained accuracy",
        ],
        results.map((r) => {
          const floatFile = r.files.find((f) => f.pipeline === "tsquant" && f.mode === "float32");
          return [
            LABEL[r.dataset],
            `${r.epochs} × ${f0(r.trainImages)}`,
            f0(r.training.tsquantImagesPerSecond),
            f0(r.training.tfImagesPerSecond),
            ratio(r.training.tsquantImagesPerSecond, r.training.tfImagesPerSecond),
            floatFile ? pct(floatFile.litert.accuracy) : "n/a",
            pct(r.tf.train.testAccuracy),
          ];
        }),
      ),
    ].join("\n"),
  );

  const jsErrors: string[] = [];
  replaceSection(
    "peers-runtime",
    "Peers: interpreter latency and throughput, tsquant vs LiteRT",
    [
      `${LABEL[mn.dataset]} files of the run above, 10,000 test images one per invoke after 200 warm-up invokes. Latency = median of set input + invoke + read output (µs); throughput = images/s over the 10,000. LiteRT = ai-edge-litert Python, default kernels (XNNPACK), \`num_threads=1\`. Ratios = tsquant ÷ LiteRT (latency: lower is better; throughput: higher is better).`,
      "",
      table(
        [
          "file",
          "tsquant µs",
          "LiteRT µs",
          "latency ratio",
          "tsquant images/s",
          "LiteRT images/s",
          "throughput ratio",
        ],
        mn.files.map((f) => [
          f.file,
          f1(f.tsquant.latencyMicros),
          f1(f.litert.latencyMicros),
          ratio(f.tsquant.latencyMicros, f.litert.latencyMicros),
          f0(f.tsquant.imagesPerSecond),
          f0(f.litert.imagesPerSecond),
          ratio(f.tsquant.imagesPerSecond, f.litert.imagesPerSecond),
        ]),
      ),
      "",
      typeof mn.litertJs === "string"
        ? `LiteRT.js (\`@litertjs/core\` ${LITERTJS_VERSION}) in headless Chromium: ${mn.litertJs}`
        : [
            `LiteRT.js (\`@litertjs/core\` ${LITERTJS_VERSION}, 'wasm' accelerator = XNNPACK in WebAssembly, single-threaded build) in headless Debian Chromium, same files and inputs, one image per \`run\` (tensor creation + run + read; Chromium coarsens \`performance.now()\`, so the median latency is quantized to its timer step). Ratios = tsquant ÷ LiteRT.js. Agreement = top-1 equal to LiteRT Python's reference kernels.`,
            "",
            table(
              [
                "file",
                "LiteRT.js µs",
                "latency ratio",
                "LiteRT.js images/s",
                "throughput ratio",
                "LiteRT.js accuracy",
                "agreement",
              ],
              mn.files.map((f) => {
                const js = typeof mn.litertJs === "string" ? undefined : mn.litertJs[f.file];
                if (js !== undefined && "error" in js) jsErrors.push(`${f.file}: ${js.error}`);
                return js === undefined || "error" in js
                  ? [f.file, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"]
                  : [
                      f.file,
                      f1(js.latencyMicros),
                      ratio(f.tsquant.latencyMicros, js.latencyMicros),
                      f0(js.imagesPerSecond),
                      ratio(f.tsquant.imagesPerSecond, js.imagesPerSecond),
                      pct(js.accuracy),
                      pct(js.agreement),
                    ];
              }),
            ),
            ...(jsErrors.length === 0
              ? []
              : ["", "LiteRT.js refused:", "", ...jsErrors.map((e) => `- ${e}`)]),
          ].join("\n"),
    ].join("\n"),
  );

  replaceSection(
    "peers-crosscheck",
    "Peers: runtimes cross-check, tsquant's interpreter vs LiteRT reference kernels",
    [
      `Every file of the run, 10,000 test images each. Integer files (int8, int8-only, qat) must give identical predictions; float files (float32, float16, dynamic) argmax agreement ≥ ${100 * TOLERANCES.floatArgmaxAgreement} % (float32 summation order differs). "differing" counts output elements (images × 10) that are not bit-identical.`,
      "",
      ...results.flatMap((r) => [
        `### ${LABEL[r.dataset]}`,
        "",
        table(
          ["file", "argmax agreement", "differing outputs", "max abs diff", "check"],
          r.files.map((f) => [
            f.file,
            pct(f.cross.agreement),
            f0(f.cross.differing),
            f.cross.maxAbsDiff.toExponential(2),
            f.cross.ok ? "ok" : `FAIL: ${f.cross.reason}`,
          ]),
        ),
        "",
      ]),
    ].join("\n"),
  );

  mkdirSync(join(__dirname, "..", "results"), { recursive: true });
  writeFileSync(
    join(__dirname, "..", "results", "peers.json"),
    JSON.stringify({ date, command, minutes, options: opts, results }, null, 2) + "\n",
  );
}

async function main(): Promise<void> {
  const started = performance.now();
  const opts = parseOptions(process.argv.slice(2));
  const command = `npm run bench:peers${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
  ensureVenv();
  const results: DatasetResult[] = [];
  const elapsed = (): number => (performance.now() - started) / 60000;
  if (opts.only !== "fashion") {
    results.push(await runDataset("mnist", mnist(), opts.epochs, opts.trainImages));
    // Written after each dataset, so a later failure keeps what was measured.
    writeReport(results, opts, command, elapsed());
  }
  if (opts.only !== "mnist") {
    results.push(
      await runDataset("fashion", fashionMnist(), opts.fashionEpochs, opts.fashionTrainImages),
    );
  }
  const minutes = elapsed();
  writeReport(results, opts, command, minutes);
  const failures = results.flatMap((r) => r.failures);
  for (const l of failures) console.error(l);
  console.log(
    failures.length === 0
      ? `bench:peers: all checks passed (${f1(minutes)} min); see test/bench/RESULTS.md`
      : `bench:peers: ${failures.length} check(s) FAILED`,
  );
  process.exitCode = failures.length === 0 ? 0 : 1;
}

main().catch((e: unknown) => {
  console.error(`PEERS FAIL: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
