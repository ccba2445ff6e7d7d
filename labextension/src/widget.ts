/**
 * The renderer widget: validates the payload, picks the view for its `kind`, and keeps the view
 * fitted to the panel and coloured by the theme. Anything wrong — an unknown kind, a malformed
 * payload, plotly failing to load — becomes a readable error box, never an exception.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import type { Message } from "@lumino/messaging";
import { Widget } from "@lumino/widgets";
import { TSQUANT_MIME, type Payload } from "../../kernel/src/display/payload";
import { h } from "./dom";
import { currentTheme, onThemeChange } from "./theme";
import { validatePayload } from "./validate";
import { CalibrationView } from "./views/calibration";
import { ErrorView } from "./views/error";
import { ModelView } from "./views/model";
import { QParamsView } from "./views/qparams";
import { ProgressView } from "./views/progress";
import { RangeView } from "./views/range";
import { TableView } from "./views/table";
import type { View } from "./views/view";
import { WeightsView } from "./views/weights";

function createView(payload: Payload): View {
  switch (payload.kind) {
    case "range":
      return new RangeView(payload);
    case "error":
      return new ErrorView(payload);
    case "weights":
      return new WeightsView(payload);
    case "table":
      return new TableView(payload);
    case "progress":
      return new ProgressView(payload);
    case "model":
      return new ModelView(payload);
    case "qparams":
      return new QParamsView(payload);
    case "calibration":
      return new CalibrationView(payload);
    default:
      return payload satisfies never;
  }
}

export class TsquantWidget extends Widget implements IRenderMime.IRenderer {
  private view: View | null = null;
  private readonly unsubscribeTheme: () => void;
  private readonly resizeObserver: ResizeObserver;
  private resizeFrame = 0;

  constructor(private readonly mimeType: string = TSQUANT_MIME) {
    super();
    this.addClass("jp-tsquant-Output");
    this.unsubscribeTheme = onThemeChange(() => void this.redraw());
    // Output areas do not always get Lumino resize messages when the notebook panel changes
    // width, so watch the node itself too; one resize per animation frame.
    this.resizeObserver = new ResizeObserver(() => this.scheduleResize());
    this.resizeObserver.observe(this.node);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.view?.dispose();
    this.view = null;
    this.node.replaceChildren();
    const validation = validatePayload(model.data[this.mimeType]);
    if (!validation.ok) {
      this.showError(
        "this output's data is not a payload this version of the extension can draw",
        validation.error,
      );
      return;
    }
    let view: View;
    try {
      view = createView(validation.payload);
    } catch (e) {
      this.showError(`the ${validation.payload.kind} view failed`, String(e));
      return;
    }
    this.view = view;
    this.node.append(view.node);
    await this.redraw();
  }

  private async redraw(): Promise<void> {
    const view = this.view;
    if (!view) return;
    try {
      await view.render(currentTheme(this.node));
    } catch (e) {
      // e.g. the plotly chunk could not be fetched: keep the view's controls and say why.
      this.showError(
        "the plot could not be drawn",
        e instanceof Error ? e.message : String(e),
        false,
      );
    }
  }

  private showError(what: string, detail: string, replace = true): void {
    const box = h(
      "div",
      { class: "jp-tsquant-error", role: "alert" },
      h("strong", {}, `tsquant: ${what}.`),
      h("pre", {}, detail),
    );
    if (replace) this.node.replaceChildren(box);
    else this.node.prepend(box);
  }

  private scheduleResize(): void {
    if (this.resizeFrame !== 0) return;
    this.resizeFrame = requestAnimationFrame(() => {
      this.resizeFrame = 0;
      this.view?.resize();
    });
  }

  protected override onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.scheduleResize();
  }

  protected override onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    this.scheduleResize();
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.resizeObserver.disconnect();
    if (this.resizeFrame !== 0) cancelAnimationFrame(this.resizeFrame);
    this.unsubscribeTheme();
    this.view?.dispose();
    this.view = null;
    super.dispose();
  }
}
