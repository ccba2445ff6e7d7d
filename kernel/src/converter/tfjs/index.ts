/**
 * TensorFlow.js LayersModel → float IR (see README.md): `layersModelToFloatModel(model)`,
 * `modelJsonToFloatModel(path)`, and `fileSystem(path)`, an IOHandler for tfjs models on disk.
 */
export { layersModelToFloatModel, layersModelToFloatModelWithLayerTensors } from "./convert";
export type { LayersModelConversionOptions } from "./convert";
export { fileSystem, loadLayersModelFromFile, modelJsonToFloatModel } from "./io";
export { SUPPORTED_LAYERS } from "./layers/registry";
export { SUPPORTED_ACTIVATIONS } from "./layers/activation";
