/**
 * Shared steps of the QAT conversion tests and the QAT benchmark: train a tutorial CNN briefly,
 * fine-tune it with QAT, quantize images for an integer model's input, run a `.tflite` in
 * tsquant's interpreter on a stack of samples, and top-1 classes / accuracy of outputs.
 */
import * as tf from "@tensorflow/tfjs";
import type { LabeledImages } from "../../kernel/src/data/datasets";
import { Interpreter } from "../../kernel/src/interpreter";
import type { NDArray } from "../../kernel/src/ir";
import { quantizeModel } from "../../kernel/src/qat";
import { quantize } from "../../kernel/src/quant/affine";
import { integerFormat } from "../../kernel/src/quant/formats";
import { readModel } from "../../kernel/src/tflite/reader";
import { compileTutorial, fit, toTensors, tutorialCnn } from "../../kernel/src/train";

/**
 * The tutorial CNN trained for `epochs` on `train` (batch 32, Adam 1e-3, no output); `seed` (0)
 * seeds both the initial weights and the sample order, so the same call gives the same model.
 */
export async function trainFloat(
  train: LabeledImages,
  opts: { seed?: number; epochs?: number } = {},
): Promise<tf.Sequential> {
  const seed = opts.seed ?? 0;
  const model = tutorialCnn(seed);
  compileTutorial(model);
  const { x, y } = toTensors(train);
  await fit(model, x, y, { epochs: opts.epochs ?? 1, batchSize: 32, progress: false, seed });
  tf.dispose([x, y]);
  return model;
}

/**
 * The tutorial's QAT recipe: quantizeModel, then fine-tune on `train` (the tutorial: 1,000
 * images, batch 500, 1 epoch, validation split 0.1); `seed` (1) orders the samples.
 */
export async function fineTuneQat(
  float: tf.LayersModel,
  train: LabeledImages,
  opts: { batchSize?: number; epochs?: number; validationSplit?: number; seed?: number } = {},
): Promise<tf.LayersModel> {
  const qat = quantizeModel(float);
  compileTutorial(qat);
  const { x, y } = toTensors(train);
  await fit(qat, x, y, {
    epochs: opts.epochs ?? 1,
    batchSize: opts.batchSize ?? 500,
    validationSplit: opts.validationSplit ?? 0.1,
    progress: false,
    seed: opts.seed ?? 1,
  });
  tf.dispose([x, y]);
  return qat;
}

/** Float images as the model's input: float32, or quantized with the input's parameters. */
export function modelInput(bytes: Uint8Array, images: Float32Array, n: number): NDArray {
  const sg = readModel(bytes).subgraphs[0];
  const t = sg?.tensors[sg.inputs[0] ?? -1];
  if (t === undefined) throw new Error("model has no input");
  const shape = [n, ...t.shape.slice(1)];
  if (t.type === "float32") return { data: images, shape, dtype: "float32" };
  const scale = t.quantization?.scale?.[0] ?? 1;
  const zeroPoint = t.quantization?.zeroPoint?.[0] ?? 0;
  const dtype = t.type === "uint8" ? "uint8" : "int8";
  const data = quantize(images, { scale, zeroPoint, format: integerFormat({ dtype }) });
  return { data, shape, dtype };
}

/** Output 0 of `bytes` on `x` (samples on axis 0) in tsquant's interpreter, `chunk` at a time. */
export function runInterpreter(bytes: Uint8Array, x: NDArray, chunk = 1000): NDArray {
  const it = new Interpreter({ modelContent: bytes });
  const [input] = it.getInputDetails();
  const [output] = it.getOutputDetails();
  if (input === undefined || output === undefined) throw new Error("model has no input/output");
  const n = x.shape[0] ?? 0;
  const per = x.data.length / n;
  const parts: NDArray[] = [];
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    it.resizeTensorInput(input.index, [m, ...input.shape.slice(1)]);
    it.allocateTensors();
    it.setTensor(input.index, x.data.subarray(start * per, (start + m) * per));
    it.invoke();
    const out = it.getTensor(output.index);
    parts.push({ ...out, data: out.data.slice() } as NDArray);
  }
  const first = parts[0];
  if (first === undefined) throw new Error("no samples");
  const total = parts.reduce((s, p) => s + p.data.length, 0);
  const Ctor = first.data.constructor as new (n: number) => typeof first.data;
  const data = new Ctor(total);
  let offset = 0;
  for (const p of parts) {
    (data as Float32Array).set(p.data as Float32Array, offset);
    offset += p.data.length;
  }
  return { ...first, data, shape: [n, ...first.shape.slice(1)] } as NDArray;
}

/** Top-1 class of each row of a [N, classes] array. */
export function argmaxRows(data: ArrayLike<number | bigint>, classes: number): Int32Array {
  const n = data.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < classes; k++) {
      if (Number(data[i * classes + k]) > Number(data[i * classes + best])) best = k;
    }
    out[i] = best;
  }
  return out;
}

/** Percentage of rows whose top-1 class equals the label. */
export function accuracyOf(predicted: Int32Array, labels: ArrayLike<number>): number {
  let hits = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) hits++;
  return (100 * hits) / predicted.length;
}

/** Top-1 classes of a tfjs model on float images [n, 28, 28], `chunk` at a time. */
export function predictClasses(model: tf.LayersModel, images: Float32Array, n: number): Int32Array {
  const out = new Int32Array(n);
  const per = images.length / n;
  for (let start = 0; start < n; start += 1000) {
    const m = Math.min(1000, n - start);
    const classes = tf.tidy(() => {
      const x = tf.tensor3d(images.subarray(start * per, (start + m) * per), [m, 28, 28]);
      return tf.argMax(model.predict(x) as tf.Tensor, -1);
    });
    out.set(classes.dataSync() as Int32Array, start);
    classes.dispose();
  }
  return out;
}

/** How an int8 output follows a QAT model's float forward (fake-quant) on the same images. */
export interface Following {
  /** Images whose top-1 class is the same in both. */
  same: number;
  /** Largest |dequantized int8 − float| over every output element, in output steps (scales). */
  maxSteps: number;
  /** Share of output elements at least half a step apart (the float output is on the grid too). */
  offGrid: number;
  /** Largest top-1 margin of the float forward, in output steps, among the images that differ. */
  maxMarginOfDiffering: number;
  /** The float forward's top-1 classes. */
  floatClasses: Int32Array;
  /** Largest max − min of one output element across the images, in steps: how much they vary. */
  spanSteps: number;
}

/**
 * Compares an int8 output [n, classes] with the QAT model's float forward on the same images.
 * The float forward fake-quantizes its output onto the same grid, so a top-1 difference can only
 * come from a (near-)tie there; the element-wise difference says how far the integer arithmetic
 * drifted from the simulated one.
 */
export function followQatForward(
  qat: tf.LayersModel,
  images: Float32Array,
  int8: Int8Array,
  output: { scale: number; zeroPoint: number },
  classes = 10,
): Following {
  const n = int8.length / classes;
  const float = tf.tidy(() =>
    (qat.predict(tf.tensor3d(images.subarray(0, n * 784), [n, 28, 28])) as tf.Tensor).dataSync(),
  );
  const a = argmaxRows(float, classes);
  const b = argmaxRows(int8, classes);
  let same = 0;
  let maxSteps = 0;
  let off = 0;
  let maxMarginOfDiffering = 0;
  for (let i = 0; i < n; i++) {
    const row = float.subarray(i * classes, (i + 1) * classes);
    for (let k = 0; k < classes; k++) {
      const q = ((int8[i * classes + k] ?? 0) - output.zeroPoint) * output.scale;
      const steps = Math.abs(q - (row[k] ?? 0)) / output.scale;
      maxSteps = Math.max(maxSteps, steps);
      if (steps >= 0.5) off++;
    }
    if (a[i] === b[i]) {
      same++;
      continue;
    }
    const sorted = Array.from(row).sort((x, y) => y - x);
    const margin = ((sorted[0] ?? 0) - (sorted[1] ?? 0)) / output.scale;
    maxMarginOfDiffering = Math.max(maxMarginOfDiffering, margin);
  }
  let spanSteps = 0;
  for (let k = 0; k < classes; k++) {
    let lo = 127;
    let hi = -128;
    for (let i = 0; i < n; i++) {
      const v = int8[i * classes + k] ?? 0;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    spanSteps = Math.max(spanSteps, hi - lo);
  }
  return {
    same,
    maxSteps,
    offGrid: off / int8.length,
    maxMarginOfDiffering,
    floatClasses: a,
    spanSteps,
  };
}
