/**
 * `evaluate`: top-1 accuracy of a `.tflite` classifier in tsquant's interpreter — the TF
 * tutorials' `evaluate_model` helper, one image per `invoke()` — with a live progress output and
 * cooperative interrupts. The CLI's `tsquant eval` runs the same function.
 *
 * Input handling (input 0 of the model):
 * - float32 input: the image values as they are (uint8 pixels first become `fl32(x / 255)`);
 * - uint8 / int8 / int16 input with `(scale, zeroPoint)`: `q = clamp(round(x / scale) +
 *   zeroPoint, qmin, qmax)` with round half away from zero (TFLite's QUANTIZE rule), or with
 *   `inputRounding: "truncate"` exactly the tutorial's `(x / scale + zero_point).astype(dtype)`
 *   in float32: `q = trunc(fl32(fl32(x / scale) + zeroPoint))` (clamped, where numpy would wrap).
 *
 * Prediction: argmax of output 0 (the first maximum on ties, as `np.argmax`); for an integer
 * output the argmax of `q` equals that of `scale · (q − zeroPoint)` since scale > 0.
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import { DataFormatError, ShapeError, UnsupportedError, UsageError } from "../errors";
import { type Model, type NDArray, type TypedArray, shapeSize } from "../ir";
import { Interpreter } from "../interpreter/interpreter";
import { quantize } from "../quant/affine";
import { integerFormat } from "../quant/formats";
import { LabeledImages } from "../data/datasets";
import { InterruptedError, currentCell, interruptSignal } from "../services/context";
import { Progress } from "../services/progress";

/** Images: a data set split, an `[n, ...]` array, or a flat typed array (see `shape`). */
export type EvaluationImages = LabeledImages | NDArray | Float32Array | Uint8Array;
/** Labels: class indices, one per image. */
export type EvaluationLabels = NDArray | ArrayLike<number | bigint>;

export interface EvaluateOptions {
  /**
   * Shape of the images (`[n, ...]`) or of one image, for a flat typed array; its element count
   * per image must equal the model input's. Default: the model input's shape without the batch.
   */
  shape?: readonly number[];
  /** Evaluate only the first `limit` images. */
  limit?: number;
  /** How float values become an integer input: "round" (default, TFLite) or "truncate" (the TF tutorial's `astype`). */
  inputRounding?: "round" | "truncate";
  /**
   * Progress output: "auto" (default) draws it in a Jupyter cell, and as text on stderr only when
   * stderr is a terminal; true always (text to stderr outside Jupyter); false never.
   */
  progress?: boolean | "auto";
  /** Title of the progress output (default "evaluation"). */
  title?: string;
  /** Called at most ~20 times (and once at the end) with the running count; e.g. for logs. */
  onProgress?: (done: number, total: number, correct: number) => void;
  /** Stop when this is aborted; default: the kernel's interrupt (`tq.interruptSignal()`). */
  signal?: AbortSignal;
}

export interface EvaluationResult {
  /** correct / total, in [0, 1]. */
  accuracy: number;
  correct: number;
  total: number;
  /** Wall time per image (quantize the input, invoke, argmax), in milliseconds. */
  msPerImage: number;
  /** The predicted class of each image. */
  predictions: Int32Array;
}

/** Progress steps per run: enough to look live, few enough not to flood a notebook. */
const PROGRESS_STEPS = 20;
/** Give the event loop a turn (interrupts, output) at least this often, in milliseconds. */
const YIELD_EVERY_MS = 50;

function isNDArray(x: unknown): x is NDArray {
  return (
    typeof x === "object" &&
    x !== null &&
    "data" in x &&
    "shape" in x &&
    ArrayBuffer.isView((x as NDArray).data) &&
    Array.isArray((x as NDArray).shape)
  );
}

function interpreterFor(model: Uint8Array | Interpreter | Model): Interpreter {
  if (model instanceof Interpreter) return model;
  if (model instanceof Uint8Array) return new Interpreter({ modelContent: model });
  return new Interpreter({ model });
}

/** The pixels or values and the element count per image, checked against the model input. */
function imagesOf(
  images: EvaluationImages,
  perSample: number,
  inputShape: readonly number[],
  shape: readonly number[] | undefined,
): { data: Float32Array | Uint8Array; n: number } {
  let data: TypedArray;
  let given: readonly number[] | undefined = shape;
  if (images instanceof LabeledImages) {
    data = images.images.data;
    given = images.images.shape;
  } else if (isNDArray(images)) {
    data = images.data;
    given = shape ?? images.shape;
  } else {
    data = images;
  }
  if (!(data instanceof Float32Array) && !(data instanceof Uint8Array)) {
    throw new DataFormatError(
      `evaluate: images must be float32 values or uint8 pixels, found ${data.constructor.name}`,
    );
  }
  // A shape holding every value is `[n, ...]`; any other is one image's shape.
  const per =
    given === undefined
      ? perSample
      : shapeSize(given) === data.length && given.length > 0
        ? shapeSize(given.slice(1))
        : shapeSize(given);
  if (per !== perSample || data.length % perSample !== 0) {
    throw new ShapeError(
      `evaluate: the model input takes [${inputShape.slice(1).join(", ")}] (${perSample} values) per image, found images of shape [${(given ?? [data.length]).join(", ")}] (${data.length} values)`,
    );
  }
  const n = data.length / perSample;
  if (n === 0) throw new DataFormatError("evaluate: no images");
  return { data, n };
}

function labelsOf(
  images: EvaluationImages,
  labels: EvaluationLabels | undefined,
  n: number,
): ArrayLike<number | bigint> {
  const l =
    labels === undefined
      ? images instanceof LabeledImages
        ? images.labels.data
        : undefined
      : isNDArray(labels)
        ? labels.data
        : labels;
  if (l === undefined) {
    throw new UsageError(
      "evaluate: labels are required unless the images are a LabeledImages split",
    );
  }
  if (l.length !== n) throw new ShapeError(`evaluate: ${l.length} labels for ${n} images`);
  return l;
}

/**
 * Top-1 accuracy of `model` on `images` with `labels` (optional for a `LabeledImages` split such
 * as `tq.data.mnist().test`). A model given as an `Interpreter` is used as is (its input is
 * resized to a batch of one if it has another batch size).
 *
 * Errors: images that do not fit the model input (ShapeError, expected vs found), labels of
 * another length (ShapeError), an input type other than float32/uint8/int8/int16
 * (UnsupportedError); interrupted (kernel interrupt or `signal`) → InterruptedError, leaving the
 * model and data as they were.
 */
export async function evaluate(
  model: Uint8Array | Interpreter | Model,
  images: EvaluationImages,
  labels?: EvaluationLabels,
  options: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const interp = interpreterFor(model);
  interp.allocateTensors();
  let input = interp.getInputDetails()[0];
  const perSample = shapeSize(input.shape.slice(1));
  const { data, n: available } = imagesOf(images, perSample, input.shape, options.shape);
  const truth = labelsOf(images, labels, available);
  const limit = options.limit ?? available;
  if (!Number.isInteger(limit) || limit < 1) {
    throw new UsageError(`evaluate: limit must be a positive integer, found ${limit}`);
  }
  const n = Math.min(available, limit);
  if (input.shape[0] !== 1) {
    interp.resizeTensorInput(input.index, [1, ...input.shape.slice(1)]);
    interp.allocateTensors();
    input = interp.getInputDetails()[0];
  }
  const feed = feeder(interp, input.index, input.dtype, input.quantization, options.inputRounding);
  const outputIndex = interp.getOutputDetails()[0].index;
  const signal = options.signal ?? interruptSignal();

  const mode = options.progress ?? "auto";
  const show =
    mode === true || (mode === "auto" && (currentCell() !== null || process.stderr.isTTY));
  const progress = show
    ? new Progress({ total: n, task: "evaluation", unit: "image", title: options.title })
    : null;
  const step = Math.max(Math.ceil(n / PROGRESS_STEPS), 1);

  const predictions = new Int32Array(n);
  const pixels = new Float32Array(perSample);
  let correct = 0;
  let busy = 0;
  let lastYield = performance.now();
  try {
    if (signal.aborted) throw new InterruptedError();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const from = i * perSample;
      if (data instanceof Uint8Array) {
        for (let k = 0; k < perSample; k++) pixels[k] = (data[from + k] ?? 0) / 255;
      } else {
        pixels.set(data.subarray(from, from + perSample));
      }
      feed(pixels);
      interp.invoke();
      const y = interp.getTensor(outputIndex).data;
      let best = 0;
      for (let k = 1; k < y.length; k++) if (Number(y[k]) > Number(y[best])) best = k;
      predictions[i] = best;
      if (best === Number(truth[i])) correct++;
      const t1 = performance.now();
      busy += t1 - t0;
      const done = i + 1;
      if (done % step === 0 && done < n) {
        progress?.update(done, { metrics: { accuracy: correct / done } });
        options.onProgress?.(done, n, correct);
      }
      if (t1 - lastYield >= YIELD_EVERY_MS) {
        await nextTurn();
        lastYield = performance.now();
        if (signal.aborted) {
          throw signal.reason instanceof Error ? signal.reason : new InterruptedError();
        }
      }
    }
  } catch (e) {
    progress?.fail({ message: e instanceof InterruptedError ? "interrupted" : "failed" });
    throw e;
  }
  const accuracy = correct / n;
  progress?.done({ metrics: { accuracy } });
  options.onProgress?.(n, n, correct);
  return { accuracy, correct, total: n, msPerImage: busy / n, predictions };
}

/** Writes one image's float values into the input tensor, quantized if the input is integer. */
function feeder(
  interp: Interpreter,
  index: number,
  dtype: string,
  [scale, zeroPoint]: [number, number],
  rounding: "round" | "truncate" = "round",
): (x: Float32Array) => void {
  if (dtype === "float32") return (x) => interp.setTensor(index, x);
  if (dtype !== "uint8" && dtype !== "int8" && dtype !== "int16") {
    throw new UnsupportedError(
      `evaluate: input tensor #${index} is ${dtype}; expected float32, uint8, int8 or int16`,
    );
  }
  const format = integerFormat({ dtype });
  const params = { scale, zeroPoint, format };
  if (rounding === "round") return (x) => interp.setTensor(index, quantize(x, params));
  const fscale = Math.fround(scale);
  return (x) => {
    const out =
      dtype === "uint8"
        ? new Uint8Array(x.length)
        : dtype === "int8"
          ? new Int8Array(x.length)
          : new Int16Array(x.length);
    for (let k = 0; k < x.length; k++) {
      // numpy 2: float32 array / Python float → float32; + Python int → float32; astype truncates.
      const v = Math.trunc(Math.fround(Math.fround((x[k] ?? 0) / fscale) + zeroPoint));
      out[k] = v < format.qmin ? format.qmin : v > format.qmax ? format.qmax : v;
    }
    interp.setTensor(index, out);
  };
}
