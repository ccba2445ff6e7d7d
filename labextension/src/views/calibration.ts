/**
 * Calibration results: per tensor the observed [min, max], the range the method chose, and the
 * resulting scale and zero point, with the share of the observed span the range keeps (below
 * 100 % the method clips outliers). DOM table only; names go in as text.
 */
import type { CalibrationPayload } from "../../../kernel/src/display/payload";
import { h } from "../dom";
import { formatPercent } from "../format";
import { type CellValue, domTable, shapeText } from "./model";
import type { View } from "./view";

export class CalibrationView implements View {
  readonly node: HTMLElement;

  constructor(payload: CalibrationPayload) {
    const p = payload;
    const rows = p.tensors.map((t): CellValue[] => {
      const observed = t.max - t.min;
      const kept =
        observed > 0 ? (Math.min(t.rangeMax, t.max) - Math.max(t.rangeMin, t.min)) / observed : 1;
      return [
        String(t.index),
        t.name,
        shapeText(t.shape),
        t.constant ? "constant" : "activation",
        t.min,
        t.max,
        t.rangeMin,
        t.rangeMax,
        formatPercent(Math.max(Math.min(kept, 1), 0)),
        t.scale,
        String(t.zeroPoint),
      ];
    });
    this.node = h(
      "div",
      { class: "jp-tsquant-view jp-tsquant-CalibrationView" },
      h(
        "div",
        { class: "jp-tsquant-title" },
        p.title ?? "Calibration",
        h(
          "span",
          { class: "jp-tsquant-muted" },
          ` ${p.method}, ${p.samples} sample(s), ${p.tensors.length} tensor(s)`,
        ),
      ),
      p.note === undefined ? null : h("div", { class: "jp-tsquant-muted" }, `Note: ${p.note}.`),
      domTable(
        [
          "#",
          "tensor",
          "shape",
          "kind",
          "observed min",
          "observed max",
          "range min",
          "range max",
          "span kept",
          "scale",
          "zero point",
        ],
        rows,
      ),
    );
  }

  render(): Promise<void> {
    return Promise.resolve();
  }

  resize(): void {}

  dispose(): void {}
}
