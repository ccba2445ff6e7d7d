/**
 * Model Explorer overlays: `compareLayers` results as Model Explorer's node data for one graph,
 * so a graph opened in Model Explorer is coloured by per-tensor error.
 *
 * The file is one graph's node data: `{ results: { <output tensor name>: { value } },
 * thresholds | gradient }`. Model Explorer matches a key with the output tensor names of its
 * nodes. A threshold colours the nodes whose value is ≤ its `value` (the first that holds, in
 * ascending order); a gradient maps the smallest value to stop 0 and the largest to stop 1.
 * One file per metric:
 *
 * - `sqnr` (dB, higher is better): ≤ 10 red, ≤ 20 orange, ≤ 30 yellow, above that green. A
 *   tensor with no error (SQNR +∞) is written as SQNR_CAP, since JSON has no infinity.
 * - `cosine` (cosine similarity of the float and dequantized tensors, 1 is best): ≤ 0.9 red,
 *   ≤ 0.99 orange, ≤ 0.999 yellow, up to 1 green.
 * - `mse` (lower is better, no natural scale): a gradient from green (smallest) to red (largest).
 */
import { UsageError } from "../errors";
import type { LayerError } from "../display/payload";

export const OVERLAY_METRICS = ["sqnr", "mse", "cosine"] as const;
export type OverlayMetric = (typeof OVERLAY_METRICS)[number];

/** The SQNR written for a tensor without error (+∞ dB). */
export const SQNR_CAP = 200;

export interface NodeDataResult {
  value: number;
}
export interface ThresholdItem {
  value: number;
  bgColor: string;
}
export interface GradientItem {
  stop: number;
  bgColor: string;
}
/** One graph's node data, as Model Explorer reads it. */
export interface GraphNodeData {
  results: Record<string, NodeDataResult>;
  thresholds?: ThresholdItem[];
  gradient?: GradientItem[];
}

const RED = "#e53935";
const ORANGE = "#fb8c00";
const YELLOW = "#fdd835";
const GREEN = "#43a047";

export interface OverlayOptions {
  /**
   * Which model's tensor names key the results: the quantized model's (default, the graph one
   * usually opens to look for the lossy layer) or the float model's.
   */
  keys?: "quantized" | "float";
}

function metricValue(layer: LayerError, metric: OverlayMetric): number | undefined {
  switch (metric) {
    case "sqnr":
      return layer.sqnr === null ? SQNR_CAP : Math.min(layer.sqnr, SQNR_CAP);
    case "mse":
      return layer.mse;
    case "cosine":
      return layer.cosine === undefined ? undefined : Math.min(1, layer.cosine);
    default:
      return metric satisfies never;
  }
}

/** Model Explorer node data of one metric over the compared layers. */
export function modelExplorerOverlay(
  layers: readonly LayerError[],
  metric: OverlayMetric,
  options: OverlayOptions = {},
): GraphNodeData {
  if (!(OVERLAY_METRICS as readonly string[]).includes(metric)) {
    throw new UsageError(
      `modelExplorerOverlay: metric '${String(metric)}' is not one of ${OVERLAY_METRICS.join(", ")}`,
    );
  }
  const results: Record<string, NodeDataResult> = {};
  for (const layer of layers) {
    const value = metricValue(layer, metric);
    if (value === undefined || !Number.isFinite(value)) continue;
    const key = options.keys === "float" ? layer.name : (layer.quantizedName ?? layer.name);
    results[key] = { value };
  }
  switch (metric) {
    case "sqnr":
      return {
        results,
        thresholds: [
          { value: 10, bgColor: RED },
          { value: 20, bgColor: ORANGE },
          { value: 30, bgColor: YELLOW },
          { value: SQNR_CAP, bgColor: GREEN },
        ],
      };
    case "cosine":
      return {
        results,
        thresholds: [
          { value: 0.9, bgColor: RED },
          { value: 0.99, bgColor: ORANGE },
          { value: 0.999, bgColor: YELLOW },
          { value: 1, bgColor: GREEN },
        ],
      };
    case "mse":
      return {
        results,
        gradient: [
          { stop: 0, bgColor: GREEN },
          { stop: 0.5, bgColor: YELLOW },
          { stop: 1, bgColor: RED },
        ],
      };
    default:
      return metric satisfies never;
  }
}

/** `base.json` → `base.<metric>.json` (the file name of one metric's overlay). */
export function overlayPath(base: string, metric: OverlayMetric): string {
  return /\.json$/i.test(base)
    ? base.replace(/\.json$/i, `.${metric}.json`)
    : `${base}.${metric}.json`;
}
