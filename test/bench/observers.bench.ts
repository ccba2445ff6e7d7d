// Benchmark (not a test): observer throughput on 10M float32 values, and calibrate() time for
// 100 MNIST samples through the tutorial CNN (test/fixtures/models/cnn_float32.tflite).
// Run: node --import tsx test/bench/observers.bench.ts
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  EntropyObserver,
  HistogramObserver,
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  MseObserver,
  type Observer,
  PercentileObserver,
  PerAxisObserver,
  calibrate,
  type Sample,
} from "../../kernel/src/calib";
import { mnist } from "../../kernel/src/data/datasets";
import { readModel } from "../../kernel/src/tflite/reader";

const root = process.env.TSQUANT_ROOT ?? join(__dirname, "..", "..");
const N = 10_000_000;
const BATCH = 100_000;

function data(): Float32Array {
  // Deterministic, roughly Gaussian values (sum of uniforms).
  const x = new Float32Array(N);
  let s = 12345;
  for (let i = 0; i < N; i++) {
    let v = 0;
    for (let k = 0; k < 3; k++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      v += s / 2147483648;
    }
    x[i] = v - 1.5;
  }
  return x;
}

/** Best of `reps` runs: the machine is shared, so the minimum is the least disturbed time. */
function bench(name: string, make: () => Observer, x: Float32Array, reps = 3): void {
  let observeMs = Infinity;
  let qparamsMs = Infinity;
  for (let r = 0; r < reps; r++) {
    const o = make();
    const t0 = performance.now();
    for (let i = 0; i < N; i += BATCH) o.observe(x.subarray(i, i + BATCH));
    const t1 = performance.now();
    o.computeQParams();
    const t2 = performance.now();
    observeMs = Math.min(observeMs, t1 - t0);
    qparamsMs = Math.min(qparamsMs, t2 - t1);
  }
  const rate = N / (observeMs / 1000);
  console.log(
    `${name.padEnd(28)} observe ${observeMs.toFixed(0).padStart(6)} ms  ${(rate / 1e6).toFixed(1).padStart(6)} M values/s   computeQParams ${qparamsMs.toFixed(1)} ms`,
  );
}

async function main(): Promise<void> {
  const x = data();
  console.log(`observers on ${N / 1e6}M float32 values, batches of ${BATCH}, best of 3`);
  bench("minmax", () => new MinMaxObserver(), x);
  bench("movingAverage", () => new MovingAverageMinMaxObserver(), x);
  bench("histogram (2048 bins)", () => new HistogramObserver(), x);
  bench("percentile 99.99", () => new PercentileObserver(), x);
  bench("mse (100 candidates)", () => new MseObserver(), x);
  bench("entropy (KL, 2048 bins)", () => new EntropyObserver(), x);
  {
    const o = new PerAxisObserver(() => new MinMaxObserver(), -1);
    const t0 = performance.now();
    for (let i = 0; i < N; i += BATCH) o.observe(x.subarray(i, i + BATCH), [BATCH / 100, 100]);
    const ms = performance.now() - t0;
    console.log(
      `${"perAxis(minmax), 100 ch".padEnd(28)} observe ${ms.toFixed(0).padStart(6)} ms  ${(N / ms / 1e3).toFixed(1).padStart(6)} M values/s`,
    );
  }

  const model = readModel(
    new Uint8Array(readFileSync(join(root, "test", "fixtures", "models", "cnn_float32.tflite"))),
  );
  const images = mnist().train.asFloat().data;
  const samples: Sample[] = Array.from({ length: 100 }, (_, i) => [
    { data: images.slice(i * 784, (i + 1) * 784), shape: [1, 28, 28] },
  ]);
  console.log(
    "calibrate(): 100 MNIST training images through the tutorial CNN (cnn_float32.tflite), best of 3",
  );
  for (const [label, opts] of [
    ["minmax, no histograms", { method: "minmax", keepHistograms: false }],
    ["minmax + histograms", { method: "minmax" }],
    ["percentile", { method: "percentile" }],
    ["mse", { method: "mse" }],
    ["entropy", { method: "entropy" }],
  ] as const) {
    await calibrate(model, samples.slice(0, 5), opts); // warm-up
    let ms = Infinity;
    let r = await calibrate(model, samples.slice(0, 1), opts);
    for (let rep = 0; rep < 3; rep++) {
      const t0 = performance.now();
      r = await calibrate(model, samples, opts);
      ms = Math.min(ms, performance.now() - t0);
    }
    console.log(
      `  ${label.padEnd(24)} ${ms.toFixed(0).padStart(6)} ms  (${r.tensors.length} tensors, ${r.samples} samples)`,
    );
  }
}

void main();
