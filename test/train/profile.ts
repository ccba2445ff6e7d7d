/**
 * Per-kernel CPU-time profile of `model.fit` on the tutorial CNN (batch 32, Adam): every kernel of
 * tfjs's "cpu" backend is wrapped to add up its process CPU time (outermost calls only), so the
 * split survives a loaded machine better than wall-clock timings; the remainder of the step's CPU
 * time is tfjs's engine, tape and layers code plus garbage collection outside kernels. Not a test;
 * it produced the tables in kernel/src/fast/README.md.
 *
 *   node --import tsx test/train/profile.ts [images=3200] [stock|fast]
 */
import * as tf from "@tensorflow/tfjs";
import { mnist } from "../../kernel/src/data";
import { enableFastKernels } from "../../kernel/src/fast";
import { compileTutorial, toTensors, tutorialCnn } from "../../kernel/src/train";

async function main(): Promise<void> {
  await tf.setBackend("cpu");
  const images = Number(process.argv[2] ?? 3200);
  if (process.argv[3] !== "stock") enableFastKernels();
  const stats = new Map<string, { us: number; calls: number }>();
  let depth = 0;
  for (const k of tf.getKernelsForBackend("cpu")) {
    const inner = k.kernelFunc;
    tf.unregisterKernel(k.kernelName, "cpu");
    tf.registerKernel({
      ...k,
      kernelFunc: (args) => {
        depth++;
        const c0 = process.cpuUsage();
        try {
          return inner(args);
        } finally {
          depth--;
          const c = process.cpuUsage(c0);
          if (depth === 0) {
            const e = stats.get(k.kernelName) ?? { us: 0, calls: 0 };
            e.us += c.user + c.system;
            e.calls++;
            stats.set(k.kernelName, e);
          }
        }
      },
    });
  }
  const { x, y } = toTensors(mnist().train.take(images));
  const model = tutorialCnn(0);
  compileTutorial(model);
  const fitArgs = { batchSize: 32, epochs: 1, shuffle: false, verbose: 0 } as const;
  await model.fit(x.slice(0, 320), y.slice(0, 320), fitArgs);
  stats.clear();
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await model.fit(x, y, fitArgs);
  const c = process.cpuUsage(c0);
  const wall = (performance.now() - t0) / 1000;
  const steps = images / 32;
  const perStep = (us: number): number => us / steps / 1000;
  const total = perStep(c.user + c.system);
  const kernels = perStep([...stats.values()].reduce((s, e) => s + e.us, 0));
  console.log(
    `${(images / wall).toFixed(0)} images/s wall; CPU per step ${total.toFixed(2)} ms: kernels ${kernels.toFixed(2)} ms, rest ${(total - kernels).toFixed(2)} ms`,
  );
  for (const [name, e] of [...stats].sort((p, q) => q[1].us - p[1].us).slice(0, 25)) {
    const ms = perStep(e.us);
    console.log(
      `| ${name} | ${ms.toFixed(2)} | ${((100 * ms) / total).toFixed(1)} % | ${(e.calls / steps).toFixed(1)} |`,
    );
  }
}

void main();
