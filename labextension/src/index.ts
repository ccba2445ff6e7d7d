/**
 * tsquant's JupyterLab mime renderer: draws `application/vnd.tsquant.v1+json` outputs.
 *
 * Rank 0 puts it ahead of the `text/html` (50) and `text/plain` (120) fallbacks the kernel sends
 * in the same bundle. `safe: true` because the payload is data, not code: untrusted notebooks
 * (e.g. one just opened from disk) render it too.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { TSQUANT_MIME } from "../../kernel/src/display/payload";
import { TsquantWidget } from "./widget";

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [TSQUANT_MIME],
  createRenderer: (options) => new TsquantWidget(options.mimeType),
};

const extension: IRenderMime.IExtension = {
  id: "tsquant-labextension:renderer",
  rendererFactory,
  rank: 0,
  dataType: "json",
};

export default extension;
