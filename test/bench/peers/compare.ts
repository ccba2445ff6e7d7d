/**
 * The peer benchmark's own judgement, kept apart from the run so a unit test can prove it fails:
 * the tolerances, the runtime cross-check (tsquant's interpreter vs LiteRT's reference kernels on
 * one file), the pipeline check (TensorFlow's file vs tsquant's file for one mode) and the
 * Markdown tables.
 */

import { BuiltinOperator, type Model } from "../../../kernel/src/ir";

/** Conversion modes of the tutorials, plus the QAT → int8 file. */
export const PEER_MODES = ["float32", "float16", "dynamic", "int8", "int8-only", "qat"] as const;
export type PeerMode = (typeof PEER_MODES)[number];

export const TOLERANCES = {
  /**
   * Issue #4: 10k-image accuracy of tsquant's file within 0.1 percentage point of TF's file for
   * every post-training mode (same float weights, same 100 calibration images).
   */
  accuracyPoints: 0.1,
  /**
   * QAT files come from two trainings (tfmot in TF, tsquant's QAT in tfjs) that start from the
   * same float weights but shuffle and round differently for 2 Adam steps, so they are not the
   * same weights. NOTE: 0.5 point is this harness's choice (5× the post-training tolerance),
   * not a figure from TF; the table shows the actual gap.
   */
  qatAccuracyPoints: 0.5,
  /**
   * Issue #4: file size within 2 % of TF's (QAT too: same graph, same constants' sizes). Measured
   * net of the tensor-name strings (see `tensorNameBytes`): names are free text chosen by each
   * front end (tfmot's QAT names run to ~900 bytes for the tutorial CNN, tsquant's to ~300), not
   * model content. The whole-file delta is reported beside it.
   */
  sizeFraction: 0.02,
  /**
   * Float outputs (float32, float16, dynamic-range files): tsquant's float kernels sum in another
   * order than LiteRT's, so logits differ by float32 rounding and a near-tie can flip; argmax
   * must agree on at least 99.9 % of the images. Files with quantized activations (int8,
   * int8-only, qat) run integer arithmetic that tsquant matches bit for bit: every prediction
   * must be identical (and the outputs are compared exactly).
   */
  floatArgmaxAgreement: 0.999,
} as const;

/** True for files whose activations are int8 (the interpreter must match LiteRT exactly). */
export function isIntegerMode(mode: PeerMode): boolean {
  switch (mode) {
    case "int8":
    case "int8-only":
    case "qat":
      return true;
    case "float32":
    case "float16":
    case "dynamic":
      return false;
    default:
      return mode satisfies never;
  }
}

type Numbers = ArrayLike<number>;

/** Index of the largest of `classes` values from `offset` (the first on ties, as numpy). */
export function argmax(a: Numbers, offset: number, classes: number): number {
  let best = 0;
  for (let k = 1; k < classes; k++) if (a[offset + k] > a[offset + best]) best = k;
  return best;
}

export function predictions(outputs: Numbers, classes: number): Int32Array {
  const n = outputs.length / classes;
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = argmax(outputs, i * classes, classes);
  return p;
}

export function accuracyOf(pred: Int32Array, labels: Numbers): number {
  let hits = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === labels[i]) hits++;
  return pred.length === 0 ? 0 : hits / pred.length;
}

export interface CrossCheck {
  file: string;
  mode: PeerMode;
  /** Fraction of images whose top-1 class is the same in both runtimes. */
  agreement: number;
  /** Elements of the output that differ, and the largest |difference|. */
  differing: number;
  maxAbsDiff: number;
  ok: boolean;
  /** Why not ok (empty when ok). */
  reason: string;
}

/**
 * tsquant's interpreter vs LiteRT (reference kernels) on one file: outputs of N images × classes.
 * Integer-activation files must give identical predictions; float files must agree on argmax for
 * ≥ `floatArgmaxAgreement` of the images. Outputs of different lengths are a failure.
 */
export function crossCheck(
  file: string,
  mode: PeerMode,
  tsquant: Numbers,
  litert: Numbers,
  classes: number,
): CrossCheck {
  const base = { file, mode };
  if (tsquant.length !== litert.length || tsquant.length % classes !== 0) {
    return {
      ...base,
      agreement: 0,
      differing: Math.max(tsquant.length, litert.length),
      maxAbsDiff: Infinity,
      ok: false,
      reason: `output lengths differ (tsquant ${tsquant.length}, LiteRT ${litert.length}, ${classes} classes)`,
    };
  }
  let differing = 0;
  let maxAbsDiff = 0;
  let nan = false;
  for (let i = 0; i < tsquant.length; i++) {
    const d = Math.abs(tsquant[i] - litert[i]);
    if (Number.isNaN(d)) nan = true;
    if (d !== 0) differing++; // NaN !== 0 too
    if (d > maxAbsDiff) maxAbsDiff = d;
  }
  if (nan) maxAbsDiff = NaN;
  const a = predictions(tsquant, classes);
  const b = predictions(litert, classes);
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  const n = a.length;
  const agreement = n === 0 ? 1 : same / n;
  let reason = "";
  if (isIntegerMode(mode)) {
    if (same !== n) reason = `${n - same} of ${n} predictions differ (integer file: must be 0)`;
  } else if (agreement < TOLERANCES.floatArgmaxAgreement) {
    reason = `argmax agreement ${(100 * agreement).toFixed(2)} % < ${100 * TOLERANCES.floatArgmaxAgreement} %`;
  }
  return { ...base, agreement, differing, maxAbsDiff, ok: reason === "", reason };
}

export interface FileResult {
  /** 10k-image accuracy in LiteRT (default kernels), 0..1. */
  accuracy: number;
  bytes: number;
  /** Bytes the tensor-name strings take in the file (`tensorNameBytes`); 0 when not measured. */
  nameBytes?: number;
  /** The quantized model input's parameters (`inputQuantization`); not compared when absent. */
  input?: InputQuantization | null;
}

/** Scale and zero point of the first quantized activation the graph input feeds. */
export interface InputQuantization {
  scale: number;
  zeroPoint: number;
}

/**
 * The model input's quantization: the graph input's own parameters when it is int8/uint8, else
 * those of the QUANTIZE op's output that reads it (float-I/O integer files); null when neither
 * (float files). Both pipelines calibrate (or, for QAT, learn) the input range from the same
 * images, so these must agree — the input is where a QAT range rule shows first.
 */
export function inputQuantization(model: Model): InputQuantization | null {
  const sg = model.subgraphs[0];
  const input = sg?.inputs[0];
  if (sg === undefined || input === undefined) return null;
  const params = (index: number): InputQuantization | null => {
    const t = sg.tensors[index];
    const scale = t?.quantization?.scale?.[0];
    const zeroPoint = t?.quantization?.zeroPoint?.[0];
    if (t === undefined || (t.type !== "int8" && t.type !== "uint8")) return null;
    return scale === undefined || zeroPoint === undefined ? null : { scale, zeroPoint };
  };
  const own = params(input);
  if (own !== null) return own;
  const quantize = sg.operators.find(
    (op) =>
      op.inputs[0] === input &&
      model.operatorCodes[op.opcodeIndex]?.builtinCode === BuiltinOperator.QUANTIZE,
  );
  return quantize === undefined ? null : params(quantize.outputs[0] ?? -1);
}

/**
 * Bytes a FlatBuffer spends on the tensor names of a model: each string is a uint32 length, the
 * UTF-8 bytes and a NUL, padded to 4 bytes. (Alignment padding between strings can make the true
 * figure differ by a few bytes per name; that is far below the 2 % tolerance.)
 */
export function tensorNameBytes(names: readonly string[]): number {
  let total = 0;
  for (const name of names) {
    const n = 4 + Buffer.byteLength(name, "utf8") + 1;
    total += Math.ceil(n / 4) * 4;
  }
  return total;
}

export interface PipelineCheck {
  mode: PeerMode;
  accuracyDeltaPoints: number;
  /** Whole-file size delta, fraction of TF's file. */
  sizeDeltaFraction: number;
  /** Size delta net of tensor-name strings, fraction of TF's net size: the checked one. */
  contentDeltaFraction: number;
  ok: boolean;
  reason: string;
}

/** TF's file vs tsquant's file for one mode: accuracy (points) and size (fraction of TF's). */
export function pipelineCheck(mode: PeerMode, tf: FileResult, tsquant: FileResult): PipelineCheck {
  const accuracyDeltaPoints = 100 * (tsquant.accuracy - tf.accuracy);
  const sizeDeltaFraction = (tsquant.bytes - tf.bytes) / tf.bytes;
  const tfNet = tf.bytes - (tf.nameBytes ?? 0);
  const tsquantNet = tsquant.bytes - (tsquant.nameBytes ?? 0);
  const contentDeltaFraction = (tsquantNet - tfNet) / tfNet;
  const accTol = mode === "qat" ? TOLERANCES.qatAccuracyPoints : TOLERANCES.accuracyPoints;
  const reasons: string[] = [];
  // A small epsilon: the accuracies are counts over N images, the difference of two quotients.
  if (!(Math.abs(accuracyDeltaPoints) <= accTol + 1e-9)) {
    reasons.push(
      `accuracy ${pct(tsquant.accuracy)} vs TF ${pct(tf.accuracy)} (Δ ${accuracyDeltaPoints.toFixed(2)} points > ${accTol})`,
    );
  }
  const a = tf.input;
  const b = tsquant.input;
  if (a !== undefined && b !== undefined) {
    const show = (q: InputQuantization | null) =>
      q === null ? "float" : `scale ${q.scale} zero point ${q.zeroPoint}`;
    const same =
      a === null || b === null
        ? a === b
        : a.zeroPoint === b.zeroPoint && Math.abs(a.scale - b.scale) <= 1e-6 * a.scale;
    if (!same) reasons.push(`input quantization ${show(b)} vs TF ${show(a)}`);
  }
  if (!(Math.abs(contentDeltaFraction) <= TOLERANCES.sizeFraction)) {
    reasons.push(
      `size net of tensor names ${tsquantNet} vs TF ${tfNet} bytes (Δ ${(100 * contentDeltaFraction).toFixed(2)} % > ${100 * TOLERANCES.sizeFraction} %; whole files ${tsquant.bytes} vs ${tf.bytes})`,
    );
  }
  return {
    mode,
    accuracyDeltaPoints,
    sizeDeltaFraction,
    contentDeltaFraction,
    ok: reasons.length === 0,
    reason: reasons.join("; "),
  };
}

/** The one-line failures of a run ("" entries dropped); the run exits non-zero when any. */
export function failureLines(
  dataset: string,
  cross: readonly CrossCheck[],
  pipelines: readonly PipelineCheck[],
): string[] {
  return [
    ...cross
      .filter((c) => !c.ok)
      .map((c) => `PEERS FAIL ${dataset} runtimes disagree on ${c.file}: ${c.reason}`),
    ...pipelines
      .filter((p) => !p.ok)
      .map((p) => `PEERS FAIL ${dataset} pipelines disagree in mode ${p.mode}: ${p.reason}`),
  ];
}

export function pct(fraction: number): string {
  return `${(100 * fraction).toFixed(2)} %`;
}

/** `tsquant ÷ peer`, or "n/a" when either is missing or the peer is 0. */
export function ratio(tsquant: number | null, peer: number | null): string {
  if (tsquant === null || peer === null || peer === 0 || !Number.isFinite(tsquant / peer))
    return "n/a";
  const r = tsquant / peer;
  // Two decimals, or two significant digits below 0.1 (e.g. a conversion 250× faster: 0.0040).
  return r < 0.1 ? r.toPrecision(2) : r.toFixed(2);
}

/** A Markdown table; numeric-looking columns (all cells but the header) right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const r of rows) {
    if (r.length !== header.length) {
      throw new Error(
        `table: row has ${r.length} cells, header ${header.length}: ${r.join(" | ")}`,
      );
    }
  }
  const numeric = header.map((_, j) =>
    rows.every((r) => /^[-+]?[\d,.]+(e[-+]\d+)?( ?(%|×|s|µs|B))?$|^n\/a$|^—$/.test(r[j] ?? "")),
  );
  const line = (cells: readonly string[]): string => `| ${cells.join(" | ")} |`;
  return [
    line(header),
    line(header.map((_, j) => (numeric[j] && rows.length > 0 ? "---:" : "---"))),
    ...rows.map(line),
  ].join("\n");
}
