/**
 * Quantization parameters: the integer format, and per tensor the scale, zero point and the
 * representable range `[scale · (qmin − zeroPoint), scale · (qmax − zeroPoint)]`; per channel a
 * small bar chart of the scales (an SVG drawn with DOM calls, no plotting library) and the table.
 */
import type { QParamsPayload } from "../../../kernel/src/display/payload";
import { h } from "../dom";
import { formatNumber } from "../format";
import type { Theme } from "../theme";
import { type CellValue, domTable } from "./model";
import type { View } from "./view";

const SVG = "http://www.w3.org/2000/svg";

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number>,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export class QParamsView implements View {
  readonly node: HTMLElement;
  private readonly chart: SVGSVGElement | null = null;

  constructor(private readonly payload: QParamsPayload) {
    const p = payload;
    const format = `${p.signed ? "int" : "uint"}${p.bits}${p.narrowRange ? " narrow range" : ""}, q in [${p.qmin}, ${p.qmax}]`;
    const title = h(
      "div",
      { class: "jp-tsquant-title" },
      p.title ?? "Quantization parameters",
      p.tensor === undefined ? null : h("span", { class: "jp-tsquant-muted" }, ` ${p.tensor}`),
    );
    if (p.axis === null) {
      const scale = p.scales[0] ?? 0;
      const zeroPoint = p.zeroPoints[0] ?? 0;
      this.node = h(
        "div",
        { class: "jp-tsquant-view jp-tsquant-QParamsView" },
        title,
        h("div", { class: "jp-tsquant-readout" }, h("span", {}, `per-tensor, ${format}`)),
        domTable(
          ["scale", "zero point", "min (q = qmin)", "max (q = qmax)"],
          [[scale, String(zeroPoint), scale * (p.qmin - zeroPoint), scale * (p.qmax - zeroPoint)]],
        ),
      );
      return;
    }
    const lo = Math.min(...p.scales);
    const hi = Math.max(...p.scales);
    const listed = p.scales.length < p.channels ? ` (first ${p.scales.length} listed)` : "";
    this.chart = this.drawChart();
    const rows = p.scales.map((s, c): CellValue[] => [
      String(c),
      s,
      String(p.zeroPoints[c] ?? 0),
      s * (p.qmin - (p.zeroPoints[c] ?? 0)),
      s * (p.qmax - (p.zeroPoints[c] ?? 0)),
    ]);
    this.node = h(
      "div",
      { class: "jp-tsquant-view jp-tsquant-QParamsView" },
      title,
      h(
        "div",
        { class: "jp-tsquant-readout" },
        h("span", {}, `per-channel along axis ${p.axis}: ${p.channels} channels${listed}`),
        h("span", {}, format),
        h(
          "span",
          {},
          `scale ${formatNumber(lo)} .. ${formatNumber(hi)} (×${formatNumber(hi / lo)})`,
        ),
      ),
      this.chart,
      h(
        "details",
        {},
        h("summary", {}, "Per-channel table"),
        domTable(["channel", "scale", "zero point", "min", "max"], rows),
      ),
    );
  }

  /** One bar per channel, height ∝ scale / max scale; colours are set by `render`. */
  private drawChart(): SVGSVGElement {
    const p = this.payload;
    const n = p.scales.length;
    const width = 600;
    const height = 80;
    const hi = Math.max(...p.scales);
    const root = svg("svg", {
      viewBox: `0 0 ${width} ${height}`,
      width: "100%",
      height,
      preserveAspectRatio: "none",
      role: "img",
      "aria-label": `scales of ${n} channels`,
    });
    root.style.maxWidth = `${width}px`;
    root.style.display = "block";
    const w = width / n;
    p.scales.forEach((s, c) => {
      const barHeight = hi > 0 ? (s / hi) * (height - 2) : 0;
      const bar = svg("rect", {
        x: c * w,
        y: height - barHeight,
        width: Math.max(w * 0.8, 0.5),
        height: barHeight,
      });
      const tip = svg("title", {});
      tip.textContent = `channel ${c}: scale ${formatNumber(s)}, zero point ${p.zeroPoints[c] ?? 0}`;
      bar.append(tip);
      root.append(bar);
    });
    return root;
  }

  render(theme: Theme): Promise<void> {
    this.chart?.querySelectorAll("rect").forEach((r) => r.setAttribute("fill", theme.accent));
    return Promise.resolve();
  }

  resize(): void {}

  dispose(): void {}
}
