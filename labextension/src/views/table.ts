/**
 * Comparison table: one row per model variant — accuracy, Δ vs the float baseline, size,
 * compression ratio, latency, input/output types — sortable by any column, with the best value of
 * each numeric column highlighted; and an accuracy-vs-size scatter.
 */
import type { TablePayload } from "../../../kernel/src/display/payload";
import { h } from "../dom";
import { formatBytes, plotlyText } from "../format";
import { bestValues, deriveRows, sortRows, type ColumnKey, type TableRow } from "../tableMath";
import { themedAxis, themedLayout, type Theme } from "../theme";
import { PlotArea } from "./plot";
import type { View } from "./view";

interface Column {
  key: ColumnKey;
  title: string;
  numeric: boolean;
  format(row: TableRow): string;
}

const COLUMNS: Column[] = [
  { key: "variant", title: "variant", numeric: false, format: (r) => r.variant },
  {
    key: "accuracy",
    title: "accuracy",
    numeric: true,
    format: (r) => `${(r.accuracy * 100).toFixed(2)} %`,
  },
  {
    key: "accuracyDelta",
    title: "Δ vs float",
    numeric: true,
    // percentage points, with an explicit sign (− for a loss)
    format: (r) =>
      `${r.accuracyDelta > 0 ? "+" : r.accuracyDelta < 0 ? "−" : "±"}${Math.abs(r.accuracyDelta * 100).toFixed(2)} pp`,
  },
  { key: "sizeBytes", title: "size", numeric: true, format: (r) => formatBytes(r.sizeBytes) },
  {
    key: "compressionRatio",
    title: "compression",
    numeric: true,
    format: (r) => `${r.compressionRatio.toFixed(2)}×`,
  },
  {
    key: "latencyMs",
    title: "latency",
    numeric: true,
    format: (r) => (r.latencyMs === null ? "—" : `${r.latencyMs.toFixed(2)} ms`),
  },
  { key: "inputType", title: "input", numeric: false, format: (r) => r.inputType },
  { key: "outputType", title: "output", numeric: false, format: (r) => r.outputType },
];

export class TableView implements View {
  readonly node: HTMLElement;
  private readonly table = h("table", { class: "jp-tsquant-table" });
  private readonly plot = new PlotArea("jp-tsquant-TableView-plot");
  private readonly rows: TableRow[];
  private sortKey: ColumnKey | null = null;
  private sortDirection: "asc" | "desc" = "asc";

  constructor(private readonly payload: TablePayload) {
    this.rows = deriveRows(payload);
    this.node = h(
      "div",
      { class: "jp-tsquant-view jp-tsquant-TableView" },
      h(
        "div",
        { class: "jp-tsquant-title" },
        payload.title ?? "Model variants",
        h("span", { class: "jp-tsquant-muted" }, ` baseline: ${payload.baseline}`),
      ),
      this.table,
      this.plot.node,
    );
    this.renderTable();
  }

  /** Click a header: sort by it; click again: reverse. Numeric columns start best-first. */
  private sortBy(column: Column): void {
    if (this.sortKey === column.key) {
      this.sortDirection = this.sortDirection === "asc" ? "desc" : "asc";
    } else {
      this.sortKey = column.key;
      this.sortDirection =
        column.numeric && column.key !== "sizeBytes" && column.key !== "latencyMs" ? "desc" : "asc";
    }
    this.renderTable();
  }

  private renderTable(): void {
    const rows = this.sortKey ? sortRows(this.rows, this.sortKey, this.sortDirection) : this.rows;
    const best = bestValues(this.rows);
    const header = h(
      "tr",
      {},
      ...COLUMNS.map((c) => {
        const sorted = this.sortKey === c.key;
        const th = h(
          "th",
          {
            class: c.numeric ? "jp-tsquant-num" : undefined,
            "data-key": c.key,
            "aria-sort": sorted
              ? this.sortDirection === "asc"
                ? "ascending"
                : "descending"
              : "none",
            title: "Sort by this column",
          },
          c.title,
          sorted ? (this.sortDirection === "asc" ? " ▲" : " ▼") : "",
        );
        th.addEventListener("click", () => this.sortBy(c));
        return th;
      }),
    );
    const body = rows.map((r) =>
      h(
        "tr",
        { class: r.variant === this.payload.baseline ? "jp-tsquant-baseline" : undefined },
        ...COLUMNS.map((c) => {
          const v = r[c.key];
          const isBest =
            c.numeric && typeof v === "number" && best[c.key] === v && this.rows.length > 1;
          const classes = [c.numeric ? "jp-tsquant-num" : "", isBest ? "jp-tsquant-best" : ""]
            .filter((x) => x !== "")
            .join(" ");
          return h(
            "td",
            { class: classes === "" ? undefined : classes, "data-key": c.key },
            c.format(r),
          );
        }),
      ),
    );
    this.table.replaceChildren(h("thead", {}, header), h("tbody", {}, ...body));
  }

  async render(theme: Theme): Promise<void> {
    const accuracies = this.rows.map((r) => r.accuracy * 100);
    const accLo = Math.min(...accuracies);
    const accHi = Math.max(...accuracies);
    const accPad = accHi - accLo > 0 ? accHi - accLo : 1;
    const layout = themedLayout(theme, 300);
    const axis = themedAxis(theme);
    await this.plot.react(
      [
        {
          type: "scatter",
          mode: "markers+text",
          name: "variants",
          x: this.rows.map((r) => r.sizeBytes / 1000),
          y: this.rows.map((r) => r.accuracy * 100),
          text: this.rows.map((r) => plotlyText(r.variant)),
          textposition: "top center",
          textfont: { color: theme.font, size: 11 },
          marker: {
            color: this.rows.map((_, i) => theme.palette[i % theme.palette.length] ?? theme.accent),
            size: 10,
          },
          hovertemplate: "%{text}<br>%{x:.1f} KB, %{y:.2f} %<extra></extra>",
        },
      ],
      {
        ...layout,
        showlegend: false,
        hovermode: "closest",
        xaxis: { ...axis, title: { text: "size (KB)" }, type: "log" },
        // Pad the accuracy range so the labels above the top points stay inside the plot.
        yaxis: {
          ...axis,
          title: { text: "accuracy (%)" },
          range: [accLo - 0.1 * accPad, accHi + 0.25 * accPad],
        },
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
