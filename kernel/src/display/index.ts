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
} from "./bundles";
export {
  DISPLAY_SYMBOL,
  type Displayable,
  type DisplayOptions,
  displayable,
  display,
  mimeBundle,
} from "./display";
export {
  Progress,
  type ProgressOptions,
  type ProgressUpdate,
  progressBundle,
  progressLine,
  formatDuration,
  etaSeconds,
} from "../services/progress";
export { trainingProgress } from "../train/progress";
export {
  type CellContext,
  InterruptedError,
  checkInterrupt,
  interruptSignal,
  currentCell,
} from "../services/context";
