/**
 * A plot area inside a view: a div that plotly draws into, resized with the panel and purged on
 * dispose.
 */
import { h } from "../dom";
import {
  PLOT_CONFIG,
  loadPlotly,
  type Config,
  type GraphDiv,
  type Layout,
  type PlotlyModule,
  type Trace,
} from "../plotly";

export class PlotArea {
  readonly node: HTMLDivElement;
  private plotly: PlotlyModule | undefined;
  private drawn = false;

  constructor(className: string) {
    this.node = h("div", { class: `jp-tsquant-plot ${className}` });
  }

  /** Draw or update the figure (plotly diffs against the previous one). */
  async react(data: Trace[], layout: Layout, config: Config = {}): Promise<GraphDiv> {
    this.plotly ??= await loadPlotly();
    const graph = await this.plotly.react(this.node, data, layout, { ...PLOT_CONFIG, ...config });
    this.drawn = true;
    return graph;
  }

  /** Fit the plot to its container, if drawn and visible (plotly measures the live DOM). */
  resize(): void {
    if (this.plotly && this.drawn && this.node.isConnected && this.node.offsetParent !== null) {
      void this.plotly.Plots.resize(this.node);
    }
  }

  dispose(): void {
    if (this.plotly && this.drawn) this.plotly.purge(this.node);
    this.drawn = false;
  }
}
