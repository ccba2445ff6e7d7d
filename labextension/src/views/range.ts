/**
 * Range plot: a tensor's histogram with the chosen [min, max] as draggable lines, the clipped
 * regions shaded, the quantization grid drawn where bits are few, and a readout of scale, zero
 * point, MSE, SQNR and clipped fraction that is recomputed from the histogram on every change.
 */
import type { HistogramData, RangePayload } from "../../../kernel/src/display/payload";
import { h } from "../dom";
import { formatDb, formatNumber, formatPercent } from "../format";
import { binCenters, binWidth, coarsenHistogram, dominatedBySpike, maxOf } from "../histogram";
import type { GraphDiv, ScatterTrace, Shape, Trace } from "../plotly";
import { gridValuesIn, rangeReadout, type QuantSpec, type RangeReadout } from "../rangeMath";
import { themedAxis, themedLayout, type Theme } from "../theme";
import { PlotArea } from "./plot";
import type { View } from "./view";

/** Draw the grid only when at most this many grid values fall in view. */
const MAX_GRID_LINES = 64;

interface RangeState extends QuantSpec {
  logScale: boolean;
  /** The calibration method whose range is in use, if the user has not moved it since. */
  method: string | null;
}

/**
 * Which of our two shapes (0 = min line, 1 = max line) a pointer press hit, or null. plotly draws
 * each shape as a visible path carrying `data-index` plus a wide transparent drag handle with the
 * same outline (`d`) on top of it.
 */
function shapeIndexOf(target: EventTarget | null): number | null {
  if (!(target instanceof SVGPathElement)) return null;
  const layer = target.closest(".shapelayer");
  if (!layer) return null;
  const outline = target.getAttribute("d");
  const tagged =
    target.dataset["index"] !== undefined
      ? target
      : [...layer.querySelectorAll<SVGPathElement>("path[data-index]")].find(
          (p) => p.getAttribute("d") === outline,
        );
  const index = tagged ? Number(tagged.dataset["index"]) : NaN;
  return index === 0 || index === 1 ? index : null;
}

export class RangeView implements View {
  readonly node: HTMLElement;
  private readonly plot = new PlotArea("jp-tsquant-RangePlot-plot");
  private readonly readoutNode = h("div", { class: "jp-tsquant-readout", "aria-live": "polite" });
  private readonly inputs: {
    bits: HTMLInputElement;
    symmetric: HTMLInputElement;
    narrowRange: HTMLInputElement;
    logScale: HTMLInputElement;
    min: HTMLInputElement;
    max: HTMLInputElement;
  };
  private readonly methodButtons: HTMLButtonElement[] = [];
  private state: RangeState;
  private theme: Theme | undefined;
  private listening = false;
  /** Bumped on every programmatic range change, so plotly takes our line positions. */
  private editRevision = 0;
  /** The bars: at most ~1000 bins, however fine the payload's histogram (the readout uses it all). */
  private readonly drawn: HistogramData;

  constructor(private readonly payload: RangePayload) {
    this.drawn = coarsenHistogram(payload.histogram);
    const { range, bits, symmetric, narrowRange } = payload;
    const initial = payload.methods.find((m) => m.min === range.min && m.max === range.max);
    this.state = {
      min: range.min,
      max: range.max,
      bits,
      symmetric,
      narrowRange,
      // A spike (a ReLU output's zeros) would flatten every other bar on a linear axis.
      logScale: dominatedBySpike(this.drawn.counts),
      method: initial ? initial.method : null,
    };
    const input = (
      type: string,
      name: string,
      attrs: Record<string, string | number> = {},
    ): HTMLInputElement => h("input", { type, name, class: `jp-tsquant-input-${name}`, ...attrs });
    this.inputs = {
      bits: input("number", "bits", { min: 2, max: 16, step: 1, value: bits }),
      symmetric: input("checkbox", "symmetric"),
      narrowRange: input("checkbox", "narrowRange"),
      logScale: input("checkbox", "logScale"),
      min: input("number", "min", { step: "any" }),
      max: input("number", "max", { step: "any" }),
    };
    this.inputs.symmetric.checked = symmetric;
    this.inputs.narrowRange.checked = narrowRange;
    this.inputs.logScale.checked = this.state.logScale;

    const label = (text: string, control: HTMLInputElement): HTMLLabelElement =>
      h(
        "label",
        { class: "jp-tsquant-control" },
        control.type === "checkbox" ? control : text,
        control.type === "checkbox" ? text : control,
      );
    const methods = h("div", { class: "jp-tsquant-methods" });
    if (payload.methods.length > 0)
      methods.append(h("span", { class: "jp-tsquant-muted" }, "Calibration: "));
    for (const m of payload.methods) {
      const button = h(
        "button",
        {
          type: "button",
          class: "jp-tsquant-button",
          "data-method": m.method,
          title: `[${m.min}, ${m.max}]`,
        },
        m.label ?? m.method,
      );
      button.addEventListener("click", () => this.setRange(m.min, m.max, m.method));
      this.methodButtons.push(button);
      methods.append(button);
    }
    this.node = h(
      "div",
      { class: "jp-tsquant-view jp-tsquant-RangePlot" },
      h(
        "div",
        { class: "jp-tsquant-title" },
        payload.title ?? "Range",
        h("span", { class: "jp-tsquant-muted" }, ` ${payload.tensor}`),
      ),
      h(
        "div",
        { class: "jp-tsquant-controls" },
        label("bits ", this.inputs.bits),
        label(" symmetric", this.inputs.symmetric),
        label(" narrow range", this.inputs.narrowRange),
        label(" log scale", this.inputs.logScale),
        label("min ", this.inputs.min),
        label("max ", this.inputs.max),
      ),
      methods,
      this.plot.node,
      this.readoutNode,
    );

    this.inputs.bits.addEventListener("input", () => {
      const b = Number(this.inputs.bits.value);
      if (Number.isInteger(b) && b >= 2 && b <= 16) this.update({ bits: b });
    });
    this.inputs.symmetric.addEventListener("change", () =>
      this.update({ symmetric: this.inputs.symmetric.checked }),
    );
    this.inputs.narrowRange.addEventListener("change", () =>
      this.update({ narrowRange: this.inputs.narrowRange.checked }),
    );
    this.inputs.logScale.addEventListener("change", () =>
      this.update({ logScale: this.inputs.logScale.checked }),
    );
    const onRangeInput = (): void => {
      const lo = Number(this.inputs.min.value);
      const hi = Number(this.inputs.max.value);
      if (
        this.inputs.min.value !== "" &&
        this.inputs.max.value !== "" &&
        Number.isFinite(lo) &&
        Number.isFinite(hi)
      ) {
        this.setRange(lo, hi, null);
      }
    };
    this.inputs.min.addEventListener("change", onRangeInput);
    this.inputs.max.addEventListener("change", onRangeInput);
    this.syncControls();
  }

  /** The readout for the current state, from the histogram alone. */
  readout(): RangeReadout {
    return rangeReadout(this.payload.histogram, this.state);
  }

  private setRange(a: number, b: number, method: string | null): void {
    this.editRevision++;
    this.update({ min: Math.min(a, b), max: Math.max(a, b), method });
  }

  private update(change: Partial<RangeState>): void {
    this.state = { ...this.state, ...change };
    this.syncControls();
    if (this.theme) void this.render(this.theme);
  }

  private syncControls(): void {
    const s = this.state;
    this.inputs.min.value = String(Number(s.min.toPrecision(6)));
    this.inputs.max.value = String(Number(s.max.toPrecision(6)));
    for (const b of this.methodButtons)
      b.classList.toggle("jp-mod-active", b.dataset["method"] === s.method);
    this.renderReadout();
  }

  private renderReadout(): void {
    const r = this.readout();
    const item = (name: string, value: string, key: string): HTMLElement =>
      h(
        "span",
        { class: "jp-tsquant-readout-item", "data-key": key },
        h("span", { class: "jp-tsquant-muted" }, `${name} `),
        value,
      );
    this.readoutNode.replaceChildren(
      item("scale", formatNumber(r.grid.scale), "scale"),
      item("zero point", String(r.grid.zeroPoint), "zeroPoint"),
      item("grid", `[${formatNumber(r.grid.lo)}, ${formatNumber(r.grid.hi)}]`, "grid"),
      item("MSE", formatNumber(r.mse), "mse"),
      item("SQNR", formatDb(r.sqnrDb), "sqnr"),
      item("clipped", formatPercent(r.clippedFraction), "clipped"),
    );
  }

  async render(theme: Theme): Promise<void> {
    this.theme = theme;
    const { histogram } = this.payload;
    const s = this.state;
    const r = this.readout();
    const drawn = this.drawn;
    const centers = binCenters(drawn);
    const width = binWidth(drawn);
    const clipLo = r.grid.lo - r.grid.scale / 2;
    const clipHi = r.grid.hi + r.grid.scale / 2;
    const maxCount = Math.max(1, maxOf(drawn.counts));
    // Fixed y range so the shading spans it; on a log axis plotly takes log10 of the range.
    const yRange: [number, number] = s.logScale
      ? [Math.log10(0.5), Math.log10(maxCount * 2)]
      : [0, maxCount * 1.08];
    const yLo = s.logScale ? 0.5 : 0;
    const yHi = s.logScale ? maxCount * 2 : maxCount * 1.08;
    const span = Math.max(histogram.max, s.max) - Math.min(histogram.min, s.min);
    const pad = 0.04 * (span > 0 ? span : 1);
    const xLo = Math.min(histogram.min, s.min) - pad;
    const xHi = Math.max(histogram.max, s.max) + pad;

    const inRange: (number | null)[] = [];
    const clipped: (number | null)[] = [];
    centers.forEach((c, i) => {
      const count = drawn.counts[i] ?? 0;
      const out = c < clipLo || c > clipHi;
      inRange.push(out || count === 0 ? null : count);
      clipped.push(out && count > 0 ? count : null);
    });
    const traces: Trace[] = [];
    const shade = (from: number, to: number): ScatterTrace => ({
      type: "scatter",
      mode: "lines",
      x: [from, to, to, from, from],
      y: [yLo, yLo, yHi, yHi, yLo],
      fill: "toself",
      fillcolor: theme.light ? "rgba(211,47,47,0.10)" : "rgba(239,83,80,0.16)",
      line: { width: 0 },
      hoverinfo: "skip",
      showlegend: false,
    });
    if (xLo < clipLo) traces.push(shade(xLo, clipLo));
    if (xHi > clipHi) traces.push(shade(clipHi, xHi));
    const hover = "%{x:.4g}: %{y} values<extra></extra>";
    traces.push(
      {
        type: "bar",
        name: "values",
        x: centers,
        y: inRange,
        width,
        marker: { color: theme.accent },
        opacity: 0.8,
        hovertemplate: hover,
      },
      {
        type: "bar",
        name: "clipped",
        x: centers,
        y: clipped,
        width,
        marker: { color: theme.warn },
        opacity: 0.9,
        hovertemplate: hover,
      },
    );
    const grid = gridValuesIn(r.grid, xLo, xHi, MAX_GRID_LINES);
    if (grid) {
      const gx: (number | null)[] = [];
      const gy: (number | null)[] = [];
      for (const g of grid) {
        gx.push(g, g, null);
        gy.push(yLo, yHi, null);
      }
      traces.push({
        type: "scatter",
        mode: "lines",
        name: "grid",
        x: gx,
        y: gy,
        line: { color: theme.fontMuted, width: 1, dash: "dot" },
        hoverinfo: "skip",
        showlegend: true,
      });
    }
    const line = (x: number, name: string): Shape => ({
      type: "line",
      name,
      xref: "x",
      yref: "paper",
      x0: x,
      x1: x,
      y0: 0,
      y1: 1,
      line: { color: theme.font, width: 3 },
    });
    const layout = themedLayout(theme, 340);
    const axis = themedAxis(theme);
    const graph = await this.plot.react(
      traces,
      {
        ...layout,
        barmode: "overlay",
        bargap: 0,
        hovermode: "closest",
        showlegend: true,
        legend: { ...layout.legend, orientation: "h", x: 0, y: 1.12 },
        xaxis: { ...axis, title: { text: "value" }, range: [xLo, xHi] },
        yaxis: {
          ...axis,
          title: { text: "count" },
          type: s.logScale ? "log" : "linear",
          // one tick per decade on the log axis
          dtick: s.logScale ? 1 : undefined,
          range: yRange,
        },
        shapes: [line(s.min, "min"), line(s.max, "max")],
        uirevision: "range",
        editrevision: this.editRevision,
      },
      { edits: { shapePosition: true } },
    );
    if (!this.listening) {
      this.listening = true;
      this.listen(graph);
    }
  }

  /** Dragging a line emits relayouting (while moving) and relayout (on release). */
  private listen(graph: GraphDiv): void {
    const moved = (e: Record<string, unknown>): { min: number; max: number } | null => {
      let lo = this.state.min;
      let hi = this.state.max;
      let changed = false;
      for (const [i, which] of [
        [0, "min"],
        [1, "max"],
      ] as const) {
        const whole = e[`shapes[${i}]`];
        const x0 =
          e[`shapes[${i}].x0`] ??
          (typeof whole === "object" && whole !== null
            ? (whole as { x0?: unknown }).x0
            : undefined);
        if (typeof x0 === "number" && Number.isFinite(x0)) {
          if (which === "min") lo = x0;
          else hi = x0;
          changed = true;
        }
      }
      return changed ? { min: Math.min(lo, hi), max: Math.max(lo, hi) } : null;
    };
    // plotly reports a shape drag only on release. To update the readout while a line moves,
    // follow the pointer from a press on a line's drag handle, converting the pointer's travel
    // to data units with the x axis' current range (the user may have zoomed).
    graph.addEventListener(
      "pointerdown",
      (down) => {
        const index = shapeIndexOf(down.target);
        const plotArea = graph.querySelector(".nsewdrag");
        const range = graph.layout?.xaxis?.range;
        if (index === null || !plotArea || !range) return;
        const unitsPerPixel = (range[1] - range[0]) / plotArea.getBoundingClientRect().width;
        const start = index === 0 ? this.state.min : this.state.max;
        const other = index === 0 ? this.state.max : this.state.min;
        const move = (e: PointerEvent): void => {
          const x = start + (e.clientX - down.clientX) * unitsPerPixel;
          this.state = {
            ...this.state,
            min: Math.min(x, other),
            max: Math.max(x, other),
            method: null,
          };
          this.syncControls();
        };
        const up = (): void => {
          window.removeEventListener("pointermove", move, true);
          window.removeEventListener("pointerup", up, true);
        };
        window.addEventListener("pointermove", move, true);
        window.addEventListener("pointerup", up, true);
      },
      true,
    );
    graph.on("plotly_relayout", (e) => {
      const m = moved(e);
      if (!m) return;
      // Impose our positions after a drag too: the line keeps its x but snaps back to full height.
      this.editRevision++;
      this.update({ ...m, method: null });
    });
  }

  resize(): void {
    this.plot.resize();
  }

  dispose(): void {
    this.plot.dispose();
  }
}
