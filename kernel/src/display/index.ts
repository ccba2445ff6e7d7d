/**
 * Rich display for notebooks: MIME bundles for tsquant's objects, `display()`, the live
 * `Progress` output, and the cooperative interrupt check long loops poll.
 */
export * from "./payload";
export { escapeHtml } from "./html";
export {
  type MimeBundle,
  modelBundle,
  modelPayload,
  modelPayloadBundle,
  quantParamsBundle,
  qparamsPayload,
  qparamsBundle,
  weightsBundle,
  rangeBundle,
  rebinHistogram,
  MAX_RANGE_BINS,
  comparisonBundle,
  calibrationBundle,
  calibrationPayload,
  calibrationPayloadBundle,
  layerErrorsBundle,
  progressBundle,
  progressLine,
  formatDuration,
  etaSeconds,
} from "./bundles";
export {
  DISPLAY_SYMBOL,
  type Displayable,
  type DisplayOptions,
  displayable,
  display,
  mimeBundle,
} from "./display";
export { Progress, type ProgressOptions, type ProgressUpdate, trainingProgress } from "./progress";
export {
  type CellContext,
  InterruptedError,
  checkInterrupt,
  interruptSignal,
  currentCell,
} from "../jupyter/context";
