/**
 * The .tflite FlatBuffer reader and writer: `readModel` (bytes → IR), `writeModel` (IR → bytes),
 * the converter's finishing step (`finalizeModel`: op versions, `min_runtime_version`), and a
 * readable `summarizeModel`.
 */
export { readModel } from "./reader";
export type { ReadOptions } from "./reader";
export { writeModel, DATA_ALIGNMENT } from "./writer";
export type { WriteOptions } from "./writer";
export {
  computeOpVersion,
  updateOpVersions,
  minRuntimeVersion,
  finalizeModel,
  MIN_RUNTIME_VERSION,
} from "./versions";
export { validateModel } from "./validate";
export { summarizeModel, describeQuantization } from "./summary";
