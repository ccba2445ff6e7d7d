/**
 * Weights plot: each output channel's [min, max] as a floating bar (a whisker), with the
 * per-tensor range overlaid as a band. The gap between them is what per-channel quantization
 * recovers: a channel using a fraction f of the per-tensor range gets log2(1/f) more bits of
 * resolution with its own scale.
 */
import type { WeightsPayload } from "../../../kernel/src/display/payload";
import { h } from "../dom";
import { formatNumber } from "../format";
import type { Shape } from "../plotly";
import { themedAxis, themedLayout, type Theme } from "../theme";
import { PlotArea } from "./plot";
import type { View } from "./view";

export class WeightsView implements View {
  readonly node: HTMLElement;
  private readonly plot = new PlotArea("jp-tsquant-WeightsPlot-plot");

  constructor(private readonly payload: WeightsPayload) {
    const p = payload;
    const tensorSpan = Math.max(Math.abs(p.tensorMin), Math.abs(p.tensorMax));
    // Symmetric per-channel scales are max(|min|, |max|) / 127; the narrowest channel's share of
    // the per-tensor range says how much resolution per-tensor quantization costs it.
    const shares = p.channelMin.map(
      (lo, c) => Math.max(Math.abs(lo), Math.abs(p.channelMax[c] ?? 0)) / (tensorSpan || 1),
    );
    const worst = shares.length > 0 ? Math.min(...shares) : 1;
    const summary =
      shares.length > 0
        ? `${shares.length} channels along axis ${p.axis}; the narrowest uses ${(worst * 100).toFixed(1)} % of the per-tensor range (${Math.log2(1 / Math.max(worst, 1e-12)).toFixed(1)} bits lost without per-channel scales).`
        : "No channels.";
    this.node = h(
      "div",
      { class: "jp-tsquant-view jp-tsquant-WeightsPlot" },
      h(
        "div",
        { class: "jp-tsquant-title" },
        p.title ?? "Weight ranges per channel",
        h("span", { class: "jp-tsquant-muted" }, ` ${p.tensor}`),
      ),
      h("div", { class: "jp-tsquant-readout" }, summary),
      this.plot.node,
    );
  }

  async render(theme: Theme): Promise<void> {
    const p = this.payload;
    const channels = p.channelMin.map((_, c) => c);
    const band = (y: number): Shape => ({
      type: "line",
      xref: "paper",
      yref: "y",
      x0: 0,
      x1: 1,
      y0: y,
      y1: y,
      line: { color: theme.warn, width: 1.5, dash: "dash" },
    });
    const layout = themedLayout(theme, 320);
    const axis = themedAxis(theme);
    await this.plot.react(
      [
        {
          type: "bar",
          name: "channel [min, max]",
          x: channels,
          y: channels.map((c) => (p.channelMax[c] ?? 0) - (p.channelMin[c] ?? 0)),
          base: p.channelMin,
          width: 0.35,
          marker: { color: theme.accent },
          hovertext: channels.map(
            (c) =>
              `channel ${c}<br>min ${formatNumber(p.channelMin[c] ?? 0)}<br>max ${formatNumber(p.channelMax[c] ?? 0)}` +
              (p.scales ? `<br>scale ${formatNumber(p.scales[c] ?? 0)}` : ""),
          ),
          hovertemplate: "%{hovertext}<extra></extra>",
        },
        {
          type: "scatter",
          mode: "lines",
          name: "per-tensor range",
          x: [-0.5, channels.length - 0.5, channels.length - 0.5, -0.5, -0.5],
          y: [p.tensorMin, p.tensorMin, p.tensorMax, p.tensorMax, p.tensorMin],
          fill: "toself",
          fillcolor: theme.light ? "rgba(211,47,47,0.07)" : "rgba(239,83,80,0.12)",
          line: { width: 0 },
          hoverinfo: "skip",
        },
      ],
      {
        ...layout,
        showlegend: true,
        hovermode: "closest",
        legend: { ...layout.legend, orientation: "h", x: 0, y: 1.12 },
        xaxis: {
          ...axis,
          title: { text: `output channel (axis ${p.axis})` },
          range: [-0.5, channels.length - 0.5],
        },
        yaxis: { ...axis, title: { text: "weight value" } },
        shapes: [band(p.tensorMin), band(p.tensorMax)],
      },
    );
  }

  resize(): void {
    this.plot.resize();
  }

  dispose(): void {
    this.plot.dispose();
  }
}
