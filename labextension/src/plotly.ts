/**
 * The slice of plotly.js the views use, typed (a figure spec, not `any`), and its lazy loader.
 *
 * plotly.js is big (the "basic" bundle — scatter, bar, pie — is about 1.2 MB minified), so it
 * is loaded with a dynamic `import()`: the builder puts it in a chunk of its own, fetched from the
 * extension's static folder the first time a plot renders. Nothing comes from a CDN.
 */

export interface Font {
  color?: string;
  family?: string;
  size?: number;
}

export interface Line {
  color?: string;
  width?: number;
  dash?: "solid" | "dot" | "dash" | "dashdot";
}

interface TraceBase {
  name?: string;
  x: (number | string | null)[];
  y: (number | null)[];
  xaxis?: string;
  yaxis?: string;
  hovertemplate?: string;
  hoverinfo?: "skip" | "none" | "x+y" | "text";
  /** Labels drawn on the plot (scatter "text" modes; bars draw them inside unless hidden). */
  text?: string[];
  /** Hover-only labels, shown by `%{hovertext}` in a hovertemplate. */
  hovertext?: string[];
  customdata?: number[];
  showlegend?: boolean;
  legendgroup?: string;
  opacity?: number;
}

export interface BarTrace extends TraceBase {
  type: "bar";
  width?: number | number[];
  base?: number[];
  offset?: number;
  marker?: { color?: string | string[]; line?: Line };
}

export interface ScatterTrace extends TraceBase {
  type: "scatter";
  mode: "lines" | "markers" | "lines+markers" | "markers+text" | "text";
  line?: Line;
  marker?: { color?: string | string[]; size?: number; symbol?: string; opacity?: number };
  fill?: "none" | "toself" | "tozeroy";
  fillcolor?: string;
  textposition?: "top center" | "bottom center" | "middle right" | "top right";
  textfont?: Font;
  connectgaps?: boolean;
}

export type Trace = BarTrace | ScatterTrace;

export interface Axis {
  title?: { text: string; font?: Font };
  type?: "linear" | "log" | "category";
  range?: [number, number];
  autorange?: boolean;
  domain?: [number, number];
  anchor?: string;
  overlaying?: string;
  side?: "left" | "right";
  gridcolor?: string;
  zerolinecolor?: string;
  linecolor?: string;
  tickfont?: Font;
  tickformat?: string;
  /** Tick spacing in axis units. */
  dtick?: number;
  tickangle?: number;
  categoryorder?: "array";
  categoryarray?: string[];
  showgrid?: boolean;
  automargin?: boolean;
  fixedrange?: boolean;
}

export interface Shape {
  type: "line" | "rect";
  xref: "x" | "paper" | "x2";
  yref: "y" | "paper" | "y2";
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  line?: Line;
  fillcolor?: string;
  layer?: "above" | "below";
  opacity?: number;
  /** Custom name; plotly keeps it, so relayout events can be mapped back to shapes. */
  name?: string;
}

export interface Annotation {
  text: string;
  x: number;
  y: number;
  xref: "x" | "paper";
  yref: "y" | "paper";
  showarrow?: boolean;
  xanchor?: "left" | "center" | "right";
  yanchor?: "top" | "middle" | "bottom";
  font?: Font;
}

export interface Layout {
  height?: number;
  autosize?: boolean;
  margin?: { l?: number; r?: number; t?: number; b?: number };
  paper_bgcolor?: string;
  plot_bgcolor?: string;
  font?: Font;
  barmode?: "overlay" | "group" | "stack" | "relative";
  bargap?: number;
  hovermode?: "closest" | "x" | "x unified" | false;
  showlegend?: boolean;
  legend?: { orientation?: "h" | "v"; x?: number; y?: number; font?: Font; bgcolor?: string };
  xaxis?: Axis;
  yaxis?: Axis;
  xaxis2?: Axis;
  yaxis2?: Axis;
  shapes?: Shape[];
  annotations?: Annotation[];
  dragmode?: "zoom" | "pan" | false;
  /** Keeps the user's zoom across `react` calls while it stays the same. */
  uirevision?: string | number;
  /** Like uirevision, for shape positions the user dragged; change it to impose new ones. */
  editrevision?: string | number;
}

export interface Config {
  displaylogo?: boolean;
  responsive?: boolean;
  displayModeBar?: boolean | "hover";
  edits?: { shapePosition?: boolean };
  modeBarButtonsToRemove?: string[];
  /** plotly links to its "Chart Studio" cloud only if asked; keep it off. */
  showLink?: boolean;
  showSendToCloud?: boolean;
}

/** Point data of a click or hover event. */
export interface PlotPoint {
  curveNumber: number;
  pointNumber: number;
  customdata?: number;
  x?: number | string;
  y?: number;
}

/** The graph div after `react`: plotly adds an event emitter and its current layout. */
export interface GraphDiv extends HTMLElement {
  on(event: "plotly_click" | "plotly_hover", cb: (e: { points: PlotPoint[] }) => void): void;
  on(
    event: "plotly_relayout" | "plotly_relayouting",
    cb: (e: Record<string, unknown>) => void,
  ): void;
  removeAllListeners?(event: string): void;
  layout?: Layout;
}

export interface PlotlyModule {
  react(root: HTMLElement, data: Trace[], layout: Layout, config?: Config): Promise<GraphDiv>;
  purge(root: HTMLElement): void;
  Plots: { resize(root: HTMLElement): Promise<void> | void };
}

let loading: Promise<PlotlyModule> | undefined;

function isPlotly(m: unknown): m is PlotlyModule {
  return (
    typeof m === "object" &&
    m !== null &&
    typeof (m as { react?: unknown }).react === "function" &&
    typeof (m as { purge?: unknown }).purge === "function"
  );
}

/**
 * plotly.js, loaded once (concurrent callers share the same promise). A failed load is not
 * cached, so a later render can retry.
 */
export function loadPlotly(): Promise<PlotlyModule> {
  loading ??= import(/* webpackChunkName: "plotly" */ "plotly.js-basic-dist-min").then(
    (m: unknown) => {
      // The bundle is UMD (module.exports = Plotly); the bundler exposes it as the default export.
      const candidate = isPlotly(m) ? m : (m as { default?: unknown }).default;
      if (!isPlotly(candidate)) throw new Error("plotly.js loaded but has no react/purge");
      return candidate;
    },
    (e: unknown) => {
      loading = undefined;
      throw e;
    },
  );
  return loading;
}

/** Plot config shared by every view: no logo, no cloud links, a slim mode bar on hover. */
export const PLOT_CONFIG: Config = {
  displaylogo: false,
  showLink: false,
  showSendToCloud: false,
  displayModeBar: "hover",
  modeBarButtonsToRemove: ["select2d", "lasso2d", "autoScale2d", "toggleSpikelines"],
};
