/**
 * Calibration results as display payloads (`application/vnd.tsquant.v1+json`, kind "range"), so
 * a notebook can plot a tensor's histogram with the range each method chose.
 */
import type { CalibrationRange, HistogramData, RangePayload } from "../display/payload";
import { UsageError } from "../errors";
import type { TensorCalibration } from "./calibrate";
import type { HistogramSnapshot } from "./histogram";

/**
 * The payload form of an observer histogram: bins trimmed to the first and last non-empty one
 * (the growing histogram can span up to twice the data). All-empty → a single empty bin at 0.
 */
export function histogramPayload(h: HistogramSnapshot): HistogramData {
  const w = (h.hi - h.lo) / h.counts.length;
  let first = 0;
  while (first < h.counts.length && h.counts[first] === 0) first++;
  let last = h.counts.length - 1;
  while (last >= first && h.counts[last] === 0) last--;
  if (first > last) return { min: 0, max: 0, counts: [0] };
  return {
    min: h.lo + first * w,
    max: h.lo + (last + 1) * w,
    counts: h.counts.slice(first, last + 1),
  };
}

export interface RangePayloadOptions {
  /** Other methods' ranges to show beside the one in use. */
  methods?: CalibrationRange[];
  /** Default 8. */
  bits?: number;
  symmetric?: boolean;
  narrowRange?: boolean;
  title?: string;
}

/** A "range" payload for one calibrated tensor (its histogram and chosen range). */
export function rangePayload(
  t: TensorCalibration,
  options: RangePayloadOptions = {},
): RangePayload {
  if (t.histogram === null) {
    throw new UsageError(
      `rangePayload: tensor "${t.name}" has no histogram (calibrate with keepHistograms: true)`,
    );
  }
  return {
    kind: "range",
    title: options.title,
    tensor: t.name,
    histogram: histogramPayload(t.histogram),
    range: { min: t.range.min, max: t.range.max },
    bits: options.bits ?? t.qparams.format.bits,
    symmetric: options.symmetric ?? false,
    narrowRange: options.narrowRange ?? t.qparams.format.narrowRange,
    methods: options.methods ?? [],
  };
}
