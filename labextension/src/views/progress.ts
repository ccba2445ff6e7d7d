/**
 * Progress of training, calibration, evaluation or conversion: a bar, the latest status line,
 * and for training a small loss/accuracy curve. The kernel updates the same output in place, so
 * each update is a new render of the latest state.
 */
import type { ProgressPayload } from "../../../kernel/src/display/payload";
import { h } from "../dom";
import { plotlyText } from "../format";
import type { ScatterTrace } from "../plotly";
import { themedAxis, themedLayout, type Theme } from "../theme";
import { PlotArea } from "./plot";
import type { View } from "./view";

function formatSeconds(s: number): string {
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

export class ProgressView implements View {
  readonly node: HTMLElement;
  private readonly plot: PlotArea | null;

  constructor(private readonly payload: ProgressPayload) {
    const p = payload;
    const fraction = Math.min(1, Math.max(0, p.done / p.total));
    const bar = h("div", {
      class: "jp-tsquant-progress-bar",
      role: "progressbar",
      "aria-valuemin": 0,
      "aria-valuemax": p.total,
      "aria-valuenow": p.done,
    });
    bar.append(
      h("div", {
        class: `jp-tsquant-progress-fill jp-tsquant-status-${p.status}`,
        style: `width: ${(fraction * 100).toFixed(1)}%`,
      }),
    );
    const counts = `${p.done} / ${p.total}${p.unit ? ` ${p.unit}` : ""}`;
    const elapsed = p.elapsedSeconds === undefined ? "" : ` · ${formatSeconds(p.elapsedSeconds)}`;
    this.plot = p.curve && p.curve.length > 0 ? new PlotArea("jp-tsquant-ProgressView-plot") : null;
    this.node = h(
      "div",
      { class: "jp-tsquant-view jp-tsquant-ProgressView" },
      h(
        "div",
        { class: "jp-tsquant-title" },
        p.title ?? p.task,
        h("span", { class: "jp-tsquant-muted" }, ` ${p.status}`),
      ),
      bar,
      h(
        "div",
        { class: "jp-tsquant-readout" },
        `${counts} (${(fraction * 100).toFixed(0)} %)${elapsed}`,
        p.message ? ` — ${p.message}` : "",
      ),
      this.plot ? this.plot.node : null,
    );
  }

  async render(theme: Theme): Promise<void> {
    const curve = this.payload.curve;
    if (!this.plot || !curve) return;
    const steps = curve.map((c) => c.step);
    const series = (
      name: string,
      values: (number | undefined)[],
      color: string,
      dash: "solid" | "dash",
      yaxis: "y" | "y2",
    ): ScatterTrace | null =>
      values.some((v) => v !== undefined)
        ? {
            type: "scatter",
            mode: "lines+markers",
            name,
            x: steps,
            y: values.map((v) => v ?? null),
            line: { color, width: 2, dash },
            marker: { size: 5 },
            yaxis,
          }
        : null;
    const traces = [
      series(
        "loss",
        curve.map((c) => c.loss),
        theme.warn,
        "solid",
        "y",
      ),
      series(
        "val loss",
        curve.map((c) => c.valLoss),
        theme.warn,
        "dash",
        "y",
      ),
      series(
        "accuracy",
        curve.map((c) => c.accuracy),
        theme.accent,
        "solid",
        "y2",
      ),
      series(
        "val accuracy",
        curve.map((c) => c.valAccuracy),
        theme.accent,
        "dash",
        "y2",
      ),
    ].filter((t): t is ScatterTrace => t !== null);
    const layout = themedLayout(theme, 220);
    const axis = themedAxis(theme);
    await this.plot.react(traces, {
      ...layout,
      margin: { l: 50, r: 70, t: 20, b: 40 },
      showlegend: true,
      legend: { ...layout.legend, orientation: "h", x: 0, y: 1.2 },
      // Whole steps (epochs) get one tick each while there are few of them.
      xaxis: {
        ...axis,
        title: { text: plotlyText(this.payload.unit ?? "step") },
        dtick: steps.length <= 20 ? 1 : undefined,
      },
      yaxis: { ...axis, title: { text: "loss" } },
      yaxis2: {
        ...axis,
        title: { text: "accuracy" },
        tickformat: ".0%",
        automargin: true,
        overlaying: "y",
        side: "right",
        showgrid: false,
      },
    });
  }

  resize(): void {
    this.plot?.resize();
  }

  dispose(): void {
    this.plot?.dispose();
  }
}
