/**
 * Quantization primitives: number formats, choosing scale and zero point as TensorFlow does,
 * quantize / dequantize / requantize, FakeQuant, float16 and bfloat16, bias quantization, error
 * metrics, and the quantized-multiplier arithmetic shared with the interpreter.
 */
export * from "./formats";
export * from "./rounding";
export * from "./params";
export * from "./affine";
export * from "./fakequant";
export * from "./float16";
export * from "./bias";
export * from "./metrics";
export * from "./multiplier";
export {
  type QuantizedMultiplier,
  quantizeMultiplier,
  quantizeMultiplierSmallerThanOneExp,
  quantizeMultiplierGreaterThanOne,
  multiplyByQuantizedMultiplier,
  saturatingRoundingDoublingHighMul,
  roundingDivideByPOT,
  frexp,
} from "./fixedpoint";
