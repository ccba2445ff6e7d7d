/**
 * The payload of tsquant's rich display: the JSON that the kernel puts under
 * `application/vnd.tsquant.v1+json` in a MIME bundle and that the JupyterLab extension renders.
 *
 * One source of truth for both sides, versioned by the MIME type: a change that an older
 * renderer could not read needs a new MIME type (`v2`), not a new field meaning.
 *
 * This module is dependency-free and browser-safe (types and constants only, no Node APIs):
 * the labextension bundles it. Payloads carry the data a plot needs, never rendered pictures,
 * so a saved notebook re-renders without a kernel.
 *
 * Conventions: all numbers are finite unless a field says otherwise (`null` marks "not
 * measured"); arrays that belong together have equal lengths; names are tensor and op names as
 * they appear in the .tflite graph.
 */

/** The MIME type. It ends in `+json`, so nbformat stores the payload as JSON, not a string. */
export const TSQUANT_MIME = "application/vnd.tsquant.v1+json" as const;

/** Every `kind` this version of the payload knows. */
export const PAYLOAD_KINDS = [
  "range",
  "error",
  "weights",
  "table",
  "progress",
  "model",
  "qparams",
  "calibration",
] as const;
export type PayloadKind = (typeof PAYLOAD_KINDS)[number];

/**
 * A histogram over uniform bins: bin `i` covers
 * `[min + i * w, min + (i + 1) * w)` with `w = (max - min) / counts.length` (the last bin also
 * holds `max`). `counts[i] >= 0`. Degenerate case: `min == max` means every value equals `min`.
 */
export interface HistogramData {
  min: number;
  max: number;
  counts: number[];
}

/** A [min, max] range that a calibration method chose for a tensor. */
export interface CalibrationRange {
  /** `"minmax"`, `"percentile"`, `"entropy"`, `"mse"` or another method's name. */
  method: string;
  min: number;
  max: number;
  /** A human label, e.g. `"percentile 99.99"`. Defaults to `method`. */
  label?: string;
}

/**
 * Range plot: a tensor's value histogram and the [min, max] chosen for it. The renderer
 * recomputes MSE, SQNR and the clipped fraction in the browser as the user drags the range or
 * changes `bits`, `symmetric`, `narrowRange`.
 */
export interface RangePayload {
  kind: "range";
  title?: string;
  /** Tensor name. */
  tensor: string;
  histogram: HistogramData;
  /** The range in use (what the converter would quantize with). */
  range: { min: number; max: number };
  /** Integer bits, 2..16 (8 for int8, 16 for int16 activations). */
  bits: number;
  /** Symmetric: zeroPoint = 0, scale = max(|min|, |max|) / qmax. */
  symmetric: boolean;
  /** Narrow range: qmin = -(2^(bits-1) - 1) instead of -2^(bits-1). */
  narrowRange: boolean;
  /** Where each calibration method put the range (may be empty). */
  methods: CalibrationRange[];
}

/** One layer's (one tensor's) error of a quantized model against its float twin. */
export interface LayerError {
  /** Position in graph (execution) order, 0-based. */
  index: number;
  /** Output tensor name. */
  name: string;
  /** Op type, e.g. `"CONV_2D"`, `"FULLY_CONNECTED"`. */
  op: string;
  /** Signal-to-quantization-noise ratio in dB: 10·log10(Σx² / Σ(x − x̂)²); null if the error is 0. */
  sqnr: number | null;
  /** Mean squared error mean((x − x̂)²). */
  mse: number;
  /** Cosine similarity Σx·x̂ / √(Σx² · Σx̂²) over the whole tensor (1 when both are all zero). */
  cosine?: number;
  /** The quantized model's name for this tensor, when it differs from the float name. */
  quantizedName?: string;
  /**
   * A sample of (float, dequantized quantized) value pairs for the scatter plot; equal lengths,
   * at most a few thousand points (the kernel subsamples).
   */
  sample?: { float: number[]; quantized: number[] };
  /** Histogram of the error x̂ − x over the whole tensor (optional; else built from `sample`). */
  errorHistogram?: HistogramData;
}

/** Error plot: per-layer error of a quantized model, bars in graph order. */
export interface ErrorPayload {
  kind: "error";
  title?: string;
  /** Which metric the bars show first (the user can switch). */
  metric: "sqnr" | "mse";
  layers: LayerError[];
}

/**
 * Weights plot: per-channel weight ranges of one layer (min/max whiskers per output channel),
 * with the per-tensor range overlaid.
 */
export interface WeightsPayload {
  kind: "weights";
  title?: string;
  /** Layer (op output) name. */
  layer: string;
  /** Weight tensor name. */
  tensor: string;
  /** The channel axis (TFLite's quantized_dimension; 0 for CONV_2D and FULLY_CONNECTED). */
  axis: number;
  channelMin: number[];
  channelMax: number[];
  /** Per-tensor range: the min and max over all channels. */
  tensorMin: number;
  tensorMax: number;
  /** Per-channel scales, if the tensor is quantized per channel. */
  scales?: number[];
}

/** One row of the comparison table: one model variant. */
export interface ComparisonRow {
  /** e.g. `"float32"`, `"float16"`, `"dynamic range"`, `"int8"`, `"int8 (QAT)"`. */
  variant: string;
  /** Accuracy in [0, 1] on the evaluation set. */
  accuracy: number;
  /** Size of the .tflite file in bytes. */
  sizeBytes: number;
  /** Mean latency of one inference in milliseconds; null if not measured. */
  latencyMs: number | null;
  /** Input and output tensor types, e.g. `"float32"`, `"int8"`, `"uint8"`. */
  inputType: string;
  outputType: string;
}

/**
 * Comparison table. Δ accuracy and compression ratio are derived in the renderer against the
 * baseline row: Δ = accuracy − baseline accuracy, ratio = baseline size / size.
 */
export interface TablePayload {
  kind: "table";
  title?: string;
  /** `variant` of the float baseline row (must be one of `rows`). */
  baseline: string;
  rows: ComparisonRow[];
}

/** One point of a training curve (per epoch or per logged step). */
export interface CurvePoint {
  step: number;
  loss: number;
  accuracy?: number;
  valLoss?: number;
  valAccuracy?: number;
}

/**
 * Progress of a long task. The kernel sends it with a display id and updates it in place
 * (`update_display_data`), so a saved notebook keeps the last state.
 */
export interface ProgressPayload {
  kind: "progress";
  title?: string;
  task: "training" | "calibration" | "evaluation" | "conversion";
  /** Units done and total (samples, batches or epochs, as `unit` says); total >= 1. */
  done: number;
  total: number;
  unit?: string;
  /** Elapsed wall time in seconds. */
  elapsedSeconds?: number;
  /** The latest status line, e.g. `"epoch 2/5 loss 0.213"`. */
  message?: string;
  /** `"running"` until the task ends. */
  status: "running" | "done" | "failed";
  /** Training curve (training only). */
  curve?: CurvePoint[];
}

/**
 * A tensor's quantization in the model table: `real = scale · (q − zeroPoint)`. Per-tensor: just
 * `scale` and `zeroPoint`. Per-channel (`channels` slices along `axis`): `scale`/`zeroPoint` are
 * the smallest and `scaleMax`/`zeroPointMax` the largest over the channels (the full lists are a
 * "qparams" payload's business). Scales are float32 values written with 9 significant digits.
 */
export interface TensorQuantization {
  scale: number;
  zeroPoint: number;
  channels?: number;
  axis?: number;
  scaleMax?: number;
  zeroPointMax?: number;
}

/** One tensor of a model table. */
export interface ModelTensor {
  /** Index in the subgraph's tensor list (what op inputs and outputs refer to). */
  index: number;
  name: string;
  /** TFLite tensor type, e.g. `"float32"`, `"int8"`. */
  dtype: string;
  /** Dimensions; -1 marks a dynamic one. */
  shape: number[];
  /** Bytes: the constant's buffer, else elements × element size (0 when unknown). */
  bytes: number;
  /** Holds data in the file (weights, biases, constant shapes). */
  constant: boolean;
  quantization: TensorQuantization | null;
}

/** One operator of a model table, in execution order. */
export interface ModelOp {
  /** Position in the subgraph's operator list, 0-based. */
  index: number;
  /** Builtin name, e.g. `"CONV_2D"`, or `"CUSTOM <code>"`. */
  op: string;
  version: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
}

/**
 * Model summary (subgraph 0): the ops table, the tensors the shown ops use (dtype, shape, size,
 * quantization), the graph inputs and outputs, and totals over the whole subgraph. Bounded: a
 * large model is cut to its first ops (all their tensors kept) and `note` says what was left out.
 */
export interface ModelPayload {
  kind: "model";
  title?: string;
  ops: ModelOp[];
  /** Every tensor an entry of `ops`, `inputs` or `outputs` refers to, by index order. */
  tensors: ModelTensor[];
  inputs: number[];
  outputs: number[];
  totals: {
    /** Over the whole subgraph, shown or not. */
    ops: number;
    tensors: number;
    /** Bytes of constant data (weights, biases, …) across the model's buffers. */
    constantBytes: number;
    /** Bytes of the non-constant tensors (activations, inputs, outputs). */
    activationBytes: number;
    subgraphs: number;
  };
  /** Set when the payload was cut, e.g. "showing 150 of 412 ops". */
  note?: string;
}

/**
 * Quantization parameters: `real = scale · (q − zeroPoint)` with integer codes q in
 * [qmin, qmax]. Per-tensor (`axis` null): one scale and one zero point. Per-channel: slice i
 * along `axis` uses `scales[i]`, `zeroPoints[i]`; the lists may be cut to bound the payload
 * (`channels` is the full count).
 */
export interface QParamsPayload {
  kind: "qparams";
  title?: string;
  /** The tensor these parameters belong to, if known. */
  tensor?: string;
  bits: number;
  signed: boolean;
  narrowRange: boolean;
  qmin: number;
  qmax: number;
  axis: number | null;
  /** Each > 0; equal lengths; length 1 when `axis` is null. */
  scales: number[];
  zeroPoints: number[];
  channels: number;
}

/** One calibrated tensor: what was observed, the range chosen, and its parameters. */
export interface CalibratedTensor {
  /** Tensor index in subgraph 0. */
  index: number;
  name: string;
  shape: number[];
  /** A constant (weights), observed once from its data. */
  constant: boolean;
  /** Exact extremes over every sample. */
  min: number;
  max: number;
  /** The range the method chose (`rangeMin <= rangeMax`). */
  rangeMin: number;
  rangeMax: number;
  /** Its parameters: `real = scale · (q − zeroPoint)`. */
  scale: number;
  zeroPoint: number;
}

/**
 * Calibration results: every observed float tensor with its range and parameters, in tensor
 * order. Bounded like the model payload (`note` says when tensors were left out).
 */
export interface CalibrationPayload {
  kind: "calibration";
  title?: string;
  /** `"minmax"`, `"percentile"`, `"entropy"`, … */
  method: string;
  samples: number;
  tensors: CalibratedTensor[];
  note?: string;
}

export type Payload =
  | RangePayload
  | ErrorPayload
  | WeightsPayload
  | TablePayload
  | ProgressPayload
  | ModelPayload
  | QParamsPayload
  | CalibrationPayload;
