export { fit, type FitOptions, type FitResult } from "./fit";
export {
  formatProgress,
  progressCallback,
  textProgress,
  type ProgressCallbackOptions,
  type ProgressInfo,
  type ProgressReporter,
} from "./progress";
export {
  compileTutorial,
  accuracy,
  crossEntropyFromLogits,
  toTensors,
  tutorialCnn,
} from "./tutorial";
