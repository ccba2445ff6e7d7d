/**
 * tsquant: TensorFlow Lite model quantization in TypeScript.
 */
export * from "./errors";
export * from "./ir";
export * as data from "./data";
export * from "./quant";
export * from "./tflite";
export * from "./calib";
export * from "./interpreter";
export * from "./display";
export * from "./fast";
export * from "./converter";
export * from "./train";
export {
  installKernelspec,
  uninstallKernelspec,
  KERNEL_NAME,
  type InstallOptions,
  type InstallResult,
} from "./jupyter/install";
export * from "./qat";
export {
  evaluate,
  type EvaluateOptions,
  type EvaluationResult,
  type EvaluationImages,
  type EvaluationLabels,
} from "./eval/evaluate";
