/**
 * `compareLayers(floatModel, quantizedModel, data)`: run both models on the same float inputs
 * and measure, for every op output of the float model, how far the quantized model's tensor of
 * the same name (or, failing that, the same graph position) is from it — the per-layer error
 * that tells which layer loses the accuracy (TF's QuantizationDebugger, layer by layer).
 *
 *   mse  = Σ (x − x̂)² / n,   sqnr = 10 · log10(Σ x² / Σ (x − x̂)²) dB,
 *   cosine = Σ x·x̂ / √(Σ x² · Σ x̂²)
 *
 * where x is the float value and x̂ = scale · (q − zeroPoint) the dequantized quantized value,
 * summed over every element of every sample. A tensor with zero error has sqnr `null` (+∞).
 */
import { ShapeError, UsageError } from "../errors";
import {
  BuiltinOperator,
  type DType,
  type Model,
  type NDArray,
  type TypedArray,
  opName,
} from "../ir";
import { Interpreter } from "../interpreter/interpreter";
import { readModel } from "../tflite/reader";
import { quantize } from "../quant/affine";
import { integerFormat } from "../quant/formats";
import {
  type AnySample,
  type SampleInput,
  type ModelInput,
  describeInput,
  modelInputs,
  orderSample,
} from "../calib/samples";
import { type ErrorPayload, type LayerError, TSQUANT_MIME } from "../display/payload";
import {
  type GraphNodeData,
  type OverlayMetric,
  type OverlayOptions,
  modelExplorerOverlay,
} from "./overlay";

export interface CompareOptions {
  /** Use at most this many samples (default: all). */
  samples?: number;
  /** (float, quantized) pairs kept per layer for the scatter plot (default 2000). */
  scatterPoints?: number;
}

/** The per-layer errors, displayable as tsquant's error plot. */
export class LayerComparison {
  constructor(
    readonly layers: LayerError[],
    readonly samples: number,
  ) {}

  /**
   * Model Explorer node data of one metric (`overlay.ts`): write it as JSON and load it in Model
   * Explorer over the quantized (default) or float graph.
   */
  overlay(metric: OverlayMetric, options?: OverlayOptions): GraphNodeData {
    return modelExplorerOverlay(this.layers, metric, options);
  }

  /** The `error` payload for the labextension's error plot. */
  payload(title = "Per-layer quantization error"): ErrorPayload {
    return { kind: "error", title, metric: "sqnr", layers: this.layers };
  }

  [Symbol.for("Jupyter.display")](): Record<string, unknown> {
    const rows = this.layers
      .map(
        (l) =>
          `${l.index}\t${l.op}\t${l.sqnr === null ? "inf" : l.sqnr.toFixed(2)} dB\t${l.mse.toExponential(3)}\t${l.name}`,
      )
      .join("\n");
    return { [TSQUANT_MIME]: this.payload(), "text/plain": `#\top\tSQNR\tMSE\ttensor\n${rows}` };
  }
}

type Pair = {
  floatIndex: number;
  quantIndex: number;
  name: string;
  quantizedName: string;
  op: string;
};

const QDQ = new Set<number>([BuiltinOperator.QUANTIZE, BuiltinOperator.DEQUANTIZE]);

/** Match every float op output with a quantized-model tensor: by name, else by op position. */
function matchTensors(floatModel: Model, quantModel: Model): Pair[] {
  const fs = floatModel.subgraphs[0];
  const qs = quantModel.subgraphs[0];
  const byName = new Map<string, number>();
  qs.tensors.forEach((t, i) => byName.set(t.name, i));
  const quantOps = qs.operators.filter(
    (op) => !QDQ.has(quantModel.operatorCodes[op.opcodeIndex]?.builtinCode ?? -1),
  );
  const pairs: Pair[] = [];
  fs.operators.forEach((op, k) => {
    const code = floatModel.operatorCodes[op.opcodeIndex]?.builtinCode ?? -1;
    if (QDQ.has(code)) return;
    for (const [slot, o] of op.outputs.entries()) {
      const t = fs.tensors[o];
      if (t === undefined || t.type !== "float32") continue;
      let q = byName.get(t.name);
      if (q === undefined) q = quantOps[k]?.outputs[slot];
      if (q === undefined) continue;
      const quantizedName = qs.tensors[q]?.name ?? t.name;
      pairs.push({ floatIndex: o, quantIndex: q, name: t.name, quantizedName, op: opName(code) });
    }
  });
  return pairs;
}

function asFloat(t: NDArray, scale: number, zeroPoint: number): Float64Array {
  const out = new Float64Array(t.data.length);
  const integer = t.dtype !== "float32";
  for (let i = 0; i < out.length; i++) {
    const v = Number(t.data[i]);
    out[i] = integer ? scale * (v - zeroPoint) : v;
  }
  return out;
}

/** Σxy / √(Σx² Σy²); two all-zero tensors are identical (1), one all-zero one is orthogonal (0). */
function cosine(xy: number, xx: number, yy: number): number {
  if (xx === 0 && yy === 0) return 1;
  if (xx === 0 || yy === 0) return 0;
  return xy / Math.sqrt(xx * yy);
}

/** The values of one sample input (a typed array, a number list or an NDArray-like). */
function inputValues(x: SampleInput): ArrayLike<number | bigint> {
  return Array.isArray(x) || ArrayBuffer.isView(x) ? x : x.data;
}

/** An integer input's values in its own typed array (values must be integers in range). */
function integerInput(x: SampleInput, dtype: DType, input: ModelInput): TypedArray {
  const values = inputValues(x);
  const Ctor =
    dtype === "int32"
      ? Int32Array
      : dtype === "int8"
        ? Int8Array
        : dtype === "uint8"
          ? Uint8Array
          : dtype === "int16"
            ? Int16Array
            : null;
  if (Ctor === null) {
    throw new ShapeError(
      `compareLayers: input ${describeInput(input)} is ${dtype}; expected float32, int32, int16, int8 or uint8`,
    );
  }
  const out = new Ctor(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = Number(values[i]);
    out[i] = v;
    if (out[i] !== v) {
      throw new ShapeError(
        `compareLayers: input ${describeInput(input)} is ${dtype}; value ${v} at flat index ${i} is not one`,
      );
    }
  }
  return out;
}

/**
 * Per-layer SQNR and MSE of `quantizedModel` against `floatModel` (IR or .tflite bytes) on
 * `data` (samples as for a representative dataset: a list with one entry per input, a record
 * keyed by input name, or the input of a one-input model). A float input of the float model
 * that the quantized model takes as an integer is fed quantized with the input's scale and zero
 * point; an integer input of the float model (token ids) is fed to both as it is.
 */
export async function compareLayers(
  floatModel: Model | Uint8Array,
  quantizedModel: Model | Uint8Array,
  data: Iterable<AnySample> | AsyncIterable<AnySample>,
  options: CompareOptions = {},
): Promise<LayerComparison> {
  const fm = floatModel instanceof Uint8Array ? readModel(floatModel) : floatModel;
  const qm = quantizedModel instanceof Uint8Array ? readModel(quantizedModel) : quantizedModel;
  const fi = new Interpreter({ model: fm, preserveAllTensors: true });
  const qi = new Interpreter({ model: qm, preserveAllTensors: true });
  fi.allocateTensors();
  qi.allocateTensors();
  const fin = fi.getInputDetails();
  const qin = qi.getInputDetails();
  if (fin.length !== qin.length) {
    throw new ShapeError(
      `compareLayers: the float model has ${fin.length} inputs, the quantized model ${qin.length}`,
    );
  }
  const inputs = modelInputs(fm, "compareLayers");
  const pairs = matchTensors(fm, qm);
  const qDetails = qi.getTensorDetails();
  const signal = new Float64Array(pairs.length);
  const noise = new Float64Array(pairs.length);
  const count = new Float64Array(pairs.length);
  const dot = new Float64Array(pairs.length);
  const quantSignal = new Float64Array(pairs.length);
  const maxPoints = options.scatterPoints ?? 2000;
  const scatter = pairs.map(() => ({ float: [] as number[], quantized: [] as number[] }));
  const limit = options.samples ?? Infinity;
  let n = 0;
  for await (const sample of data as AsyncIterable<AnySample>) {
    if (n >= limit) break;
    const ordered = orderSample(sample, inputs, `compareLayers: sample ${n}`);
    ordered.forEach((x, k) => {
      const d = qin[k];
      const floatDtype = fin[k].dtype;
      if (floatDtype !== "float32") {
        // An integer input of the float model (token ids, indices): both models get it as is.
        const values = integerInput(x, floatDtype, inputs[k]);
        fi.setTensor(fin[k].index, values);
        qi.setTensor(d.index, values);
        return;
      }
      const floats = Float32Array.from(inputValues(x), Number);
      fi.setTensor(fin[k].index, floats);
      if (d.dtype === "float32") qi.setTensor(d.index, floats);
      else {
        const [scale, zeroPoint] = d.quantization;
        const dtype = d.dtype === "uint8" ? "uint8" : d.dtype === "int16" ? "int16" : "int8";
        qi.setTensor(
          d.index,
          quantize(floats, { scale, zeroPoint, format: integerFormat({ dtype }) }),
        );
      }
    });
    fi.invoke();
    qi.invoke();
    pairs.forEach((p, k) => {
      const x = fi.getTensor(p.floatIndex);
      const [scale, zeroPoint] = qDetails[p.quantIndex].quantization;
      const y = asFloat(qi.getTensor(p.quantIndex), scale, zeroPoint);
      if (y.length !== x.data.length) return;
      const stride = Math.max(1, Math.ceil(y.length / Math.max(1, maxPoints / 8)));
      for (let i = 0; i < y.length; i++) {
        const v = Number(x.data[i]);
        const e = v - y[i];
        signal[k] += v * v;
        noise[k] += e * e;
        dot[k] += v * y[i];
        quantSignal[k] += y[i] * y[i];
        if (i % stride === 0 && scatter[k].float.length < maxPoints) {
          scatter[k].float.push(v);
          scatter[k].quantized.push(y[i]);
        }
      }
      count[k] += y.length;
    });
    n++;
  }
  if (n === 0) throw new UsageError("compareLayers: the data yielded no samples");
  const layers: LayerError[] = pairs.map((p, k) => ({
    index: k,
    name: p.name,
    op: p.op,
    sqnr: noise[k] === 0 ? null : 10 * Math.log10(signal[k] / noise[k]),
    mse: count[k] ? noise[k] / count[k] : 0,
    cosine: cosine(dot[k], signal[k], quantSignal[k]),
    ...(p.quantizedName === p.name ? {} : { quantizedName: p.quantizedName }),
    sample: scatter[k],
  }));
  return new LayerComparison(layers, n);
}
