/**
 * MIME bundles for tsquant's objects: each carries `text/plain` (a terminal reads it) and
 * `text/html` (GitHub and nbconvert show it), and — where the shared payload module has a
 * `kind` for it — `application/vnd.tsquant.v1+json`, which the JupyterLab extension plots.
 *
 * A model and quantization parameters have no payload kind in v1 of the MIME type, so their
 * bundles are HTML and text only.
 */
import type { CalibrationResult, TensorCalibration } from "../calib/calibrate";
import { rangePayload } from "../calib/payload";
import { dtypeByteSize, opName, shapeSize } from "../ir";
import type { Model } from "../ir";
import { type AnyQuantParams, isPerAxis, representableRange } from "../quant/params";
import { describeQuantization, summarizeModel } from "../tflite/summary";
import {
  type ComparisonRow,
  type ErrorPayload,
  type LayerError,
  type Payload,
  type ProgressPayload,
  type RangePayload,
  type TablePayload,
  TSQUANT_MIME,
} from "./payload";
import { type Cell, escapeHtml, formatNumber, htmlTable, textTable } from "./html";

/** A Jupyter MIME bundle: MIME type → data (a string, or a JSON object for `+json` types). */
export interface MimeBundle {
  "text/plain"?: string;
  "text/html"?: string;
  [TSQUANT_MIME]?: Payload;
  [mime: string]: unknown;
}

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
      const name =
        code === undefined
          ? `opcode #${op.opcodeIndex}`
          : code.customCode !== null
            ? `CUSTOM ${code.customCode}`
            : opName(code.builtinCode);
      return [
        k,
        name,
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
  return { "text/plain": summarizeModel(model), "text/html": htmlBlock(heading, parts.join("\n")) };
}

// ---------------------------------------------------------------------------------------------
// Quantization parameters

/**
 * Per-tensor: `real = scale · (q − zeroPoint)`, q in [qmin, qmax], with the representable float
 * range; per-axis: one row per channel along `axis`.
 */
export function quantParamsBundle(params: AnyQuantParams, title?: string): MimeBundle {
  const f = params.format;
  const fmt = `${f.signed ? "int" : "uint"}${f.bits}${f.narrowRange ? " narrow" : ""} [${f.qmin}, ${f.qmax}]`;
  if (isPerAxis(params)) {
    const rows: Cell[][] = params.scale.map((s, i) => [i, s, params.zeroPoint[i] ?? 0]);
    const heading = `${titled(title, "Quantization parameters")}: per-axis (axis ${params.axis}, ${params.scale.length} channels), ${fmt}`;
    return {
      "text/plain": `${heading}\n${textTable(["channel", "scale", "zeroPoint"], rows)}`,
      "text/html": htmlBlock(heading, htmlTable(["channel", "scale", "zeroPoint"], rows)),
    };
  }
  const { min, max } = representableRange(params);
  const heading = `${titled(title, "Quantization parameters")}: ${fmt}`;
  const rows: Cell[][] = [[params.scale, params.zeroPoint, min, max]];
  const header = ["scale", "zeroPoint", "min (q = qmin)", "max (q = qmax)"];
  return {
    "text/plain": `${heading}: scale=${formatNumber(params.scale)} zeroPoint=${params.zeroPoint} range [${formatNumber(min)}, ${formatNumber(max)}]`,
    "text/html": htmlBlock(heading, htmlTable(header, rows)),
  };
}

// ---------------------------------------------------------------------------------------------
// Range (one tensor's histogram and chosen range)

/** Range plot of one tensor; accepts a payload or a calibrated tensor (which needs its histogram). */
export function rangeBundle(range: RangePayload | TensorCalibration): MimeBundle {
  const payload: RangePayload = "kind" in range ? range : rangePayload(range);
  const h = payload.histogram;
  const total = h.counts.reduce((a, b) => a + b, 0);
  const heading = `${titled(payload.title, "Range")} of tensor "${payload.tensor}": [${formatNumber(payload.range.min)}, ${formatNumber(payload.range.max)}], ${payload.bits}-bit ${payload.symmetric ? "symmetric" : "asymmetric"}${payload.narrowRange ? " narrow" : ""}`;
  const rows: Cell[][] = [
    ["in use", payload.range.min, payload.range.max],
    ...payload.methods.map((m): Cell[] => [m.label ?? m.method, m.min, m.max]),
    ["observed values", h.min, h.max],
  ];
  const summary = `${formatNumber(total)} values in ${h.counts.length} bins`;
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

/** Every calibrated tensor: observed extremes, the chosen range and its scale / zero point. */
export function calibrationBundle(result: CalibrationResult, title?: string): MimeBundle {
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
    t.range.min,
    t.range.max,
    t.qparams.scale,
    t.qparams.zeroPoint,
  ]);
  const heading = `${titled(title, "Calibration")}: method ${result.method}, ${result.samples} sample(s), ${result.tensors.length} tensor(s)`;
  return {
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

// ---------------------------------------------------------------------------------------------
// Progress

/** Seconds as `1.2 s`, `3 min 05 s` or `1 h 02 min`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "?";
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${String(Math.floor(seconds % 60)).padStart(2, "0")} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, "0")} min`;
}

/**
 * ETA by linear extrapolation: elapsed · (total − done) / done. Degenerate case: nothing done
 * yet (done ≤ 0) → null (unknown).
 */
export function etaSeconds(done: number, total: number, elapsedSeconds: number): number | null {
  if (done <= 0 || elapsedSeconds < 0) return null;
  return (elapsedSeconds * Math.max(total - done, 0)) / done;
}

/** `training [#####.....] 50% 5/10 epoch, 2.0 s, ETA 2.0 s, loss 0.213`: one line. */
export function progressLine(p: ProgressPayload, width = 20): string {
  const fraction = p.total > 0 ? Math.min(Math.max(p.done / p.total, 0), 1) : 0;
  const filled = Math.round(fraction * width);
  const bar = `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
  const parts = [
    `${titled(p.title, p.task)} ${bar} ${Math.floor(fraction * 100)}% ${p.done}/${p.total}${p.unit === undefined ? "" : ` ${p.unit}`}`,
  ];
  if (p.elapsedSeconds !== undefined) {
    parts.push(formatDuration(p.elapsedSeconds));
    const eta = p.status === "running" ? etaSeconds(p.done, p.total, p.elapsedSeconds) : null;
    if (eta !== null) parts.push(`ETA ${formatDuration(eta)}`);
  }
  if (p.status !== "running") parts.push(p.status);
  if (p.message !== undefined && p.message !== "") parts.push(p.message);
  return parts.join(", ");
}

/** The progress bundle: payload (live bar and curve in JupyterLab), an HTML bar, one text line. */
export function progressBundle(p: ProgressPayload): MimeBundle {
  const fraction = p.total > 0 ? Math.min(Math.max(p.done / p.total, 0), 1) : 0;
  const line = progressLine(p);
  const html =
    `<div class="tsquant-progress"><progress max="1" value="${fraction.toFixed(4)}" style="width:20em"></progress> ` +
    `<span>${escapeHtml(line)}</span></div>`;
  return { [TSQUANT_MIME]: p, "text/plain": line, "text/html": html };
}
