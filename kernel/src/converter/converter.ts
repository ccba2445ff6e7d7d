/**
 * `TFLiteConverter`: TensorFlow's converter API in TypeScript (docs/quantization.md, "The IR and the public API"). Mode selection follows TF's `lite.py` (docs/quantization.md):
 *
 * | optimizations | supportedTypes / supportedOps                    | dataset | mode                 |
 * | ------------- | ------------------------------------------------ | ------- | -------------------- |
 * | none          | —                                                | —       | float (as read)      |
 * | DEFAULT       | supportedTypes ["float16"]                       | —       | float16              |
 * | DEFAULT       | —                                                | no      | dynamic range        |
 * | DEFAULT       | TFLITE_BUILTINS (default)                        | yes     | int8, float fallback |
 * | DEFAULT       | only TFLITE_BUILTINS_INT8, or supportedTypes int8| yes     | int8 only            |
 * | DEFAULT       | EXPERIMENTAL_…_INT16_WEIGHTS_INT8 (or int16 type)| yes     | 16x8                 |
 */
import { UsageError } from "../errors";
import type { Model, Operator } from "../ir";
import {
  type CalibrationMethod,
  type RepresentativeDataset,
  type AnySample,
  calibrate,
} from "../calib/calibrate";
import { readModel } from "../tflite/reader";
import { writeModel } from "../tflite/writer";
import { dynamicRangePass } from "./dynamic";
import { float16Pass } from "./float16";
import { cloneModel, opLabel } from "./graph";
import { type IOType, integerPass } from "./integer";

/**
 * The brand of a layer that knows how its model converts (the QAT layers): a method
 * `[CONVERSION_INPUT](model)` returning the float IR and the ranges learned in training. The
 * converter looks for it on a tfjs model's layers, so it needs no import from the layers' module.
 */
export const CONVERSION_INPUT: unique symbol = Symbol.for("tsquant.conversionInput") as never;

/** What a self-converting model hands the converter. */
export interface ConversionInput {
  /** The float model as IR (what the converter quantizes). */
  model: Model;
  /** Learned ranges by tensor name of `model`, for `TFLiteConverter.activationRanges`. */
  activationRanges: Record<string, { min: number; max: number }>;
  /** Weight tensors to quantize per tensor, for `perTensorWeights`. */
  perTensorWeights: string[];
  /** Outputs requantized after their op, for `requantizedOutputs`. */
  requantizedOutputs: string[];
}

interface SelfConverting {
  [CONVERSION_INPUT](model: unknown): ConversionInput;
}

function isSelfConverting(layer: unknown): layer is SelfConverting {
  return (
    typeof layer === "object" &&
    layer !== null &&
    typeof (layer as Partial<SelfConverting>)[CONVERSION_INPUT] === "function"
  );
}

/** The conversion input of a tfjs model one of whose layers carries CONVERSION_INPUT, else null. */
function conversionInputOf(tfModel: unknown): ConversionInput | null {
  const layers = (tfModel as { layers?: unknown[] }).layers ?? [];
  const owner = layers.find(isSelfConverting);
  return owner === undefined ? null : owner[CONVERSION_INPUT](tfModel);
}

export type Optimization = "DEFAULT" | "OPTIMIZE_FOR_SIZE" | "OPTIMIZE_FOR_LATENCY";
export type SupportedType = "float16" | "int8" | "int16";
export type OpsSet =
  | "TFLITE_BUILTINS"
  | "TFLITE_BUILTINS_INT8"
  | "EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8";

export type ConversionMode = "float32" | "float16" | "dynamic" | "int8" | "int8-only" | "int16x8";

export interface TargetSpec {
  supportedTypes: SupportedType[];
  supportedOps: OpsSet[];
}

/**
 * Converts a float model (a `.tflite` file's bytes, or a tfjs LayersModel) into a quantized
 * `.tflite` file. Set the fields, then `await convert()`.
 */
export class TFLiteConverter {
  optimizations: Optimization[] = [];
  targetSpec: TargetSpec = { supportedTypes: [], supportedOps: ["TFLITE_BUILTINS"] };
  representativeDataset: RepresentativeDataset | null = null;
  inferenceInputType: IOType = "float32";
  inferenceOutputType: IOType = "float32";
  // tsquant's own options.
  /** Calibration method (default "minmax", TFLite's calibrator). */
  calibrationMethod: CalibrationMethod = "minmax";
  /** Use this many samples of the dataset (default: all); fewer is an error. */
  calibrationSamples: number | null = null;
  /** Per-channel weights (default true, as TF); false quantizes every weight per tensor. */
  perChannel = true;
  /** TFLite op names (e.g. "MEAN") left in float (TF's QuantizationDebugger `denylisted_ops`). */
  denylistedOps: string[] = [];
  /** Output tensor names of ops left in float (TF's `denylisted_nodes`). */
  denylistedNodes: string[] = [];
  /**
   * Activation ranges by float-model tensor name, used instead of calibrated ones (e.g. the
   * ranges QAT learned). Without a representativeDataset every quantized activation needs one;
   * with one, these override the calibrated ranges of the tensors they name.
   */
  activationRanges: Record<string, { min: number; max: number }> | null = null;
  /**
   * Weight tensors (by name) quantized per tensor even when `perChannel` is true: the Dense
   * kernels a QAT model fake-quantized per tensor (set by `fromLayersModel(qatModel)`).
   */
  perTensorWeights: string[] = [];
  /**
   * Outputs (float tensor names) of same-scale ops that keep a range of their own, requantized
   * by a QUANTIZE op after the op (set by `fromLayersModel(qatModel)` for AveragePooling2D).
   */
  requantizedOutputs: string[] = [];
  /** How `activationRanges` become scales: "float64" (default: TF's rule for QAT ranges) or "float32". */
  activationRangePrecision: "float32" | "float64" = "float64";

  private constructor(private readonly floatModel: Model) {}

  /** The float model being converted (read-only: conversion works on a copy). */
  get inputModel(): Model {
    return this.floatModel;
  }

  /** From the bytes of a float `.tflite` file. */
  static fromBuffer(bytes: Uint8Array): TFLiteConverter {
    return new TFLiteConverter(readModel(bytes, {}));
  }

  /** From a float IR model (e.g. built by the tfjs front end). */
  static fromModel(model: Model): TFLiteConverter {
    return new TFLiteConverter(cloneModel(model));
  }

  /**
   * From a tfjs `LayersModel`, through the tfjs front end (`layersModelToFloatModel`), loaded
   * lazily so that `tsquant` does not need tfjs unless this is called.
   *
   * `batchSize` N fixes the batch dimension: shapes [N, …] with no `shape_signature` (runtimes
   * that refuse a dynamic signature, such as LiteRT.js, load such files). Default: a dynamic batch
   * (shape 1, signature −1), as TF writes a Keras model whose batch is `None`.
   */
  static fromLayersModel(tfModel: unknown, options: { batchSize?: number } = {}): TFLiteConverter {
    // A model that converts itself (a QAT model: its layers carry CONVERSION_INPUT): convert its
    // deployed float model with the ranges it learned (no calibration needed), as TF does with a
    // tfmot model's FakeQuant ranges.
    const input = conversionInputOf(tfModel);
    if (input !== null) {
      if (options.batchSize !== undefined) {
        throw new UsageError(
          "fromLayersModel: batchSize is not supported for QAT models; convert with the " +
            "default dynamic batch",
        );
      }
      const converter = new TFLiteConverter(input.model);
      converter.activationRanges = input.activationRanges;
      converter.perTensorWeights = input.perTensorWeights;
      converter.requantizedOutputs = input.requantizedOutputs;
      return converter;
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const frontEnd = require("./tfjs") as typeof import("./tfjs");
    return new TFLiteConverter(
      frontEnd.layersModelToFloatModel(
        tfModel as Parameters<typeof frontEnd.layersModelToFloatModel>[0],
        options.batchSize === undefined ? {} : { batchSize: options.batchSize },
      ),
    );
  }

  /** The mode `convert()` will run, from the fields as TF's `lite.py` reads them. */
  get mode(): ConversionMode {
    const optimize = this.optimizations.some(
      (o) => o === "DEFAULT" || o === "OPTIMIZE_FOR_SIZE" || o === "OPTIMIZE_FOR_LATENCY",
    );
    const ops = new Set(this.targetSpec.supportedOps);
    const types = new Set(this.targetSpec.supportedTypes);
    if (!optimize) return "float32";
    if (
      ops.has("EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8") ||
      (types.has("int16") && !types.has("float16"))
    )
      return "int16x8";
    const intOnly = (ops.size === 1 && ops.has("TFLITE_BUILTINS_INT8")) || types.has("int8");
    if (intOnly) return "int8-only";
    if (types.size > 0 && [...types].every((t) => t === "float16")) return "float16";
    return this.representativeDataset === null && this.activationRanges === null
      ? "dynamic"
      : "int8";
  }

  /**
   * The inverse of `mode`: set `optimizations` and `targetSpec` as TF's users do for `mode` (the
   * CLI's `--mode`). "int8", "int8-only" and "int16x8" also need a `representativeDataset` (or
   * `activationRanges`); without one, "int8" reads back as "dynamic".
   */
  setMode(mode: ConversionMode): void {
    this.optimizations = mode === "float32" ? [] : ["DEFAULT"];
    this.targetSpec = {
      supportedTypes: mode === "float16" ? ["float16"] : [],
      supportedOps:
        mode === "int8-only"
          ? ["TFLITE_BUILTINS_INT8"]
          : mode === "int16x8"
            ? ["EXPERIMENTAL_TFLITE_BUILTINS_ACTIVATIONS_INT16_WEIGHTS_INT8"]
            : ["TFLITE_BUILTINS"],
    };
  }

  /** Run the conversion; resolves to the `.tflite` file's bytes. */
  async convert(): Promise<Uint8Array> {
    return writeModel(await this.convertToModel(), {
      finalize: true,
      dataAlignment: 4,
      file: "converted model",
    });
  }

  /** As `convert()`, but resolves to the IR (for inspection and `compareLayers`). */
  async convertToModel(): Promise<Model> {
    const mode = this.mode;
    refuseQuantized(this.floatModel);
    const io = this.inferenceInputType !== "float32" || this.inferenceOutputType !== "float32";
    const needsData =
      (mode === "int8" || mode === "int8-only" || mode === "int16x8") &&
      this.activationRanges === null;
    if (
      this.representativeDataset === null &&
      (needsData || (io && this.activationRanges === null))
    ) {
      throw new UsageError(
        `convert: ${io ? `inferenceInputType ${this.inferenceInputType} / inferenceOutputType ${this.inferenceOutputType}` : `mode ${mode}`} needs a representativeDataset to calibrate activation ranges (as TF: "For full integer quantization, a representative_dataset must be specified")`,
      );
    }
    if (io && (mode === "float32" || mode === "float16" || mode === "dynamic")) {
      throw new UsageError(
        `convert: integer I/O (${this.inferenceInputType}/${this.inferenceOutputType}) needs full-integer quantization: set optimizations ["DEFAULT"] and a representativeDataset`,
      );
    }
    const model = cloneModel(this.floatModel);
    const isDenylisted = (op: Operator): boolean =>
      this.denylistedOps.includes(opLabel(model, op)) ||
      op.outputs.some((o) =>
        this.denylistedNodes.includes(model.subgraphs[0].tensors[o]?.name ?? ""),
      );
    switch (mode) {
      case "float32":
        return model;
      case "float16":
        return float16Pass(model);
      case "dynamic":
        return dynamicRangePass(model, { perChannel: this.perChannel, isDenylisted });
      case "int8":
      case "int8-only":
      case "int16x8": {
        const int16 = mode === "int16x8";
        const given = this.activationRanges;
        const calibration =
          this.representativeDataset === null
            ? null
            : await calibrate(this.floatModel, await this.samples(), {
                method: this.calibrationMethod,
                qparams: int16 ? { dtype: "int16" } : undefined,
                keepHistograms: false,
              });
        const precision = this.activationRangePrecision;
        const fromGiven = (name: string) => {
          const r = given?.[name];
          return r === undefined ? undefined : { range: r, scalePrecision: precision };
        };
        const ranges = { get: (name: string) => fromGiven(name) ?? calibration?.get(name) };
        const floatFallback = this.targetSpec.supportedOps.includes("TFLITE_BUILTINS");
        const quantized = integerPass(model, ranges, {
          activations: int16 ? "int16" : "int8",
          integerOnly: mode === "int8-only" || (int16 && !floatFallback),
          perChannel: this.perChannel,
          perTensorWeights: int16 ? undefined : new Set(this.perTensorWeights),
          requantizedOutputs: new Set(this.requantizedOutputs),
          inferenceInputType: this.inferenceInputType,
          inferenceOutputType: this.inferenceOutputType,
          isDenylisted,
        });
        return quantized;
      }
      default:
        return mode satisfies never;
    }
  }

  /** The representative dataset as a list, cut to `calibrationSamples` (fewer is an error). */
  private async samples(): Promise<AnySample[]> {
    const source = this.representativeDataset;
    if (source === null) throw new UsageError("convert: no representativeDataset");
    const wanted = this.calibrationSamples ?? Infinity;
    if (!(wanted >= 1))
      throw new UsageError(
        `convert: calibrationSamples must be >= 1; found ${this.calibrationSamples}`,
      );
    const out: AnySample[] = [];
    const iterable = typeof source === "function" ? source() : source;
    for await (const s of iterable as AsyncIterable<AnySample>) {
      if (out.length >= wanted) break;
      out.push(s);
    }
    if (out.length === 0) {
      throw new UsageError(
        "convert: the representativeDataset yielded no samples; calibration needs at least one",
      );
    }
    if (Number.isFinite(wanted) && out.length < wanted) {
      throw new UsageError(
        `convert: calibrationSamples is ${wanted} but the representativeDataset yielded only ${out.length} samples`,
      );
    }
    return out;
  }
}

/** Converting a model that is already quantized is an error naming its first integer tensor. */
function refuseQuantized(model: Model): void {
  for (const t of model.subgraphs[0]?.tensors ?? []) {
    const quantizedType =
      t.type === "int8" || t.type === "uint8" || t.type === "int16" || t.type === "float16";
    if (quantizedType || (t.quantization?.scale?.length ?? 0) > 0) {
      throw new UsageError(
        `convert: the model is already quantized (tensor '${t.name}' is ${t.type}${t.quantization?.scale?.length ? ` with scale ${t.quantization.scale[0]}` : ""}); convert the float model instead`,
      );
    }
  }
}
