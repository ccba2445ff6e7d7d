/**
 * Depthwise convolution and reduction kernels: tsquant's fast kernels against tfjs's stock cpu
 * kernels on the same inputs, alternating stock and fast run by run so both see the same machine
 * load (not a test):
 *
 *   node --import tsx test/bench/depthwise.bench.ts [--no-write]
 *
 * Cases: the MobileNet-style block of the brief (x [64,26,26,4], 3×3, multiplier 2, valid) and
 * MobileNet-like layers ([32,56,56,32], multiplier 1, strides 1 and 2, same and valid) for
 * DepthwiseConv2dNative and its two gradients; Mean over [0,1,2] and [1,2], moments, the mean's
 * gradient, and the Tile and broadcast Multiply that BatchNormalization's and the mean's
 * gradients run. Writes the "depthwise" section of test/bench/RESULTS.md.
 */
import * as tf from "@tensorflow/tfjs";
import { disableFastKernels, enableFastKernels } from "../../kernel/src/fast";
import { replaceSection } from "./results";

tf.setBackend("cpu");

/** Per case, alternate stock and fast runs until both have this many or the budget is spent. */
const RUNS = 7;
const BUDGET_MS = 12_000;

interface Case {
  name: string;
  shapes: string;
  run: () => tf.Tensor;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

function timeOnce(run: () => tf.Tensor): number {
  const t0 = performance.now();
  const y = run();
  y.dataSync();
  const ms = performance.now() - t0;
  y.dispose();
  return ms;
}

function kernel(name: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
}

function depthwiseCases(
  label: string,
  xShape: [number, number, number, number],
  k: number,
  m: number,
  stride: number,
  pad: "same" | "valid",
): Case[] {
  const filterShape: [number, number, number, number] = [k, k, xShape[3], m];
  const info = tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    stride,
    1,
    pad,
    "floor",
    true,
  );
  const x = tf.randomUniform(xShape, -1, 1);
  const filter = tf.randomUniform(filterShape, -1, 1);
  const dy = tf.randomUniform(info.outShape, -1, 1);
  const attrs = { strides: [stride, stride], pad, dilations: [1, 1] };
  const shapes = `x [${xShape.join(",")}], ${k}×${k}, m ${m}, stride ${stride}, ${pad}`;
  return [
    {
      name: `${label} forward`,
      shapes,
      run: () => kernel("DepthwiseConv2dNative", { x, filter }, attrs),
    },
    {
      name: `${label} filter gradient`,
      shapes,
      run: () =>
        kernel("DepthwiseConv2dNativeBackpropFilter", { x, dy }, { ...attrs, filterShape }),
    },
    {
      name: `${label} input gradient`,
      shapes,
      run: () =>
        kernel(
          "DepthwiseConv2dNativeBackpropInput",
          { dy, filter },
          { ...attrs, inputShape: xShape },
        ),
    },
  ];
}

function reductionCases(): Case[] {
  const t = tf.randomUniform([64, 24, 24, 8], -1, 1);
  const g = tf.randomUniform([64, 12, 12, 8], -1, 1);
  const row = tf.randomUniform([1, 1, 1, 8], -1, 1);
  const perImage = tf.randomUniform([64, 1, 1, 8], -1, 1);
  return [
    { name: "Mean over [0,1,2]", shapes: "[64,24,24,8]", run: () => tf.mean(t, [0, 1, 2]) },
    { name: "Mean over [1,2]", shapes: "[64,12,12,8]", run: () => tf.mean(g, [1, 2]) },
    {
      name: "moments over [0,1,2] (variance)",
      shapes: "[64,24,24,8]",
      run: () => tf.tidy(() => tf.moments(t, [0, 1, 2]).variance),
    },
    {
      name: "gradient of Mean over [1,2]",
      shapes: "[64,12,12,8]",
      run: () => tf.grad((a: tf.Tensor) => tf.mean(a, [1, 2]).sum())(g),
    },
    {
      name: "Tile (BatchNorm gradient)",
      shapes: "[1,1,1,8] × reps [64,24,24,1]",
      run: () => tf.tile(row, [64, 24, 24, 1]),
    },
    {
      name: "Multiply, middle broadcast",
      shapes: "[64,1,1,8] · [64,12,12,8]",
      run: () => tf.mul(perImage, g),
    },
  ];
}

interface Result {
  c: Case;
  stock: number;
  fast: number;
  runs: number;
}

function measure(c: Case): Result {
  const stock: number[] = [];
  const fast: number[] = [];
  // warm-up of both (V8 tiers the WebAssembly and the TypeScript up on first use)
  disableFastKernels();
  timeOnce(c.run);
  enableFastKernels();
  timeOnce(c.run);
  timeOnce(c.run);
  const t0 = performance.now();
  while (stock.length < RUNS && (stock.length < 1 || performance.now() - t0 < BUDGET_MS)) {
    disableFastKernels();
    stock.push(timeOnce(c.run));
    enableFastKernels();
    fast.push(timeOnce(c.run));
  }
  return { c, stock: median(stock), fast: median(fast), runs: stock.length };
}

function main(): void {
  const write = !process.argv.includes("--no-write");
  const cases = [
    ...depthwiseCases("brief block", [64, 26, 26, 4], 3, 2, 1, "valid"),
    ...depthwiseCases("MobileNet s1 same", [32, 56, 56, 32], 3, 1, 1, "same"),
    ...depthwiseCases("MobileNet s2 same", [32, 56, 56, 32], 3, 1, 2, "same"),
    ...depthwiseCases("MobileNet s1 valid", [32, 56, 56, 32], 3, 1, 1, "valid"),
    ...depthwiseCases("MobileNet s2 valid", [32, 56, 56, 32], 3, 1, 2, "valid"),
    ...reductionCases(),
  ];
  const results: Result[] = [];
  for (const c of cases) {
    const r = measure(c);
    results.push(r);
    console.log(
      `${c.name} (${c.shapes}): stock ${r.stock.toFixed(2)} ms, fast ${r.fast.toFixed(2)} ms, ${(r.stock / r.fast).toFixed(1)}× (${r.runs} runs)`,
    );
  }
  disableFastKernels();
  const f = (ms: number): string => ms.toFixed(ms < 10 ? 2 : 1);
  const body = [
    `Date: ${new Date().toISOString().slice(0, 10)}. Command: \`node --import tsx test/bench/depthwise.bench.ts\`. Machine: 2 cores shared with other jobs, Node ${process.version}, WebAssembly SIMD on.`,
    "",
    `Medians of up to ${RUNS} runs per case, stock and fast alternating in one process after a warm-up of each (fewer runs where stock exceeds the ${BUDGET_MS / 1000} s budget); the depthwise rows run the kernel alone (\`tf.engine().runKernel\`), the others the public op. Speedup = stock ÷ fast (higher is better).`,
    "",
    "| case | shapes | stock (ms) | fast (ms) | speedup | runs |",
    "| --- | --- | ---: | ---: | ---: | ---: |",
    ...results.map(
      (r) =>
        `| ${r.c.name} | ${r.c.shapes} | ${f(r.stock)} | ${f(r.fast)} | ${(r.stock / r.fast).toFixed(1)}× | ${r.runs} |`,
    ),
  ].join("\n");
  if (write) {
    replaceSection(
      "depthwise",
      "Depthwise convolution, Mean, Tile: fast kernels vs stock tfjs cpu",
      body,
    );
  }
  console.log(body);
}

main();
