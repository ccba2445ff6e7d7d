/**
 * `quantizeModel`, `quantizeAnnotateLayer`, `quantizeApply`: tfmot's API over tfjs Sequential
 * models. The returned model is a new tf.Sequential with the float weights copied and fake-quant
 * layers in place (./layers.ts); compile and train it as usual.
 *
 * Layer handling (tfmot default 8-bit, docs/quantization.md, "Quantization-aware training"): Conv2D, DepthwiseConv2D and Dense are
 * quantized (weights and output); a BatchNormalization right after one of them is folded into it,
 * and a ReLU / Activation layer right after one of them (or its folded BN) becomes its fused
 * activation, so the output fake-quant sits where TFLite's fused op writes its int8 output;
 * AveragePooling2D and GlobalAveragePooling2D quantize their output (`QuantPool`, as tfmot);
 * Reshape, Flatten, MaxPooling2D, Dropout and Softmax pass through unquantized (their int8
 * twins keep the input's scale); any other layer must come
 * with a per-class config in `options.configs`, or `quantizeApply` throws an UnsupportedError
 * naming it. Only single-chain (Sequential-like) models: a layer with several inputs (Add,
 * Concatenate) or a branch is refused by name.
 */
import * as tf from "@tensorflow/tfjs";
import { UnsupportedError, UsageError } from "../errors";
import { mergeLayer, quantizeInputAfter, rebuildGraph } from "./functional";
import {
  type QatActivation,
  type QatLayer,
  QuantPool,
  QuantWeighted,
  QuantizeInput,
  isQatLayer,
  outputChannels,
} from "./layers";

export interface QuantizeModelOptions {
  /** Training steps that run float math before fake-quant starts (ranges are tracked meanwhile). */
  quantDelay?: number;
  /** Per-channel weight ranges for Dense layers (default false, as tfmot). */
  perChannelDense?: boolean;
  /**
   * Per-class handling of custom layers: return the layers that replace it in the QAT model
   * (e.g. itself, to keep it in float).
   */
  configs?: Record<string, (layer: tf.layers.Layer) => tf.layers.Layer[]>;
}

const annotated = new WeakSet<tf.layers.Layer>();

/** Mark a layer for quantization by `quantizeApply` (tfmot's quantize_annotate_layer). */
export function quantizeAnnotateLayer<L extends tf.layers.Layer>(layer: L): L {
  annotated.add(layer);
  return layer;
}

/** Annotate every layer, then apply: the whole model is quantization-aware. */
export function quantizeModel(
  model: tf.LayersModel,
  options: QuantizeModelOptions = {},
): tf.LayersModel {
  for (const layer of model.layers) quantizeAnnotateLayer(layer);
  return quantizeApply(model, options);
}

type Config = tf.serialization.ConfigDict;

function configNumbers(c: Config, key: string, layer: string): number[] {
  const v = c[key];
  if (typeof v === "number") return [v, v];
  if (Array.isArray(v) && v.every((e) => typeof e === "number")) return v.map(Number);
  throw new UsageError(`quantizeApply: layer ${layer} has no numeric "${key}" in its config`);
}

function configString(c: Config, key: string, fallback: string): string {
  const v = c[key];
  return typeof v === "string" ? v : fallback;
}

function pair(v: number[]): [number, number] {
  return [v[0] ?? 1, v[1] ?? v[0] ?? 1];
}

function activationOf(c: Config, layer: string): QatActivation {
  const a = configString(c, "activation", "linear");
  if (
    a === "linear" ||
    a === "relu" ||
    a === "relu6" ||
    a === "softmax" ||
    a === "sigmoid" ||
    a === "tanh"
  ) {
    return a;
  }
  throw new UnsupportedError(
    `quantizeApply: layer ${layer} has activation "${a}"; supported: linear, relu, relu6, softmax, sigmoid, tanh`,
  );
}

/** The activation a ReLU / Activation layer applies, or null for any other layer. */
function activationLayer(layer: tf.layers.Layer): QatActivation | null {
  const c = layer.getConfig();
  switch (layer.getClassName()) {
    case "Activation":
      return activationOf(c, layer.name);
    case "ReLU": {
      // tfjs's ReLU layer has only maxValue (no negative slope or threshold).
      const maxValue = c["maxValue"];
      if (maxValue === null || maxValue === undefined) return "relu";
      if (maxValue === 6) return "relu6";
      throw new UnsupportedError(
        `quantizeApply: layer ${layer.name} (ReLU) has maxValue ${String(maxValue)}; only relu and relu6 (maxValue 6) quantize`,
      );
    }
    default:
      return null;
  }
}

/**
 * Refuses models that are not one chain of single-input layers: quantizeApply rebuilds the
 * model as a tf.Sequential, which would silently drop branches.
 */
function isChain(model: tf.LayersModel): boolean {
  try {
    requireChain(model);
    return true;
  } catch (e) {
    if (e instanceof UnsupportedError) return false;
    throw e;
  }
}

/**
 * A model with branches or merges: rebuilt as a graph (./functional.ts). Every layer must be
 * annotated (the whole model quantized) and called once.
 */
function quantizeGraph(
  model: tf.LayersModel,
  layers: tf.layers.Layer[],
  options: QuantizeModelOptions,
): tf.LayersModel {
  const plain = layers.find((l) => !annotated.has(l));
  if (plain !== undefined) {
    throw new UnsupportedError(
      `quantizeApply: layer ${plain.name} is not annotated; a model with branches or merges (Add, Concatenate) is only quantized whole (quantizeModel)`,
    );
  }
  return rebuildGraph(
    model,
    `${model.name}_qat`,
    (layer, followers) => {
      const cls = layer.getClassName();
      if (isWeighted(cls)) return weightedLayer(layer, followers, options, true);
      const merge = mergeLayer(layer, options.quantDelay) ?? poolLayer(layer, options.quantDelay);
      if (merge !== null) return { layer: merge, absorbed: 0 };
      return { layer: passThroughOrRefuse(layer), absorbed: 0 };
    },
    quantizeInputAfter(options.quantDelay),
  );
}

function passThroughOrRefuse(layer: tf.layers.Layer): tf.layers.Layer {
  const cls = layer.getClassName();
  const p = passThrough(layer);
  if (p === null) {
    const where =
      cls === "ReLU" || cls === "Activation" || cls === "BatchNormalization"
        ? ` (only right after a Conv2D, DepthwiseConv2D or Dense${cls === "BatchNormalization" ? "" : ", or the BatchNormalization folded into one"})`
        : "";
    throw new UnsupportedError(
      `quantizeApply: layer ${layer.name} (${cls}) is not supported by QAT here${where}; supported: Conv2D, DepthwiseConv2D, Dense, then BatchNormalization and ReLU/Activation folded into them, Add, Concatenate, Reshape, Flatten, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, Dropout, Softmax — or pass options.configs["${cls}"] (Sequential models)`,
    );
  }
  return p;
}

function requireChain(model: tf.LayersModel): void {
  // Merges (Add, Concatenate, …) and shared layers first: they name the real obstacle.
  for (const layer of model.layers) {
    const inputs = layer.inboundNodes[0]?.inboundLayers ?? [];
    if (inputs.length > 1 || layer.inboundNodes.length > 1) {
      throw new UnsupportedError(
        `quantizeApply: layer ${layer.name} (${layer.getClassName()}) ${inputs.length > 1 ? `merges ${inputs.length} inputs` : "is called more than once"}; QAT supports single-chain (Sequential-like) models only`,
      );
    }
  }
  let previous: tf.layers.Layer | null = null;
  for (const layer of model.layers) {
    const inputs = layer.inboundNodes[0]?.inboundLayers ?? [];
    const cls = layer.getClassName();
    if (cls === "InputLayer") {
      previous = layer;
      continue;
    }
    const from = inputs[0];
    if (previous !== null && from !== undefined && from !== previous) {
      throw new UnsupportedError(
        `quantizeApply: layer ${layer.name} (${cls}) reads ${from.name}, not the layer before it (${previous.name}); QAT supports single-chain (Sequential-like) models only`,
      );
    }
    previous = layer;
  }
}

function weightNamed(layer: tf.layers.Layer, suffix: string): tf.Tensor | null {
  const i = layer.weights.findIndex(
    (w) => w.originalName.endsWith(suffix) || w.name.endsWith(suffix),
  );
  return i < 0 ? null : (layer.getWeights()[i] ?? null);
}

export function passThrough(layer: tf.layers.Layer): tf.layers.Layer | null {
  const c = layer.getConfig();
  switch (layer.getClassName()) {
    case "Reshape":
      return tf.layers.reshape({ targetShape: configNumbers(c, "targetShape", layer.name) });
    case "Flatten":
      return tf.layers.flatten();
    case "MaxPooling2D":
      return tf.layers.maxPooling2d({
        poolSize: pair(configNumbers(c, "poolSize", layer.name)),
        strides: pair(configNumbers(c, "strides", layer.name)),
        padding: configString(c, "padding", "valid") === "same" ? "same" : "valid",
      });
    case "AveragePooling2D":
      return tf.layers.averagePooling2d({
        poolSize: pair(configNumbers(c, "poolSize", layer.name)),
        strides: pair(configNumbers(c, "strides", layer.name)),
        padding: configString(c, "padding", "valid") === "same" ? "same" : "valid",
      });
    case "GlobalAveragePooling2D":
      return tf.layers.globalAveragePooling2d({});
    case "Dropout":
      return tf.layers.dropout({ rate: configNumbers(c, "rate", layer.name)[0] ?? 0 });
    case "Softmax":
      return tf.layers.softmax();
    default:
      return null;
  }
}

/** AveragePooling2D / GlobalAveragePooling2D → QuantPool (tfmot quantizes their outputs). */
export function poolLayer(layer: tf.layers.Layer, quantDelay?: number): QuantPool | null {
  const cls = layer.getClassName();
  const name = `quant_${layer.name}`;
  if (cls === "GlobalAveragePooling2D") {
    const c = layer.getConfig();
    if (configString(c, "dataFormat", "channelsLast") !== "channelsLast") {
      throw new UnsupportedError(
        `quantizeApply: layer ${layer.name} (${cls}) is not channels-last`,
      );
    }
    return new QuantPool({ name, kind: "globalAveragePooling2d", quantDelay });
  }
  if (cls !== "AveragePooling2D") return null;
  const c = layer.getConfig();
  return new QuantPool({
    name,
    kind: "averagePooling2d",
    poolSize: pair(configNumbers(c, "poolSize", layer.name)),
    strides: pair(configNumbers(c, "strides", layer.name)),
    padding: configString(c, "padding", "valid") === "same" ? "same" : "valid",
    quantDelay,
  });
}

export function isWeighted(cls: string): boolean {
  return cls === "Conv2D" || cls === "DepthwiseConv2D" || cls === "Dense";
}

/**
 * The QuantWeighted replacing a Conv2D / DepthwiseConv2D / Dense `layer`, with `followers` (the
 * layers reading its output, in chain order, when it has exactly one reader) folded in: a
 * BatchNormalization right after it, then a ReLU / Activation layer. `absorbed` is how many
 * followers were folded.
 */
export function weightedLayer(
  layer: tf.layers.Layer,
  followers: (tf.layers.Layer | undefined)[],
  options: QuantizeModelOptions,
  quantize: boolean,
): { layer: QuantWeighted; absorbed: number } {
  const cls = layer.getClassName();
  const kind = cls === "Conv2D" ? "conv2d" : cls === "Dense" ? "dense" : "depthwise";
  let absorbed = 0;
  const c = layer.getConfig();
  const kernel = weightNamed(layer, kind === "depthwise" ? "depthwise_kernel" : "kernel");
  if (kernel === null) throw new UsageError(`quantizeApply: layer ${layer.name} has no kernel`);
  if (kind !== "dense" && configString(c, "dataFormat", "channelsLast") !== "channelsLast") {
    throw new UnsupportedError(
      `quantizeApply: layer ${layer.name}: only channelsLast ${cls} is supported`,
    );
  }
  const dilation = kind === "dense" ? [1, 1] : pair(configNumbers(c, "dilationRate", layer.name));
  if (kind === "depthwise" && (dilation[0] !== 1 || dilation[1] !== 1)) {
    // tfjs 4.x runs DepthwiseConv2D without its dilation (Keras applies it): no one meaning.
    throw new UnsupportedError(
      `quantizeApply: layer ${layer.name} (DepthwiseConv2D) has dilationRate [${dilation.join(", ")}]; tfjs ignores a depthwise dilation, so it is not supported`,
    );
  }
  if (cls === "Dense" && (layer.inputSpec?.[0]?.minNDim ?? 2) > 2) {
    throw new UnsupportedError(
      `quantizeApply: layer ${layer.name}: Dense on rank > 2 inputs is not supported`,
    );
  }
  const next = followers[0];
  let batchNorm;
  if (next?.getClassName() === "BatchNormalization") {
    const bc = next.getConfig();
    const axis = bc["axis"];
    if (axis !== -1 && axis !== (kind === "dense" ? 1 : 3)) {
      throw new UnsupportedError(
        `quantizeApply: ${next.name} normalizes axis ${String(axis)}; only the channel axis folds into ${layer.name}`,
      );
    }
    const outC = outputChannels(kind, kernel.shape);
    batchNorm = {
      gamma: (weightNamed(next, "gamma") ?? tf.ones([outC])) as tf.Tensor1D,
      beta: (weightNamed(next, "beta") ?? tf.zeros([outC])) as tf.Tensor1D,
      movingMean: (weightNamed(next, "moving_mean") ?? tf.zeros([outC])) as tf.Tensor1D,
      movingVariance: (weightNamed(next, "moving_variance") ?? tf.ones([outC])) as tf.Tensor1D,
      epsilon: typeof bc["epsilon"] === "number" ? bc["epsilon"] : 1e-3,
    };
    absorbed++;
    const activation = activationOf(c, layer.name);
    if (activation !== "linear") {
      throw new UnsupportedError(
        `quantizeApply: ${layer.name} has activation ${activation} before ${next.name}; BN folds only into a linear ${cls}`,
      );
    }
  }
  // A ReLU / Activation layer right after (the folded BN) becomes the fused activation:
  // one output fake-quant after it, as TFLite fuses it into the op (tfmot's
  // LayerReLUQuantize transforms likewise drop the fake-quant between them).
  let activation = activationOf(c, layer.name);
  const after = followers[absorbed];
  const fused = after === undefined ? null : activationLayer(after);
  if (fused !== null && activation === "linear") {
    activation = fused;
    absorbed++;
  }
  return {
    absorbed,
    layer: new QuantWeighted({
      name: `quant_${layer.name}`,
      kind,
      kernel,
      bias: weightNamed(layer, "bias") as tf.Tensor1D | null,
      activation,
      strides: kind !== "dense" ? pair(configNumbers(c, "strides", layer.name)) : undefined,
      padding: configString(c, "padding", "valid") === "same" ? "same" : "valid",
      dilationRate: kind !== "dense" ? pair(dilation) : undefined,
      perChannel: kind !== "dense" ? true : (options.perChannelDense ?? false),
      batchNorm,
      quantDelay: options.quantDelay,
      float: !quantize,
    }),
  };
}

/**
 * Quantize the annotated layers of a Sequential-like model (layers applied in order); Conv2D and
 * Dense layers not annotated stay float. A `QuantizeInput` goes in front of each run of quantized
 * layers that starts the model or follows a float layer (pass-through layers keep the run going).
 */
export function quantizeApply(
  model: tf.LayersModel,
  options: QuantizeModelOptions = {},
): tf.LayersModel {
  const layers = model.layers.filter((l) => l.getClassName() !== "InputLayer");
  if (!layers.some((l) => annotated.has(l))) {
    throw new UsageError(
      "quantizeApply: no layer of the model is annotated (use quantizeAnnotateLayer or quantizeModel)",
    );
  }
  const input = model.inputs[0];
  if (model.inputs.length !== 1 || model.outputs.length !== 1 || input === undefined) {
    throw new UnsupportedError(
      `quantizeApply: model ${model.name} must have one input and one output`,
    );
  }
  if (!isChain(model)) return quantizeGraph(model, layers, options);
  const inputShape = input.shape.slice(1).map((d) => d ?? -1);
  const out: tf.layers.Layer[] = [tf.layers.inputLayer({ inputShape })];
  let quantizedSoFar = false;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    if (layer === undefined) continue;
    const cls = layer.getClassName();
    const quantize = annotated.has(layer);
    const custom = options.configs?.[cls];
    if (custom) {
      out.push(...custom(layer));
      quantizedSoFar = false;
      continue;
    }
    if (isWeighted(cls)) {
      if (quantize && !quantizedSoFar)
        out.push(new QuantizeInput({ quantDelay: options.quantDelay }));
      quantizedSoFar = quantize;
      const built = weightedLayer(layer, [layers[i + 1], layers[i + 2]], options, quantize);
      out.push(built.layer);
      i += built.absorbed;
      continue;
    }
    const pool = quantize ? poolLayer(layer, options.quantDelay) : null;
    out.push(pool ?? passThroughOrRefuse(layer));
  }
  return tf.sequential({ layers: out, name: `${model.name}_qat` });
}

/** The fake-quant layers of a QAT model, in order (for reading learned ranges). */
export function quantLayers(model: tf.LayersModel): QatLayer[] {
  return model.layers.filter(isQatLayer);
}
