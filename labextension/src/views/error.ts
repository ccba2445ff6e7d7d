/**
 * Error plot: per-layer SQNR (or MSE) of a quantized model against its float twin, as bars in
 * graph order coloured by op type. Clicking a bar shows that tensor's float-vs-quantized scatter
 * and the histogram of its error.
 */
import type { ErrorPayload, HistogramData, LayerError } from "../../../kernel/src/display/payload";
import { h } from "../dom";
import { formatDb, formatNumber, plotlyText } from "../format";
import {
  binCenters,
  binWidth,
  coarsenHistogram,
  histogramOf,
  maxOf,
  minOf,
  strideIndices,
} from "../histogram";
import type { BarTrace, Trace } from "../plotly";
import { themedAxis, themedLayout, type Theme } from "../theme";
import { PlotArea } from "./plot";
import type { View } from "./view";

/** Most points of a layer's float-vs-quantized scatter drawn (SVG markers get slow beyond). */
const MAX_SCATTER_POINTS = 5000;

/** Bars show SQNR (higher is better) or MSE (lower is better); null SQNR (no error) is drawn at the top. */
function metricValue(layer: LayerError, metric: "sqnr" | "mse"): number | null {
  return metric === "sqnr" ? layer.sqnr : layer.mse;
}

export class ErrorView implements View {
  readonly node: HTMLElement;
  private readonly bars = new PlotArea("jp-tsquant-ErrorPlot-bars");
  private readonly detail = new PlotArea("jp-tsquant-ErrorPlot-detail");
  private readonly detailTitle = h("div", { class: "jp-tsquant-subtitle" });
  private readonly metricSelect: HTMLSelectElement;
  private metric: "sqnr" | "mse";
  private selected: LayerError | null = null;
  private theme: Theme | undefined;
  private listening = false;
  private readonly layers: LayerError[];

  constructor(private readonly payload: ErrorPayload) {
    this.metric = payload.metric;
    this.layers = [...payload.layers].sort((a, b) => a.index - b.index);
    this.metricSelect = h(
      "select",
      { class: "jp-tsquant-input-metric", name: "metric" },
      h(
        "option",
        { value: "sqnr", selected: payload.metric === "sqnr" },
        "SQNR (dB, higher is better)",
      ),
      h("option", { value: "mse", selected: payload.metric === "mse" }, "MSE (lower is better)"),
    );
    this.metricSelect.addEventListener("change", () => {
      this.metric = this.metricSelect.value === "mse" ? "mse" : "sqnr";
      if (this.theme) void this.render(this.theme);
    });
    this.detailTitle.textContent = "Click a bar to see that layer's float vs quantized values.";
    this.node = h(
      "div",
      { class: "jp-tsquant-view jp-tsquant-ErrorPlot" },
      h("div", { class: "jp-tsquant-title" }, payload.title ?? "Quantization error per layer"),
      h(
        "div",
        { class: "jp-tsquant-controls" },
        h("label", { class: "jp-tsquant-control" }, "metric ", this.metricSelect),
      ),
      this.bars.node,
      this.detailTitle,
      this.detail.node,
    );
  }

  async render(theme: Theme): Promise<void> {
    this.theme = theme;
    const labels = this.layers.map((l) => `${l.index}`);
    const ops = [...new Set(this.layers.map((l) => l.op))];
    const finite = this.layers
      .map((l) => metricValue(l, this.metric))
      .filter((v): v is number => v !== null);
    const top = finite.length > 0 ? Math.max(...finite) : 1;
    const traces: BarTrace[] = ops.map((op, k) => {
      const ofOp = this.layers.filter((l) => l.op === op);
      return {
        type: "bar",
        name: plotlyText(op),
        x: ofOp.map((l) => `${l.index}`),
        // An exact layer (SQNR null = infinite) gets a bar a little above the best finite one.
        y: ofOp.map((l) => metricValue(l, this.metric) ?? top * 1.1),
        customdata: ofOp.map((l) => l.index),
        hovertext: ofOp.map(
          (l) =>
            `${plotlyText(l.name)}<br>${plotlyText(l.op)}<br>SQNR ${formatDb(l.sqnr)}<br>MSE ${formatNumber(l.mse)}`,
        ),
        hovertemplate: "%{hovertext}<extra>layer %{x}</extra>",
        marker: { color: theme.palette[k % theme.palette.length] ?? theme.accent },
      };
    });
    const layout = themedLayout(theme, 300);
    const axis = themedAxis(theme);
    const selectedShape = this.selected
      ? [
          {
            type: "rect" as const,
            xref: "x" as const,
            yref: "paper" as const,
            x0: this.layers.indexOf(this.selected) - 0.5,
            x1: this.layers.indexOf(this.selected) + 0.5,
            y0: 0,
            y1: 1,
            fillcolor: theme.light ? "rgba(0,0,0,0.06)" : "rgba(255,255,255,0.08)",
            line: { width: 0 },
            layer: "below" as const,
          },
        ]
      : [];
    const graph = await this.bars.react(traces, {
      ...layout,
      barmode: "overlay",
      hovermode: "closest",
      showlegend: true,
      xaxis: {
        ...axis,
        title: { text: "layer (graph order)" },
        type: "category",
        categoryorder: "array",
        categoryarray: labels,
      },
      yaxis: {
        ...axis,
        title: { text: this.metric === "sqnr" ? "SQNR (dB)" : "MSE" },
        type: this.metric === "mse" ? "log" : "linear",
      },
      shapes: selectedShape,
    });
    if (!this.listening) {
      this.listening = true;
      graph.on("plotly_click", (e) => {
        const index = e.points[0]?.customdata;
        const layer = this.layers.find((l) => l.index === index);
        if (layer) this.select(layer);
      });
    }
    if (this.selected) await this.renderDetail(this.selected, theme);
  }

  private select(layer: LayerError): void {
    this.selected = layer;
    if (this.theme) void this.render(this.theme);
  }

  private async renderDetail(layer: LayerError, theme: Theme): Promise<void> {
    this.detailTitle.textContent = `Layer ${layer.index}: ${layer.name} (${layer.op}) — SQNR ${formatDb(layer.sqnr)}, MSE ${formatNumber(layer.mse)}`;
    this.detailTitle.dataset["layer"] = String(layer.index);
    const sample = layer.sample;
    let errorHist: HistogramData | undefined = layer.errorHistogram;
    if (!errorHist && sample)
      errorHist = histogramOf(
        sample.float.map((x, i) => (sample.quantized[i] ?? x) - x),
        40,
      );
    if (!sample && !errorHist) {
      this.detailTitle.textContent += " (no sample values in this output)";
      this.detail.dispose();
      this.detail.node.replaceChildren();
      return;
    }
    const traces: Trace[] = [];
    if (sample) {
      const lo = Math.min(minOf(sample.float), minOf(sample.quantized));
      const hi = Math.max(maxOf(sample.float), maxOf(sample.quantized));
      // The kernel sends a few thousand points; a bigger sample is thinned for drawing.
      const shown = strideIndices(sample.float.length, MAX_SCATTER_POINTS);
      traces.push(
        {
          type: "scatter",
          mode: "lines",
          name: "x̂ = x",
          x: [lo, hi],
          y: [lo, hi],
          line: { color: theme.fontMuted, width: 1, dash: "dash" },
          hoverinfo: "skip",
        },
        {
          type: "scatter",
          mode: "markers",
          name: "values",
          x: shown.map((i) => sample.float[i] ?? 0),
          y: shown.map((i) => sample.quantized[i] ?? 0),
          marker: { color: theme.accent, size: 4, opacity: 0.6 },
          hovertemplate: "float %{x:.4g}<br>quantized %{y:.4g}<extra></extra>",
        },
      );
    }
    if (errorHist) {
      errorHist = coarsenHistogram(errorHist);
      traces.push({
        type: "bar",
        name: "error",
        x: binCenters(errorHist),
        y: errorHist.counts,
        width: binWidth(errorHist),
        xaxis: "x2",
        yaxis: "y2",
        marker: { color: theme.warn },
        hovertemplate: "error %{x:.3g}: %{y}<extra></extra>",
      });
    }
    const layout = themedLayout(theme, 300);
    const axis = themedAxis(theme);
    await this.detail.react(traces, {
      ...layout,
      showlegend: false,
      hovermode: "closest",
      bargap: 0,
      xaxis: { ...axis, domain: [0, 0.46], title: { text: "float" }, anchor: "y" },
      yaxis: { ...axis, title: { text: "quantized (dequantized)" }, anchor: "x" },
      xaxis2: { ...axis, domain: [0.56, 1], title: { text: "error x̂ − x" }, anchor: "y2" },
      yaxis2: { ...axis, title: { text: "count" }, anchor: "x2" },
    });
  }

  resize(): void {
    this.bars.resize();
    this.detail.resize();
  }

  dispose(): void {
    this.bars.dispose();
    this.detail.dispose();
  }
}
