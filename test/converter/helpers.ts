// Shared by the converter tests: the fixture float models, TF's representative dataset (the
// first 100 MNIST training images, fl32(u8 / 255), one per sample), and conversion per mode with
// the settings TF's fixture script used.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { mnist } from "../../kernel/src/data/datasets";
import type { Sample } from "../../kernel/src/calib/calibrate";
import { TFLiteConverter, type ConversionMode } from "../../kernel/src/converter/converter";
import { FIXTURES_DIR } from "../helpers/fixtures";

export type Family = "cnn" | "everyop";
export const MODES = ["float16", "dynamic", "int8", "int8-only", "int16x8"] as const;
export type Mode = (typeof MODES)[number] & ConversionMode;

export function inputShape(family: Family): number[] {
  return family === "cnn" ? [1, 28, 28] : [1, 28, 28, 1];
}

export function floatBytes(family: Family): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES_DIR, "models", `${family}_float32.tflite`)));
}

/** TF's file for the same family and mode (16x8 ones live under quant/). */
export function tfBytes(family: Family, mode: Mode): Uint8Array {
  const file = {
    // TF's fixture script made no every-op float16 file: compare with its float32 one.
    float16: `models/${family}_${family === "cnn" ? "float16" : "float32"}.tflite`,
    dynamic: `models/${family}_dynamic_range.tflite`,
    int8: `models/${family}_int8.tflite`,
    "int8-only": `models/${family === "cnn" ? "cnn_int8_only_uint8_io" : "everyop_int8_only_int8_io"}.tflite`,
    int16x8: `quant/${family}_int16x8.tflite`,
  }[mode];
  return new Uint8Array(readFileSync(join(FIXTURES_DIR, file)));
}

export function representative(family: Family, n = 100): Sample[] {
  const x = mnist().train.take(n).asFloat().data;
  const shape = inputShape(family);
  return Array.from({ length: n }, (_, i) => [
    { data: x.slice(i * 784, (i + 1) * 784), shape, dtype: "float32" as const },
  ]);
}

/** A converter set up as TF's fixture script did for this mode (int8-only: uint8 I/O for the CNN, int8 for every-op). */
export function converterFor(
  family: Family,
  mode: Mode,
  dataset = representative(family),
): TFLiteConverter {
  const c = TFLiteConverter.fromBuffer(floatBytes(family));
  c.optimizations = ["DEFAULT"];
  if (mode === "float16") c.targetSpec.supportedTypes = ["float16"];
  if (mode === "int8" || mode === "int8-only" || mode === "int16x8")
    c.representativeDataset = dataset;
  if (mode === "int8-only") {
    c.targetSpec.supportedOps = ["TFLITE_BUILTINS_INT8"];
    c.inferenceInputType = family === "cnn" ? "uint8" : "int8";
    c.inferenceOutputType = family === "cnn" ? "uint8" : "int8";
  }
  if (mode === "int16x8") {
    c.targetSpec.supportedOps = ["EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"];
  }
  return c;
}
