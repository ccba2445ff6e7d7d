/**
 * Deterministic synthetic payloads of every kind, for the sample notebook the browser test opens
 * and for the renderer's unit tests. Synthetic, not from a real model: a seeded generator makes
 * values with the shapes real tensors have (a skewed activation with outliers, per-layer errors
 * that grow with depth), so the plots look like the real thing and never change between runs.
 */
import type {
  ErrorPayload,
  HistogramData,
  LayerError,
  ProgressPayload,
  RangePayload,
  TablePayload,
  WeightsPayload,
} from "../../kernel/src/display/payload";
import { rangeReadout } from "../../labextension/src/rangeMath";

/** Park–Miller minimal standard generator: seeded, reproducible, uniform in (0, 1). */
export function seededUniform(seed: number): () => number {
  let state = seed % 2147483647;
  if (state <= 0) state += 2147483646;
  return () => {
    state = (state * 16807) % 2147483647;
    return state / 2147483647;
  };
}

/** Standard normal samples by Box–Muller over a seeded uniform generator. */
export function seededNormal(seed: number): () => number {
  const u = seededUniform(seed);
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

function histogramOfValues(values: number[], bins: number): HistogramData {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  const width = (max - min) / bins;
  for (const v of values) {
    const bin = Math.min(bins - 1, Math.floor((v - min) / width));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  return { min, max, counts };
}

/**
 * A conv activation before ReLU: mostly N(0.4, 0.5²) with a 0.2 % tail of outliers up to ~9 —
 * the case where min/max calibration wastes the grid and percentile/MSE clip the tail.
 */
export function activationValues(n = 20000): number[] {
  const normal = seededNormal(7);
  const u = seededUniform(11);
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    values.push(u() < 0.002 ? 3 + 6 * u() : 0.4 + 0.5 * normal());
  }
  return values;
}

/** The max (min fixed) in 200 steps up to `max` whose int8 grid has the least expected MSE. */
function mseOptimalMax(histogram: HistogramData, min: number, max: number): number {
  let best = max;
  let bestMse = Infinity;
  for (let i = 1; i <= 200; i++) {
    const candidate = Number(((max * i) / 200).toPrecision(4));
    const { mse } = rangeReadout(histogram, {
      min,
      max: candidate,
      bits: 8,
      symmetric: false,
      narrowRange: false,
    });
    if (mse < bestMse) {
      bestMse = mse;
      best = candidate;
    }
  }
  return best;
}

export function rangePayload(): RangePayload {
  const values = activationValues();
  const sorted = [...values].sort((a, b) => a - b);
  const min = sorted[0] ?? 0;
  const max = sorted[sorted.length - 1] ?? 0;
  const pct = (p: number): number => sorted[Math.floor((p / 100) * (sorted.length - 1))] ?? 0;
  const histogram = histogramOfValues(values, 512);
  return {
    kind: "range",
    title: "conv2d_1/Relu input (synthetic)",
    tensor: "sequential/conv2d_1/BiasAdd",
    histogram,
    range: { min, max },
    bits: 8,
    symmetric: false,
    narrowRange: false,
    methods: [
      { method: "minmax", min, max, label: "min/max" },
      { method: "percentile", min: pct(0.01), max: pct(99.99), label: "percentile 99.99" },
      // NOTE: a placeholder for what an entropy calibrator would pick (no KL search here).
      { method: "entropy", min, max: 2.6, label: "entropy (KL)" },
      { method: "mse", min, max: mseOptimalMax(histogram, min, max), label: "MSE" },
    ],
  };
}

const LAYERS: { name: string; op: string; sqnr: number }[] = [
  { name: "sequential/conv2d/Relu", op: "CONV_2D", sqnr: 38.2 },
  { name: "sequential/max_pooling2d/MaxPool", op: "MAX_POOL_2D", sqnr: 38.0 },
  { name: "sequential/conv2d_1/Relu", op: "CONV_2D", sqnr: 33.5 },
  { name: "sequential/max_pooling2d_1/MaxPool", op: "MAX_POOL_2D", sqnr: 33.4 },
  { name: "sequential/flatten/Reshape", op: "RESHAPE", sqnr: 33.4 },
  { name: "sequential/dense/Relu", op: "FULLY_CONNECTED", sqnr: 29.8 },
  { name: "sequential/dense_1/BiasAdd", op: "FULLY_CONNECTED", sqnr: 27.1 },
  { name: "Identity", op: "SOFTMAX", sqnr: 31.9 },
];

/** Per-layer errors: each sample is x and x + noise with the layer's SQNR. */
export function errorPayload(): ErrorPayload {
  const normal = seededNormal(23);
  const layers: LayerError[] = LAYERS.map((l, index) => {
    const float: number[] = [];
    const quantized: number[] = [];
    // NOTE: noise std = signal rms / 10^(sqnr/20), so the sample's SQNR matches the bar.
    const signalRms = 1;
    const noiseStd = signalRms / 10 ** (l.sqnr / 20);
    for (let i = 0; i < 400; i++) {
      const x = Math.max(0, normal());
      // 5 significant digits keep the sample notebook small
      float.push(Number(x.toPrecision(5)));
      quantized.push(Number((x + noiseStd * normal()).toPrecision(5)));
    }
    return {
      index,
      name: l.name,
      op: l.op,
      sqnr: l.sqnr,
      mse: noiseStd * noiseStd,
      sample: { float, quantized },
    };
  });
  return { kind: "error", title: "int8 vs float32, per layer (synthetic)", metric: "sqnr", layers };
}

/** 16 output channels of a conv kernel whose channel ranges differ by up to 8x. */
export function weightsPayload(): WeightsPayload {
  const u = seededUniform(5);
  const channelMin: number[] = [];
  const channelMax: number[] = [];
  for (let c = 0; c < 16; c++) {
    const spread = 0.05 + 0.35 * u();
    channelMin.push(-spread * (0.6 + 0.4 * u()));
    channelMax.push(spread * (0.6 + 0.4 * u()));
  }
  const tensorMin = Math.min(...channelMin);
  const tensorMax = Math.max(...channelMax);
  const scales = channelMin.map((lo, c) => Math.max(-lo, channelMax[c] ?? 0) / 127);
  return {
    kind: "weights",
    title: "conv2d_1 kernel, per output channel (synthetic)",
    layer: "sequential/conv2d_1/Conv2D",
    tensor: "sequential/conv2d_1/Conv2D;kernel",
    axis: 0,
    channelMin,
    channelMax,
    tensorMin,
    tensorMax,
    scales,
  };
}

export function tablePayload(): TablePayload {
  return {
    kind: "table",
    title: "MNIST CNN variants (synthetic numbers)",
    baseline: "float32",
    rows: [
      {
        variant: "float32",
        accuracy: 0.9912,
        sizeBytes: 412648,
        latencyMs: 0.84,
        inputType: "float32",
        outputType: "float32",
      },
      {
        variant: "float16",
        accuracy: 0.9912,
        sizeBytes: 207424,
        latencyMs: 0.86,
        inputType: "float32",
        outputType: "float32",
      },
      {
        variant: "dynamic range",
        accuracy: 0.9909,
        sizeBytes: 106512,
        latencyMs: 0.61,
        inputType: "float32",
        outputType: "float32",
      },
      {
        variant: "int8",
        accuracy: 0.9905,
        sizeBytes: 108200,
        latencyMs: 0.42,
        inputType: "float32",
        outputType: "float32",
      },
      {
        variant: "int8 only",
        accuracy: 0.9903,
        sizeBytes: 108320,
        latencyMs: 0.39,
        inputType: "int8",
        outputType: "int8",
      },
      {
        variant: "int8 (QAT)",
        accuracy: 0.9914,
        sizeBytes: 108200,
        latencyMs: null,
        inputType: "int8",
        outputType: "int8",
      },
    ],
  };
}

export function progressPayload(): ProgressPayload {
  const curve = [0, 1, 2, 3, 4].map((epoch) => ({
    step: epoch + 1,
    loss: 0.9 * Math.exp(-0.7 * epoch) + 0.03,
    accuracy: 0.99 - 0.2 * Math.exp(-0.9 * epoch),
    valLoss: 0.8 * Math.exp(-0.6 * epoch) + 0.05,
    valAccuracy: 0.988 - 0.15 * Math.exp(-0.9 * epoch),
  }));
  return {
    kind: "progress",
    title: "Training (synthetic)",
    task: "training",
    done: 5,
    total: 5,
    unit: "epochs",
    elapsedSeconds: 74.2,
    message: "epoch 5/5 loss 0.0611 accuracy 0.9878",
    status: "done",
    curve,
  };
}
