/**
 * Per-kernel profile of `model.fit` on the tutorial CNN (batch 32, Adam) with tsquant's fast
 * kernels, via `tf.profile`: each kernel's total time and share, and what is left of the wall time
 * (tfjs engine, tape, callbacks). Not a test; it informed kernel/src/fast/README.md.
 *
 *   node --import tsx test/train/profile.ts [images=1600] [stock]
 */
import * as tf from "@tensorflow/tfjs";
import { mnist } from "../../kernel/src/data";
import { enableFastKernels } from "../../kernel/src/fast";
import { compileTutorial, toTensors, tutorialCnn } from "../../kernel/src/train";

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  const images = Number(process.argv[2] ?? 1600);
  if (process.argv[3] !== "stock") enableFastKernels();
  const { x, y } = toTensors(mnist().train.take(images));
  const model = tutorialCnn(0);
  compileTutorial(model);
  const fitArgs = { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 } as const;
  await model.fit(x.slice(0, 320), y.slice(0, 320), fitArgs);
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await model.fit(x, y, fitArgs);
  });
  const wall = performance.now() - t0;
  const byName = new Map<string, { ms: number; calls: number }>();
  let kernelMs = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === "number" ? k.kernelTimeMs : 0;
    kernelMs += ms;
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    e.ms += ms;
    e.calls++;
    byName.set(k.name, e);
  }
  const rows = [...byName].sort((p, q) => q[1].ms - p[1].ms);
  console.log(
    `wall ${wall.toFixed(0)} ms, kernels ${kernelMs.toFixed(0)} ms, ${info.kernels.length} kernel calls, ${(images / (wall / 1000)).toFixed(0)} images/s (profiled)`,
  );
  for (const [name, e] of rows) {
    console.log(
      `${name.padEnd(28)} ${e.ms.toFixed(1).padStart(9)} ms ${((100 * e.ms) / kernelMs).toFixed(1).padStart(5)} % ${String(e.calls).padStart(7)} calls`,
    );
  }
  // Unprofiled rate for comparison (profiling adds per-kernel overhead).
  const t1 = performance.now();
  await model.fit(x, y, fitArgs);
  console.log(`unprofiled: ${(images / ((performance.now() - t1) / 1000)).toFixed(0)} images/s`);
}

void main();
