/**
 * Model summary: the graph inputs and outputs with their quantization (what a caller must feed
 * and read back: `q = round(x / scale) + zeroPoint`, `x = scale · (q − zeroPoint)`), the ops in
 * execution order with each operand's dtype and shape, and the tensors with their sizes. Built
 * with DOM calls only: every name from the payload goes in as text, never as markup.
 */
import type {
  ModelPayload,
  ModelTensor,
  TensorQuantization,
} from "../../../kernel/src/display/payload";
import { h } from "../dom";
import { formatBytes, formatNumber } from "../format";
import type { View } from "./view";

/** A table cell: text, or a number (right-aligned, formatted). */
export type CellValue = string | number;

/** A `<table class="jp-tsquant-table">` with one header row; numbers right-aligned. */
export function domTable(
  header: readonly string[],
  rows: readonly (readonly CellValue[])[],
  caption?: string,
): HTMLTableElement {
  const table = h("table", { class: "jp-tsquant-table" });
  if (caption !== undefined) table.append(h("caption", {}, caption));
  table.append(h("thead", {}, h("tr", {}, ...header.map((t) => h("th", {}, t)))));
  const body = h("tbody");
  for (const row of rows) {
    body.append(
      h(
        "tr",
        {},
        ...row.map((v) =>
          typeof v === "number"
            ? h("td", { class: "jp-tsquant-num" }, formatNumber(v))
            : h("td", {}, v),
        ),
      ),
    );
  }
  table.append(body);
  return table;
}

/** `[1, 28, 28, 1]`, with `?` for a dynamic dimension. */
export function shapeText(shape: readonly number[]): string {
  return `[${shape.map((d) => (d < 0 ? "?" : String(d))).join(", ")}]`;
}

/** `scale 0.003922, zero point -128` or `per-channel (axis 0, 32): scale 1e-3..4e-3`. */
export function quantizationText(q: TensorQuantization | null): string {
  if (q === null) return "";
  if (q.channels === undefined) return `scale ${formatNumber(q.scale)}, zero point ${q.zeroPoint}`;
  const zp =
    q.zeroPoint === (q.zeroPointMax ?? q.zeroPoint)
      ? `zero point ${q.zeroPoint}`
      : `zero points ${q.zeroPoint}..${q.zeroPointMax ?? q.zeroPoint}`;
  return `per-channel (axis ${q.axis ?? 0}, ${q.channels}): scale ${formatNumber(q.scale)}..${formatNumber(q.scaleMax ?? q.scale)}, ${zp}`;
}

export class ModelView implements View {
  readonly node: HTMLElement;

  constructor(payload: ModelPayload) {
    const p = payload;
    const byIndex = new Map<number, ModelTensor>(p.tensors.map((t) => [t.index, t]));
    const operand = (i: number): string => {
      const t = byIndex.get(i);
      if (i < 0) return "—";
      return t === undefined ? `#${i}` : `${t.name} ${t.dtype}${shapeText(t.shape)}`;
    };
    const io = (indices: number[], role: string): (readonly CellValue[])[] =>
      indices.map((i) => {
        const t = byIndex.get(i);
        return [
          role,
          t?.name ?? `#${i}`,
          t?.dtype ?? "?",
          t === undefined ? "?" : shapeText(t.shape),
          quantizationText(t?.quantization ?? null) || "float (not quantized)",
        ];
      });
    const totals = p.totals;
    const summary = [
      `${totals.ops} ops`,
      `${totals.tensors} tensors`,
      `constants ${formatBytes(totals.constantBytes)}`,
      `activations ${formatBytes(totals.activationBytes)}`,
      ...(totals.subgraphs > 1 ? [`${totals.subgraphs} subgraphs`] : []),
    ];
    const opRows = p.ops.map((o): CellValue[] => [
      String(o.index),
      o.version > 1 ? `${o.op} v${o.version}` : o.op,
      o.inputs.map(operand).join("\n"),
      o.outputs.map(operand).join("\n"),
    ]);
    const tensorRows = p.tensors.map((t): CellValue[] => [
      String(t.index),
      t.name,
      t.dtype,
      shapeText(t.shape),
      formatBytes(t.bytes),
      t.constant ? "constant" : "",
      quantizationText(t.quantization),
    ]);
    const opsTable = domTable(["#", "op", "inputs", "outputs"], opRows);
    // One operand per line inside a cell.
    opsTable.style.whiteSpace = "pre-line";
    this.node = h(
      "div",
      { class: "jp-tsquant-view jp-tsquant-ModelView" },
      h("div", { class: "jp-tsquant-title" }, p.title ?? "TFLite model"),
      h("div", { class: "jp-tsquant-readout" }, ...summary.map((s) => h("span", {}, s))),
      p.note === undefined ? null : h("div", { class: "jp-tsquant-muted" }, `Note: ${p.note}.`),
      domTable(
        ["", "tensor", "dtype", "shape", "quantization"],
        [...io(p.inputs, "input"), ...io(p.outputs, "output")],
        "Inputs and outputs",
      ),
      h("details", { open: true }, h("summary", {}, `Operators (${p.ops.length})`), opsTable),
      h(
        "details",
        {},
        h("summary", {}, `Tensors (${p.tensors.length})`),
        domTable(["#", "tensor", "dtype", "shape", "size", "", "quantization"], tensorRows),
      ),
    );
  }

  render(): Promise<void> {
    return Promise.resolve();
  }

  resize(): void {}

  dispose(): void {}
}
