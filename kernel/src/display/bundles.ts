/**
 * MIME bundles for tsquant's objects: each carries `text/plain` (a terminal reads it) and
 * `text/html` (GitHub and nbconvert show it), and — where the shared payload module has a
 * `kind` for it — `application/vnd.tsquant.v1+json`, which the JupyterLab extension plots.
 *
 */
import type { CalibrationResult, TensorCalibration } from "../calib/calibrate";
import { rangePayload } from "../calib/payload";
import { dtypeByteSize, opName, shapeSize } from "../ir";
import type { Model, Operator, Quantization } from "../ir";
import { type AnyQuantParams, isPerAxis, representableRange } from "../quant/params";
import { describeQuantization, summarizeModel } from "../tflite/summary";
import {
  type ComparisonRow,
  type ErrorPayload,
  type LayerError,
  type ModelPayload,
  type ModelTensor,
  type QParamsPayload,
  type CalibrationPayload,
  type CalibratedTensor,
  type TensorQuantization,
  type WeightsPayload,
  type RangePayload,
  type HistogramData,
  type TablePayload,
  TSQUANT_MIME,
} from "./payload";
import { type Cell, escapeHtml, formatNumber, htmlTable, textTable } from "./html";
import type { MimeBundle } from "../services/mime";

export type { MimeBundle };

function titled(title: string | undefined, fallback: string): string {
  return title === undefined || title === "" ? fallback : title;
}

/** `<div>` with an escaped heading line and the given (already-escaped) HTML body. */
function htmlBlock(heading: string, body: string): string {
  return `<div class="tsquant-display"><p><b>${escapeHtml(heading)}</b></p>\n${body}\n</div>`;
}

// ---------------------------------------------------------------------------------------------
// Model

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

/**
 * A model's summary: one row per operator (op, inputs, outputs) and one per tensor (dtype,
 * shape, bytes, quantization), per subgraph. `text/plain` is `summarizeModel`'s text.
 */
export function modelBundle(model: Model, title?: string): MimeBundle {
  const nOps = model.subgraphs.reduce((n, sg) => n + sg.operators.length, 0);
  const constBytes = model.buffers.reduce((n, b) => n + (b.data?.length ?? 0), 0);
  const heading = `${titled(title, "TFLite model")}: ${model.subgraphs.length} subgraph(s), ${nOps} operator(s), ${formatNumber(constBytes)} bytes of constants`;
  const parts: string[] = [];
  model.subgraphs.forEach((sg, s) => {
    const ref = (i: number): string => {
      const t = sg.tensors[i];
      return i < 0 || t === undefined ? "-" : `#${i} ${t.type}${shapeText(t.shape)}`;
    };
    const opRows: Cell[][] = sg.operators.map((op, k) => {
      const code = model.operatorCodes[op.opcodeIndex];
      return [
        k,
        opLabel(model, op),
        code?.version ?? "",
        op.inputs.map(ref).join("; "),
        op.outputs.map(ref).join("; "),
      ];
    });
    const tensorRows: Cell[][] = sg.tensors.map((t, i) => {
      const data = t.buffer === 0 ? null : (model.buffers[t.buffer]?.data ?? null);
      const perElement = dtypeByteSize(t.type);
      const bytes =
        data !== null && data.length > 0
          ? data.length
          : perElement === null
            ? ""
            : perElement * shapeSize(t.shape.map((d) => Math.max(d, 0)));
      const roles: string[] = [];
      if (sg.inputs.includes(i)) roles.push("input");
      if (sg.outputs.includes(i)) roles.push("output");
      if (data !== null && data.length > 0) roles.push("constant");
      return [
        i,
        t.name,
        t.type,
        shapeText(t.shape),
        bytes,
        roles.join(", "),
        describeQuantization(t.quantization),
      ];
    });
    const label = `Subgraph ${s}${sg.name === null ? "" : ` ${sg.name}`}`;
    parts.push(
      htmlTable(["#", "op", "version", "inputs", "outputs"], opRows, `${label}: operators`),
    );
    parts.push(
      htmlTable(
        ["#", "tensor", "dtype", "shape", "bytes", "role", "quantization"],
        tensorRows,
        `${label}: tensors`,
      ),
    );
  });
  return {
    [TSQUANT_MIME]: modelPayload(model, title),
    "text/plain": summarizeModel(model),
    "text/html": htmlBlock(heading, parts.join("\n")),
  };
}

/**
 * The bundle of a bare "model" payload (e.g. one saved as JSON): the ops table with each
 * operand's dtype and shape, and the tensors table. `modelBundle` adds the payload to its own
 * fuller fallbacks instead.
 */
export function modelPayloadBundle(p: ModelPayload): MimeBundle {
  const byIndex = new Map(p.tensors.map((t) => [t.index, t]));
  const ref = (i: number): string => {
    const t = byIndex.get(i);
    return i < 0 || t === undefined ? "-" : `#${i} ${t.dtype}${shapeText(t.shape)}`;
  };
  const opHeader = ["#", "op", "inputs", "outputs"];
  const opRows: Cell[][] = p.ops.map((o) => [
    o.index,
    o.op,
    o.inputs.map(ref).join("; "),
    o.outputs.map(ref).join("; "),
  ]);
  const tensorHeader = ["#", "tensor", "dtype", "shape", "bytes", "quantization"];
  const tensorRows: Cell[][] = p.tensors.map((t) => [
    t.index,
    t.name,
    t.dtype,
    shapeText(t.shape),
    t.bytes,
    quantizationText(t.quantization),
  ]);
  const heading = `${titled(p.title, "TFLite model")}: ${p.totals.ops} op(s), ${p.totals.tensors} tensor(s), ${formatNumber(p.totals.constantBytes)} bytes of constants${p.note === undefined ? "" : ` (${p.note})`}`;
  return {
    [TSQUANT_MIME]: p,
    "text/plain": `${heading}\n${textTable(opHeader, opRows)}\n\n${textTable(tensorHeader, tensorRows)}`,
    "text/html": htmlBlock(
      heading,
      htmlTable(opHeader, opRows, "operators") +
        "\n" +
        htmlTable(tensorHeader, tensorRows, "tensors"),
    ),
  };
}

function quantizationText(q: ModelTensor["quantization"]): string {
  if (q === null) return "";
  if (q.channels === undefined) return `scale=${formatNumber(q.scale)} zeroPoint=${q.zeroPoint}`;
  return `per-axis (axis ${q.axis ?? 0}, ${q.channels} channels) scale ${formatNumber(q.scale)}..${formatNumber(q.scaleMax ?? q.scale)}`;
}

/** A float32 value in the fewest characters that still read back as the same float32. */
function f32Digits(x: number): number {
  return Number(x.toPrecision(9));
}

function tensorQuantization(
  scales: number[],
  zeroPoints: number[],
  q: Quantization | null,
): TensorQuantization {
  const zp = zeroPoints.length === 0 ? [0] : zeroPoints;
  if (scales.length === 1) return { scale: f32Digits(scales[0] ?? 0), zeroPoint: zp[0] ?? 0 };
  return {
    scale: f32Digits(Math.min(...scales)),
    zeroPoint: Math.min(...zp),
    channels: scales.length,
    axis: q?.quantizedDimension ?? 0,
    scaleMax: f32Digits(Math.max(...scales)),
    zeroPointMax: Math.max(...zp),
  };
}

function opLabel(model: Model, op: Operator): string {
  const code = model.operatorCodes[op.opcodeIndex];
  if (code === undefined) return `opcode #${op.opcodeIndex}`;
  return code.customCode !== null ? `CUSTOM ${code.customCode}` : opName(code.builtinCode);
}

/** Longest tensor name kept in a payload (TF's fused names can run to hundreds of characters). */
const MAX_NAME = 160;
/** The model payload's JSON stays under this many characters (the brief: < 100 kB). */
export const MAX_MODEL_PAYLOAD_CHARS = 95_000;

function clip(name: string): string {
  return name.length <= MAX_NAME ? name : `${name.slice(0, MAX_NAME - 1)}…`;
}

/**
 * The "model" payload of subgraph 0: ops in execution order with their tensors. When its JSON
 * would exceed `maxChars`, only the first ops are kept (fewer until it fits) and `note` says so.
 */
export function modelPayload(
  model: Model,
  title?: string,
  maxChars = MAX_MODEL_PAYLOAD_CHARS,
): ModelPayload {
  const sg = model.subgraphs[0];
  const subgraphs = model.subgraphs.length;
  const constantBytes = model.buffers.reduce((n, b) => n + (b.data?.length ?? 0), 0);
  if (sg === undefined) {
    return {
      kind: "model",
      ...(title === undefined ? {} : { title }),
      ops: [],
      tensors: [],
      inputs: [],
      outputs: [],
      totals: { ops: 0, tensors: 0, constantBytes, activationBytes: 0, subgraphs },
      note: "the model has no subgraph",
    };
  }
  const tensors: ModelTensor[] = sg.tensors.map((t, index) => {
    const data = t.buffer === 0 ? null : (model.buffers[t.buffer]?.data ?? null);
    const constant = data !== null && data.length > 0;
    const perElement = dtypeByteSize(t.type) ?? 0;
    const q = t.quantization;
    const scales = q?.scale ?? [];
    const zeroPoints = q?.zeroPoint ?? [];
    return {
      index,
      name: clip(t.name),
      dtype: t.type,
      shape: [...t.shape],
      bytes: constant ? data.length : perElement * shapeSize(t.shape.map((d) => Math.max(d, 0))),
      constant,
      quantization: scales.length === 0 ? null : tensorQuantization(scales, zeroPoints, q),
    };
  });
  const activationBytes = tensors.reduce((n, t) => n + (t.constant ? 0 : t.bytes), 0);
  const ops = sg.operators.map((op, index) => ({
    index,
    op: opLabel(model, op),
    version: model.operatorCodes[op.opcodeIndex]?.version ?? 1,
    inputs: [...op.inputs],
    outputs: [...op.outputs],
  }));
  const build = (shown: number): ModelPayload => {
    const used = new Set<number>([...sg.inputs, ...sg.outputs]);
    for (const op of ops.slice(0, shown))
      for (const i of [...op.inputs, ...op.outputs]) used.add(i);
    const p: ModelPayload = {
      kind: "model",
      ...(title === undefined ? {} : { title }),
      ops: ops.slice(0, shown),
      tensors: tensors.filter((t) => used.has(t.index)),
      inputs: [...sg.inputs],
      outputs: [...sg.outputs],
      totals: {
        ops: ops.length,
        tensors: tensors.length,
        constantBytes,
        activationBytes,
        subgraphs,
      },
    };
    const notes: string[] = [];
    if (shown < ops.length) notes.push(`showing the first ${shown} of ${ops.length} ops`);
    if (subgraphs > 1) notes.push(`subgraph 0 of ${subgraphs}`);
    if (notes.length > 0) p.note = notes.join("; ");
    return p;
  };
  let shown = ops.length;
  let p = build(shown);
  while (shown > 0 && JSON.stringify(p).length > maxChars) {
    shown = Math.floor(shown * 0.7);
    p = build(shown);
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Quantization parameters

/**
 * Per-tensor: `real = scale · (q − zeroPoint)`, q in [qmin, qmax], with the representable float
 * range; per-axis: one row per channel along `axis`.
 */
export function quantParamsBundle(params: AnyQuantParams, title?: string): MimeBundle {
  return qparamsBundle(qparamsPayload(params, title));
}

/** The bundle of a "qparams" payload (what `quantParamsBundle` shows). */
export function qparamsBundle(payload: QParamsPayload): MimeBundle {
  const p = payload;
  const fmt = `${p.signed ? "int" : "uint"}${p.bits}${p.narrowRange ? " narrow" : ""} [${p.qmin}, ${p.qmax}]`;
  const name = `${titled(p.title, "Quantization parameters")}${p.tensor === undefined ? "" : ` of tensor "${p.tensor}"`}`;
  if (p.axis !== null) {
    const rows: Cell[][] = p.scales.map((s, i) => [i, s, p.zeroPoints[i] ?? 0]);
    const cut = p.channels > p.scales.length ? ` (first ${p.scales.length} listed)` : "";
    const heading = `${name}: per-axis (axis ${p.axis}, ${p.channels} channels${cut}), ${fmt}`;
    return {
      [TSQUANT_MIME]: p,
      "text/plain": `${heading}\n${textTable(["channel", "scale", "zeroPoint"], rows)}`,
      "text/html": htmlBlock(heading, htmlTable(["channel", "scale", "zeroPoint"], rows)),
    };
  }
  const scale = p.scales[0] ?? 0;
  const zeroPoint = p.zeroPoints[0] ?? 0;
  const { min, max } = representableRange({
    scale,
    zeroPoint,
    format: {
      bits: p.bits,
      signed: p.signed,
      narrowRange: p.narrowRange,
      qmin: p.qmin,
      qmax: p.qmax,
    },
  });
  const heading = `${name}: ${fmt}`;
  const rows: Cell[][] = [[scale, zeroPoint, min, max]];
  const header = ["scale", "zeroPoint", "min (q = qmin)", "max (q = qmax)"];
  return {
    [TSQUANT_MIME]: p,
    "text/plain": `${heading}: scale=${formatNumber(scale)} zeroPoint=${zeroPoint} range [${formatNumber(min)}, ${formatNumber(max)}]`,
    "text/html": htmlBlock(heading, htmlTable(header, rows)),
  };
}

/** Most channels a "qparams" payload lists (the rest are counted in `channels`). */
export const MAX_QPARAMS_CHANNELS = 4096;

/** The "qparams" payload of per-tensor or per-axis parameters. */
export function qparamsPayload(
  params: AnyQuantParams,
  title?: string,
  tensor?: string,
): QParamsPayload {
  const f = params.format;
  const perAxis = isPerAxis(params);
  const scales = perAxis ? params.scale : [params.scale];
  const zeroPoints = perAxis ? params.zeroPoint : [params.zeroPoint];
  return {
    kind: "qparams",
    ...(title === undefined ? {} : { title }),
    ...(tensor === undefined ? {} : { tensor }),
    bits: f.bits,
    signed: f.signed,
    narrowRange: f.narrowRange,
    qmin: f.qmin,
    qmax: f.qmax,
    axis: perAxis ? params.axis : null,
    scales: scales.slice(0, MAX_QPARAMS_CHANNELS),
    zeroPoints: zeroPoints.slice(0, MAX_QPARAMS_CHANNELS),
    channels: scales.length,
  };
}

// ---------------------------------------------------------------------------------------------
// Weights (per-channel ranges of one layer)

/** Per-channel weight ranges: one row per channel (min, max, scale if quantized). */
export function weightsBundle(p: WeightsPayload): MimeBundle {
  const header =
    p.scales === undefined ? ["channel", "min", "max"] : ["channel", "min", "max", "scale"];
  const rows: Cell[][] = p.channelMin.map((lo, c) => {
    const row: Cell[] = [c, lo, p.channelMax[c] ?? 0];
    if (p.scales !== undefined) row.push(p.scales[c] ?? 0);
    return row;
  });
  const heading = `${titled(p.title, "Weight ranges")} of ${p.layer} (tensor "${p.tensor}"): ${p.channelMin.length} channels along axis ${p.axis}, per-tensor [${formatNumber(p.tensorMin)}, ${formatNumber(p.tensorMax)}]`;
  return {
    [TSQUANT_MIME]: p,
    "text/plain": `${heading}\n${textTable(header, rows)}`,
    "text/html": htmlBlock(heading, htmlTable(header, rows)),
  };
}

// ---------------------------------------------------------------------------------------------
// Range (one tensor's histogram and chosen range)

/**
 * Most histogram bins a range payload carries. A plot has no more pixels than this across, and a
 * notebook should not store megabytes per output: a million-bin histogram would be ~4 MB of JSON.
 */
export const MAX_RANGE_BINS = 8192;

/**
 * Merge runs of `k` adjacent bins so at most `maxBins` remain, keeping the bins uniform: with
 * `n` bins of width `w`, `k` is the smallest divisor of `n` with `n / k <= maxBins` when one
 * exists below `2 * ceil(n / maxBins)`; otherwise `k = ceil(n / maxBins)` and the last bin is
 * padded with empty original bins, so `max` grows to `min + ceil(n / k) * k * w`. Counts are summed,
 * so the total is unchanged. A histogram already small enough is returned as is.
 */
export function rebinHistogram(h: HistogramData, maxBins = MAX_RANGE_BINS): HistogramData {
  const n = h.counts.length;
  if (n <= maxBins) return h;
  const least = Math.ceil(n / maxBins);
  let k = least;
  while (k < 2 * least && n % k !== 0) k++;
  if (n % k !== 0) k = least;
  const bins = Math.ceil(n / k);
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < n; i++) counts[Math.floor(i / k)] += h.counts[i] ?? 0;
  const w = (h.max - h.min) / n;
  const max = n % k === 0 ? h.max : h.min + bins * k * w;
  return { min: h.min, max, counts };
}

/**
 * Range plot of one tensor; accepts a payload or a calibrated tensor (which needs its histogram).
 * A histogram of more than `MAX_RANGE_BINS` bins is re-binned (`rebinHistogram`); the text
 * fallbacks say so.
 */
export function rangeBundle(range: RangePayload | TensorCalibration): MimeBundle {
  const given: RangePayload = "kind" in range ? range : rangePayload(range);
  const sentBins = rebinHistogram(given.histogram);
  const payload: RangePayload =
    sentBins === given.histogram ? given : { ...given, histogram: sentBins };
  const h = payload.histogram;
  const total = h.counts.reduce((a, b) => a + b, 0);
  const heading = `${titled(payload.title, "Range")} of tensor "${payload.tensor}": [${formatNumber(payload.range.min)}, ${formatNumber(payload.range.max)}], ${payload.bits}-bit ${payload.symmetric ? "symmetric" : "asymmetric"}${payload.narrowRange ? " narrow" : ""}`;
  const rows: Cell[][] = [
    ["in use", payload.range.min, payload.range.max],
    ...payload.methods.map((m): Cell[] => [m.label ?? m.method, m.min, m.max]),
    ["observed values", h.min, h.max],
  ];
  const rebinned =
    h === given.histogram ? "" : ` (re-binned from ${given.histogram.counts.length} bins)`;
  const summary = `${formatNumber(total)} values in ${h.counts.length} bins${rebinned}`;
  return {
    [TSQUANT_MIME]: payload,
    "text/plain": `${heading}\n${textTable(["range", "min", "max"], rows)}\n${summary}`,
    "text/html": htmlBlock(
      heading,
      htmlTable(["range", "min", "max"], rows) + `<p>${escapeHtml(summary)}</p>`,
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Comparison table

function percent(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/**
 * Side-by-side comparison of model variants, with Δ accuracy = accuracy − baseline accuracy and
 * compression = baseline size / size (the renderer derives the same two columns).
 */
export function comparisonBundle(
  table: TablePayload | { rows: ComparisonRow[]; baseline?: string; title?: string },
): MimeBundle {
  const first = table.rows[0];
  const payload: TablePayload =
    "kind" in table
      ? table
      : {
          kind: "table",
          title: table.title,
          baseline: table.baseline ?? first?.variant ?? "",
          rows: table.rows,
        };
  const base = payload.rows.find((r) => r.variant === payload.baseline);
  const header = [
    "variant",
    "accuracy",
    "Δ accuracy",
    "size (bytes)",
    "compression",
    "latency (ms)",
    "input",
    "output",
  ];
  const rows: Cell[][] = payload.rows.map((r) => [
    r.variant,
    percent(r.accuracy),
    base === undefined
      ? ""
      : `${r.accuracy - base.accuracy >= 0 ? "+" : ""}${((r.accuracy - base.accuracy) * 100).toFixed(2)} pp`,
    r.sizeBytes,
    base === undefined || r.sizeBytes === 0 ? "" : `${(base.sizeBytes / r.sizeBytes).toFixed(2)}×`,
    r.latencyMs === null ? "" : r.latencyMs,
    r.inputType,
    r.outputType,
  ]);
  const heading = `${titled(payload.title, "Comparison")} (baseline: ${payload.baseline})`;
  return {
    [TSQUANT_MIME]: payload,
    "text/plain": `${heading}\n${textTable(header, rows)}`,
    "text/html": htmlBlock(heading, htmlTable(header, rows)),
  };
}

// ---------------------------------------------------------------------------------------------
// Calibration results

/** The "calibration" payload of a result: tensors in order, cut (with a note) to stay < 100 kB. */
export function calibrationPayload(
  result: CalibrationResult,
  title?: string,
  maxChars = MAX_MODEL_PAYLOAD_CHARS,
): CalibrationPayload {
  const all: CalibratedTensor[] = result.tensors.map((t) => ({
    index: t.index,
    name: clip(t.name),
    shape: [...t.shape],
    constant: t.constant,
    min: t.min,
    max: t.max,
    rangeMin: t.range.min,
    rangeMax: t.range.max,
    scale: f32Digits(t.qparams.scale),
    zeroPoint: t.qparams.zeroPoint,
  }));
  const build = (shown: number): CalibrationPayload => ({
    kind: "calibration",
    ...(title === undefined ? {} : { title }),
    method: result.method,
    samples: result.samples,
    tensors: all.slice(0, shown),
    ...(shown < all.length ? { note: `showing the first ${shown} of ${all.length} tensors` } : {}),
  });
  let shown = all.length;
  let p = build(shown);
  while (shown > 0 && JSON.stringify(p).length > maxChars) {
    shown = Math.floor(shown * 0.7);
    p = build(shown);
  }
  return p;
}

/** Every calibrated tensor: observed extremes, the chosen range and its scale / zero point. */
export function calibrationBundle(result: CalibrationResult, title?: string): MimeBundle {
  return calibrationPayloadBundle(calibrationPayload(result, title));
}

/** The bundle of a "calibration" payload. */
export function calibrationPayloadBundle(result: CalibrationPayload): MimeBundle {
  const header = [
    "#",
    "tensor",
    "shape",
    "kind",
    "observed min",
    "observed max",
    "range min",
    "range max",
    "scale",
    "zeroPoint",
  ];
  const rows: Cell[][] = result.tensors.map((t) => [
    t.index,
    t.name,
    shapeText(t.shape),
    t.constant ? "constant" : "activation",
    t.min,
    t.max,
    t.rangeMin,
    t.rangeMax,
    t.scale,
    t.zeroPoint,
  ]);
  const heading = `${titled(result.title, "Calibration")}: method ${result.method}, ${result.samples} sample(s), ${result.tensors.length} tensor(s)${result.note === undefined ? "" : ` (${result.note})`}`;
  return {
    [TSQUANT_MIME]: result,
    "text/plain": `${heading}\n${textTable(header, rows)}`,
    "text/html": htmlBlock(heading, htmlTable(header, rows)),
  };
}

// ---------------------------------------------------------------------------------------------
// Per-layer errors

/** Per-layer error bars (SQNR in dB, MSE) of a quantized model against its float twin. */
export function layerErrorsBundle(
  errors: ErrorPayload | { layers: LayerError[]; metric?: "sqnr" | "mse"; title?: string },
): MimeBundle {
  const payload: ErrorPayload =
    "kind" in errors
      ? errors
      : {
          kind: "error",
          title: errors.title,
          metric: errors.metric ?? "sqnr",
          layers: errors.layers,
        };
  const header = ["#", "layer", "op", "SQNR (dB)", "MSE"];
  const rows: Cell[][] = payload.layers.map((l) => [
    l.index,
    l.name,
    l.op,
    l.sqnr === null ? "exact" : l.sqnr,
    l.mse,
  ]);
  const heading = `${titled(payload.title, "Per-layer error")}: ${payload.layers.length} layer(s)`;
  return {
    [TSQUANT_MIME]: payload,
    "text/plain": `${heading}\n${textTable(header, rows)}`,
    "text/html": htmlBlock(heading, htmlTable(header, rows)),
  };
}
