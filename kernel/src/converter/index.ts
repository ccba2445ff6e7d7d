/**
 * The converter: `TFLiteConverter` (float16, dynamic range, full integer with float fallback,
 * integer only, 16x8), one pass per mode, and `compareLayers` for per-layer quantization error.
 */
export { TFLiteConverter } from "./converter";
export type { ConversionMode, Optimization, OpsSet, SupportedType, TargetSpec } from "./converter";
export type { IOType } from "./integer";
export { float16Pass } from "./float16";
export { dynamicRangePass, DYNAMIC_RANGE_MIN_ELEMENTS } from "./dynamic";
export { integerPass } from "./integer";
export type { ActivationRanges, IntegerPassOptions } from "./integer";
export { compareLayers, LayerComparison } from "./compare";
export type { CompareOptions } from "./compare";
export {
  layersModelToFloatModel,
  modelJsonToFloatModel,
  loadLayersModelFromFile,
  fileSystem,
  SUPPORTED_LAYERS,
  SUPPORTED_ACTIVATIONS,
} from "./tfjs";
export type { LayersModelConversionOptions } from "./tfjs";
