/**
 * The tutorial's float training run (not a test — minutes of CPU): the MNIST CNN, 5 epochs on
 * the 60,000 training images, batch 32, Adam, with tsquant's fast kernels; prints the test
 * accuracy and the throughput, and (for 5 epochs) writes the `training-mnist` section of
 * test/bench/RESULTS.md. The issue asks for ≥ 98 %.
 *
 *   node --import tsx test/train/mnist5.ts [epochs]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { mnist } from "../../kernel/src/data";
import { compileTutorial, fit, textProgress, toTensors, tutorialCnn } from "../../kernel/src/train";
import { replaceSection } from "../bench/results";

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  const epochs = Number(process.argv[2] ?? 5);
  const data = mnist();
  const train = toTensors(data.train);
  const test = toTensors(data.test);
  const model = tutorialCnn(1);
  compileTutorial(model);
  const t0 = performance.now();
  await fit(model, train.x, train.y, {
    epochs,
    batchSize: 32,
    shuffle: true,
    progress: textProgress((l) => console.log(l), 30_000),
  });
  const seconds = (performance.now() - t0) / 1000;
  const logits = model.predict(test.x) as tf.Tensor;
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.argMax(test.y, -1)), "int32"));
  const accuracy = (await correct.data())[0] / data.test.length;
  const result = {
    date: new Date().toISOString().slice(0, 10),
    epochs,
    trainImages: data.train.length,
    seconds: Math.round(seconds),
    imagesPerSecond: Math.round((epochs * data.train.length) / seconds),
    testAccuracy: accuracy,
    loadAverage: loadavg().map((l) => Number(l.toFixed(1))),
  };
  console.log(JSON.stringify(result));
  if (epochs !== 5) return; // the RESULTS.md section records the tutorial's 5-epoch run only
  const dir = join(__dirname, "..", "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "training-mnist.json"), JSON.stringify(result, null, 2) + "\n");
  const pct = (100 * accuracy).toFixed(2);
  replaceSection(
    "training-mnist",
    "Training: 5 epochs of the tutorial CNN on full MNIST with tsquant's fast kernels (issue 5)",
    [
      `Date: ${result.date}. Command: \`node --import tsx test/train/mnist5.ts 5\` (tfjs CPU + \`enableFastKernels()\`, via \`fit\`; batch 32, Adam lr 0.001, shuffled, 60,000 training images).`,
      "",
      "| epochs | test accuracy (10,000 images) | wall time | images/s |",
      "| -----: | ----------------------------: | --------: | -------: |",
      `| ${epochs} | ${pct} % | ${result.seconds.toLocaleString("en-US")} s | ${result.imagesPerSecond.toLocaleString("en-US")} |`,
      "",
      `Goal ≥ 98 %: ${accuracy >= 0.98 ? "met" : "not met"}. Wall time on the shared 2-core machine (load average ${result.loadAverage.join(", ")} at the end); the benchmark section above has same-run ratios.`,
    ].join("\n"),
  );
}

void main();
