/**
 * Training benchmark (issue 5; not a test): images per second training the tutorial CNN (batch
 * 32, Adam) with tfjs's CPU backend — tsquant's fast kernels vs the stock kernels — and with
 * TensorFlow (Python, Keras, same model, `.venv-tf`), in one run so the ratios mean something on
 * a shared machine. Writes its section of test/bench/RESULTS.md and results/training.json.
 *
 *   node --import tsx test/bench/training.bench.ts [images=3200]
 */
import { spawnSync } from "node:child_process";
import { cpus } from "node:os";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { mnist } from "../../kernel/src/data";
import { saveNpy } from "../../kernel/src/data/npy";
import { disableFastKernels, enableFastKernels } from "../../kernel/src/fast";
import { compileTutorial, toTensors, tutorialCnn } from "../../kernel/src/train";
import { replaceSection } from "./results";

const ROOT = join(__dirname, "..", "..");
const PYTHON_TF = join(ROOT, ".venv-tf", "bin", "python");

/** images/s of `model.fit` (batch 32, one epoch, no shuffle) on x, y after a warm-up epoch on `warm` images. */
async function tfjsRate(x: tf.Tensor, y: tf.Tensor, warm: number): Promise<number> {
  const model = tutorialCnn(0);
  compileTutorial(model);
  const fitArgs = { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 } as const;
  await model.fit(x.slice(0, warm), y.slice(0, warm), fitArgs);
  const t0 = performance.now();
  await model.fit(x, y, fitArgs);
  const seconds = (performance.now() - t0) / 1000;
  model.dispose();
  return x.shape[0] / seconds;
}

function tensorflowRate(images: number): { imagesPerSecond: number; tensorflow: string } | null {
  if (!existsSync(PYTHON_TF)) return null;
  const dir = mkdtempSync(join(tmpdir(), "tsquant-train-bench-"));
  try {
    const split = mnist().train.take(images);
    saveNpy(join(dir, "x.npy"), split.asFloat());
    saveNpy(join(dir, "y.npy"), split.labels);
    const r = spawnSync(
      PYTHON_TF,
      [join(__dirname, "training_tf.py"), join(dir, "x.npy"), join(dir, "y.npy")],
      { encoding: "utf8" },
    );
    if (r.status !== 0) throw new Error(`training_tf.py failed: ${r.stderr}`);
    const last = r.stdout.trim().split("\n").pop() ?? "{}";
    return JSON.parse(last) as { imagesPerSecond: number; tensorflow: string };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  const images = Number(process.argv[2] ?? 3200);
  const stockImages = Math.min(images, 320);
  const all = toTensors(mnist().train.take(images));

  const peer = tensorflowRate(images);
  enableFastKernels();
  const fast = await tfjsRate(all.x, all.y, 320);
  disableFastKernels();
  const stock = await tfjsRate(all.x.slice(0, stockImages), all.y.slice(0, stockImages), 64);
  enableFastKernels();

  const f0 = (v: number): string => Math.round(v).toLocaleString("en-US");
  const results = {
    date: new Date().toISOString().slice(0, 10),
    images,
    stockImages,
    node: process.version,
    cores: cpus().length,
    fast,
    stock,
    tensorflow: peer?.imagesPerSecond ?? null,
    tensorflowVersion: peer?.tensorflow ?? null,
  };
  console.log(JSON.stringify(results));
  mkdirSync(join(__dirname, "results"), { recursive: true });
  writeFileSync(
    join(__dirname, "results", "training.json"),
    JSON.stringify(results, null, 2) + "\n",
  );
  const ratio = (a: number, b: number | null): string => (b ? (a / b).toFixed(3) : "n/a");
  replaceSection(
    "training",
    "Training: tfjs with tsquant's fast kernels vs stock tfjs vs TensorFlow (issue 5)",
    [
      `Date: ${results.date}. Command: \`node --import tsx test/bench/training.bench.ts ${images}\`. Machine: ${results.cores} cores (shared with other jobs), Node ${process.version}; TensorFlow ${results.tensorflowVersion ?? "not available"} from .venv-tf with its default threading (tfjs runs on one thread).`,
      "",
      `Tutorial CNN (Reshape → Conv2D 12 3×3 relu → MaxPool 2 → Flatten → Dense 10), batch 32, Adam, softmax cross-entropy from logits, MNIST training images, one timed epoch after a warm-up (stock tfjs on the first ${stockImages} images only: it is too slow for more).`,
      "",
      "| trainer | images/s | ÷ stock tfjs | ÷ TensorFlow |",
      "| --- | ---: | ---: | ---: |",
      `| tfjs + tsquant fast kernels | ${f0(fast)} | ${ratio(fast, stock)} | ${ratio(fast, results.tensorflow)} |`,
      `| tfjs stock CPU | ${f0(stock)} | 1.000 | ${ratio(stock, results.tensorflow)} |`,
      `| TensorFlow (Keras) | ${results.tensorflow ? f0(results.tensorflow) : "n/a"} | ${ratio(results.tensorflow ?? 0, stock)} | 1.000 |`,
      "",
      `Goal: fast ÷ TensorFlow ≥ 0.5 — ${results.tensorflow && fast / results.tensorflow >= 0.5 ? "met" : "not met"} in this run.`,
    ].join("\n"),
  );
}

void main();
