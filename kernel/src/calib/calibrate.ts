/**
 * `calibrate`: run a float model in tsquant's interpreter over a representative dataset and
 * observe every float tensor — what TFLite's calibrator does (docs/quantization.md, "Full integer", step 3), with a
 * choice of range method. The result keeps, per tensor, the exact min/max, the chosen range,
 * its quantization parameters and a histogram for plots.
 *
 * By default the samples run in chunks through `BatchedFloatExecutor` (batched.ts):
 * the interpreter's float arithmetic, bit for bit, with one op call per chunk and WebAssembly
 * SIMD matrix products; `executor: "interpreter"` runs them one at a time in the interpreter.
 */
import { DataFormatError, ShapeError, UsageError } from "../errors";
import type { DType, Model, TypedArray } from "../ir";
import { BatchedFloatExecutor, copyInto } from "./batched";
import { Interpreter } from "../interpreter/interpreter";
import { readModel } from "../tflite/reader";
import type { QuantParams, QuantParamsOptions } from "../quant/params";
import { EntropyObserver } from "./entropy";
import type { HistogramSnapshot } from "./histogram";
import { HistogramObserver, MseObserver, PercentileObserver } from "./histogramObservers";
import { MinMaxObserver, MovingAverageMinMaxObserver } from "./minmax";
import type { Observer, ObserverOptions, Range } from "./observer";
import { watchDataset } from "../services/watch";
import {
  type ModelInput,
  type AnySample,
  type SampleInput,
  modelInputs,
  orderSample,
} from "./samples";

export type CalibrationMethod =
  "minmax" | "movingAverage" | "histogram" | "percentile" | "entropy" | "mse";

export type { AnySample, Sample, SampleArray, SampleInput } from "./samples";
export type RepresentativeDataset =
  | Iterable<AnySample>
  | AsyncIterable<AnySample>
  | (() => Iterable<AnySample> | AsyncIterable<AnySample>);

export interface CalibrateOptions {
  /** Default "minmax" (TFLite's calibrator). */
  method?: CalibrationMethod;
  /** Use at most this many samples (default: all). */
  samples?: number;
  /** Percentile for method "percentile" (default 99.99). */
  percentile?: number;
  /** EMA decay for "movingAverage" (default 0.999). */
  decay?: number;
  /** Histogram bins (default 2048). */
  bins?: number;
  /** How ranges become parameters (default: int8 asymmetric activations). */
  qparams?: QuantParamsOptions;
  /** Keep a histogram of every tensor for plots (default true). */
  keepHistograms?: boolean;
  /**
   * How the float model runs. "batched" (default): chunks of samples stacked along dimension
   * 0 through `BatchedFloatExecutor` (convolutions and fully connected layers as WebAssembly
   * SIMD matrix products in the reference kernels' float32 order), every tensor bit-identical
   * to the interpreter's. "interpreter": one sample at a time through `Interpreter` (the
   * specification the batched executor is tested against).
   */
  executor?: "batched" | "interpreter";
  /** Samples per chunk of the batched executor (default 32). */
  chunkSize?: number;
  /**
   * Progress output when the number of samples is known (an array, or `samples`): "auto"
   * (default) in a Jupyter cell, or as text when stderr is a terminal; true; false.
   */
  progress?: boolean | "auto";
  /** Stop between samples when aborted (InterruptedError); default: the kernel's interrupt. */
  signal?: AbortSignal;
}

export interface TensorCalibration {
  index: number;
  name: string;
  shape: number[];
  /** A constant (weights): observed once from its data. */
  constant: boolean;
  /** Exact extremes over every sample. */
  min: number;
  max: number;
  /** The range the method chose (before widening to include 0). */
  range: Range;
  /**
   * The observer's parameters of `range` under `options.qparams` (int8 asymmetric by default):
   * what the range means, for display. A converted file's scales are decided by the converter's
   * integer pass alone, from `range` and the conversion mode (int8 or int16, TF's rules).
   */
  qparams: QuantParams;
  /** Values observed. */
  count: number;
  histogram: HistogramSnapshot | null;
}

export interface CalibrationResult {
  method: CalibrationMethod;
  samples: number;
  /** Every float32 tensor of subgraph 0, by tensor index order. */
  tensors: TensorCalibration[];
  /** The entry of the tensor with this name (undefined if none). */
  get(name: string): TensorCalibration | undefined;
}

const INPUT_ARRAY_OF: Partial<Record<DType, new (n: number) => TypedArray>> = {
  float32: Float32Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  int32: Int32Array,
};

function makeObserver(options: CalibrateOptions, name: string): Observer {
  const base: ObserverOptions & { bins?: number } = {
    name,
    qparams: options.qparams,
    bins: options.bins,
  };
  const method = options.method ?? "minmax";
  switch (method) {
    case "minmax":
      return new MinMaxObserver(base);
    case "movingAverage":
      return new MovingAverageMinMaxObserver({ ...base, decay: options.decay });
    case "histogram":
      return new HistogramObserver(base);
    case "percentile":
      return new PercentileObserver({ ...base, percentile: options.percentile });
    case "entropy":
      return new EntropyObserver(base);
    case "mse":
      return new MseObserver(base);
    default:
      throw new UsageError(
        `calibrate: unknown method "${String(method satisfies never)}"; expected minmax, movingAverage, histogram, percentile, entropy or mse`,
      );
  }
}

/**
 * Run `model` (IR or .tflite bytes) on each sample of `dataset` and observe every float32
 * tensor. Each sample is a list with one entry per model input, a record keyed by input tensor
 * name or signature input name, or (one-input models) the input itself (calib/samples.ts); a
 * batch dimension different from the model's resizes the input (as TF's calibrator does).
 *
 * Errors (named, with the input, the expected and the found shape or dtype): a sample with the
 * wrong number of inputs, rank, shape or dtype (ShapeError); NaN or Infinity in a sample
 * (DataFormatError); an empty dataset (UsageError).
 */
export async function calibrate(
  model: Model | Uint8Array,
  dataset: RepresentativeDataset,
  options: CalibrateOptions = {},
): Promise<CalibrationResult> {
  const method = options.method ?? "minmax";
  const limit = options.samples ?? Infinity;
  if (!(limit >= 1))
    throw new UsageError(`calibrate: samples must be >= 1; found ${options.samples}`);
  const ir = model instanceof Uint8Array ? readModel(model) : model;
  const subgraph = ir.subgraphs[0];
  if (subgraph === undefined) throw new UsageError("calibrate: the model has no subgraph");
  const inputs = modelInputs(ir, "calibrate");
  const declared = inputs.map((d) => d.shape);

  const all = subgraph.tensors
    .map((t, index) => ({ index, name: t.name, dtype: t.type }))
    .filter((d) => d.dtype === "float32");
  const inputIndices = new Set(inputs.map((d) => d.index));
  const constants = new Set<number>();
  // A tensor is a constant if it has data before any input is set: its value never changes.
  for (const d of all) {
    if (inputIndices.has(d.index)) continue;
    const t = ir.subgraphs[0].tensors[d.index];
    if (t.buffer !== 0 && (ir.buffers[t.buffer]?.data?.byteLength ?? 0) > 0) constants.add(d.index);
  }
  const observers = new Map<number, Observer>();
  /** Each activation's histogram observer for plots: its own observer when that keeps one. */
  const histograms = new Map<number, Observer>();
  const keep = options.keepHistograms ?? true;
  for (const d of all) {
    if (constants.has(d.index)) {
      observers.set(
        d.index,
        new MinMaxObserver({ name: d.name, qparams: { ...options.qparams, role: "weight" } }),
      );
      continue;
    }
    const o = makeObserver(options, d.name);
    observers.set(d.index, o);
    if (keep)
      histograms.set(
        d.index,
        o.histogram !== undefined ? o : new HistogramObserver({ name: d.name, bins: options.bins }),
      );
  }

  const observe = (index: number, data: Float32Array): void => {
    const o = observers.get(index);
    o?.observe(data);
    const h = histograms.get(index);
    if (h !== undefined && h !== o) h.observe(data);
  };
  const watched = watchDataset(
    typeof dataset === "function" ? dataset() : dataset,
    limit,
    options,
    "calibration",
  );
  const source = watched.source;
  const run =
    (options.executor ?? "batched") === "batched"
      ? runBatched(ir, source, limit, inputs, declared, all, constants, observe, options.chunkSize)
      : runInterpreter(ir, source, limit, inputs, declared, all, constants, observe);
  const { count, shapes } = await run;
  watched.end(count);
  if (count === 0) {
    throw new UsageError(
      "calibrate: the representative dataset yielded no samples; at least one is needed",
    );
  }

  const tensors: TensorCalibration[] = [];
  for (const d of all) {
    const o = observers.get(d.index);
    if (o === undefined || o.count === 0) continue;
    const exact = o.observedRange();
    const histogram = histograms.get(d.index)?.histogram;
    // NOTE: computeRange once (entropy and MSE searches are the costly part), and the observer's
    // parameters of that range.
    const range = o.computeRange();
    tensors.push({
      index: d.index,
      name: d.name,
      shape: shapes.get(d.index) ?? [],
      constant: constants.has(d.index),
      min: exact.min,
      max: exact.max,
      range,
      qparams: o.computeQParams(range),
      count: o.count,
      histogram: histogram === undefined ? null : histogram.toJSON(),
    });
  }
  const byName = new Map(tensors.map((t) => [t.name, t]));
  return { method, samples: count, tensors, get: (name: string) => byName.get(name) };
}

/** What the calibration loop needs to know of a model input. */
type InputInfo = ModelInput;

type Observe = (index: number, data: Float32Array) => void;

/** Samples run and each float tensor's shape for the last sample. */
interface RunResult {
  count: number;
  shapes: Map<number, number[]>;
}

/** One sample at a time through the interpreter (bit-exact float32 reference order). */
async function runInterpreter(
  ir: Model,
  source: Iterable<AnySample> | AsyncIterable<AnySample>,
  limit: number,
  inputs: InputInfo[],
  declared: number[][],
  all: { index: number }[],
  constants: Set<number>,
  observe: Observe,
): Promise<RunResult> {
  const interpreter = new Interpreter({ model: ir, preserveAllTensors: true });
  interpreter.allocateTensors();
  let count = 0;
  let currentShapes = declared.map((s) => [...s]);
  for await (const sample of source as AsyncIterable<AnySample>) {
    if (count >= limit) break;
    const values = checkSample(sample, count, inputs, declared);
    const shapes = values.map((v) => v.shape);
    if (shapes.some((s, i) => !sameShape(s, currentShapes[i]))) {
      shapes.forEach((s, i) => interpreter.resizeTensorInput(inputs[i].index, s));
      interpreter.allocateTensors();
      currentShapes = shapes;
    }
    values.forEach((v, i) => interpreter.setTensor(inputs[i].index, v.data));
    interpreter.invoke();
    for (const d of all) {
      if (constants.has(d.index) && count > 0) continue;
      const data = interpreter.getTensor(d.index).data;
      if (!(data instanceof Float32Array)) continue;
      observe(d.index, data);
    }
    count++;
  }
  const details = interpreter.getTensorDetails();
  return { count, shapes: new Map(all.map((d) => [d.index, details[d.index]?.shape ?? []])) };
}

/**
 * Chunks of samples stacked along dimension 0 through `BatchedFloatExecutor`. Each observer
 * still sees one sample at a time, in dataset order (moving averages and histograms depend on
 * it). A chunk holds samples whose shapes agree outside dimension 0; a model with an op that
 * mixes dimension 0 runs one sample per chunk.
 */
async function runBatched(
  ir: Model,
  source: Iterable<AnySample> | AsyncIterable<AnySample>,
  limit: number,
  inputs: InputInfo[],
  declared: number[][],
  all: { index: number }[],
  constants: Set<number>,
  observe: Observe,
  chunkSize = 32,
): Promise<RunResult> {
  if (!(chunkSize >= 1))
    throw new UsageError(`calibrate: chunkSize must be >= 1; found ${chunkSize}`);
  const executor = new BatchedFloatExecutor(ir);
  let chunk: { data: TypedArray; shape: number[] }[][] = [];
  let count = 0;
  let perChunk: number | null = null;
  let preparedKey = "";
  const shapes = new Map<number, number[]>();
  const restKey = (values: { shape: number[] }[]): string =>
    values.map((v) => v.shape.slice(1).join(",")).join(";");

  const flush = (): void => {
    const first = chunk[0];
    if (first === undefined) return;
    const batches = chunk.map((values) => values[0]?.shape[0] ?? 1);
    const stacked = first.map((v, i) => [
      chunk.reduce((n, values) => n + (values[i]?.shape[0] ?? 1), 0),
      ...v.shape.slice(1),
    ]);
    const key = JSON.stringify(stacked);
    if (key !== preparedKey) {
      executor.prepare(stacked);
      preparedKey = key;
    }
    inputs.forEach((input, i) => {
      const target = executor.tensor(input.index).data;
      let offset = 0;
      for (const values of chunk) {
        const v = values[i];
        if (v === undefined) continue;
        copyInto(target, offset, v.data);
        offset += v.data.length;
      }
    });
    executor.run();
    const total = batches.reduce((a, b) => a + b, 0);
    for (const d of all) {
      if (constants.has(d.index) && count > 0) continue;
      const t = executor.tensor(d.index);
      const data = t.data;
      if (!(data instanceof Float32Array)) continue;
      if (constants.has(d.index)) {
        observe(d.index, data);
        shapes.set(d.index, [...t.shape]);
        continue;
      }
      const batched = !executor.isConstant(d.index) && data.length % total === 0;
      const perBatch = data.length / total;
      let offset = 0;
      for (const b of batches) {
        observe(d.index, batched ? data.subarray(offset, offset + b * perBatch) : data);
        offset += b * perBatch;
      }
      const last = batches[batches.length - 1] ?? 1;
      const [dim0 = 1, ...rest] = t.shape;
      shapes.set(
        d.index,
        batched && t.shape.length > 0 && (dim0 * last) % total === 0
          ? [(dim0 * last) / total, ...rest]
          : [...t.shape],
      );
    }
    count += chunk.length;
    chunk = [];
  };

  for await (const sample of source as AsyncIterable<AnySample>) {
    if (count + chunk.length >= limit) break;
    const values = checkSample(sample, count + chunk.length, inputs, declared);
    if (perChunk === null) {
      perChunk = executor.batchSeparable(values.map((v) => v.shape)) ? chunkSize : 1;
      // Chunks of equal size when the number of samples is known (one preparation, not two).
      const known = Array.isArray(source) ? Math.min(source.length, limit) : Infinity;
      if (Number.isFinite(known) && known > 0)
        perChunk = Math.ceil(known / Math.ceil(known / perChunk));
      preparedKey = "";
    }
    const first = chunk[0];
    if (first !== undefined && restKey(first) !== restKey(values)) flush();
    // NOTE: a copy, because the chunk runs later and a generator may refill one buffer per sample.
    chunk.push(values.map((v) => ({ data: v.data.slice(), shape: v.shape })));
    if (chunk.length >= perChunk) flush();
  }
  flush();
  return { count, shapes };
}

/** Validate one sample against the model inputs and turn it into typed arrays with shapes. */
function checkSample(
  sample: AnySample,
  sampleIndex: number,
  inputs: InputInfo[],
  declared: number[][],
): { data: TypedArray; shape: number[] }[] {
  const ordered = orderSample(sample, inputs, `calibrate: sample ${sampleIndex}`);
  return inputs.map((input, i) => {
    const value: SampleInput = ordered[i];
    const expected = declared[i];
    const where = `calibrate: sample ${sampleIndex}, input '${input.name}'`;
    const Ctor = INPUT_ARRAY_OF[input.dtype];
    if (Ctor === undefined)
      throw new ShapeError(`${where}: inputs of type ${input.dtype} are not supported`);
    let data: TypedArray;
    let shape: number[];
    if (Array.isArray(value)) {
      data =
        Ctor === Float32Array
          ? Float32Array.from(value)
          : Object.assign(new Ctor(value.length), value);
      shape = [...expected];
    } else if (ArrayBuffer.isView(value)) {
      data = value;
      shape = [...expected];
    } else {
      if (value.dtype !== undefined && value.dtype !== input.dtype) {
        throw new ShapeError(`${where}: expected dtype ${input.dtype}, found ${value.dtype}`);
      }
      data = value.data;
      shape = [...value.shape];
    }
    if (!(data instanceof Ctor)) {
      throw new ShapeError(
        `${where}: expected ${input.dtype} (${Ctor.name}), found ${data.constructor.name}`,
      );
    }
    const mismatch =
      shape.length !== expected.length ||
      shape.some((d, k) => k > 0 && d !== expected[k] && input.shapeSignature[k] !== -1) ||
      shape.reduce((a, b) => a * b, 1) !== data.length;
    if (mismatch) {
      throw new ShapeError(
        `${where}: expected shape [${expected.join(", ")}] (any batch size), found [${shape.join(", ")}] with ${data.length} values`,
      );
    }
    for (let k = 0; k < data.length; k++) {
      const v = Number(data[k]);
      if (!Number.isFinite(v)) {
        throw new DataFormatError(
          `${where}: value ${v} at flat index ${k}; samples must be finite (no NaN or Infinity)`,
        );
      }
    }
    return { data, shape };
  });
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
