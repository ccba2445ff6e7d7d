/**
 * Calibration: observers that turn observed values into ranges and quantization parameters,
 * fake-quantize for QAT, and `calibrate`, which runs a float model over a representative dataset.
 */
export * from "./observer";
export * from "./histogram";
export * from "./minmax";
export * from "./histogramObservers";
export * from "./entropy";
export * from "./calibrate";
export * from "./payload";
